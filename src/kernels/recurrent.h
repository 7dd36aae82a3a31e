// Row kernels for recurrent (state-space / linear-attention) layers such as Qwen3.5's Gated
// DeltaNet: causal depthwise conv1d with a carried window, L2 norm, softplus, sigmoid and the
// gated RMSNorm. Scalar code: these are small next to the projections around them.
// Depends on core/ only (and kernels.h for rmsnorm).
#pragma once

#include <cmath>
#include <cstdint>

namespace flash::kernels {

// softplus(x) = log(1 + exp(x)); for x > 20 it is x to within f32 rounding (ggml's cut-off).
inline float softplus(float x) {
    return x > 20.0f ? x : std::log1p(std::exp(x));
}

// sigmoid(x) = 1 / (1 + exp(-x)).
inline float sigmoid(float x) {
    return 1.0f / (1.0f + std::exp(-x));
}

// Causal depthwise 1-D convolution over n tokens for channels [c_begin, c_end), carrying the
// last kernel-1 inputs of each channel between calls:
//   window_t[c] = (x_{t-kernel+1}[c], ..., x_t[c])      (oldest first; earlier tokens from state)
//   y_t[c]      = sum_{j < kernel} w[c][j] * window_t[c][j]
// x and y: n rows of `channels` floats (y may alias x). w: channels rows of `kernel` taps (tap
// kernel-1 meets the current token). state: channels rows of kernel-1 floats, oldest first; it
// holds the window's tail after the last token. This is ggml_ssm_conv over concat(state, x).
void causal_conv1d(const float* x, float* y, int64_t n, int64_t channels, const float* w,
                   int64_t kernel, float* state, int64_t c_begin, int64_t c_end);

// x /= max(||x||_2, eps), in place: ggml_l2_norm (eps floors the norm; it is not under the
// square root as in HF's x * rsqrt(sum x^2 + eps)). The sum is accumulated in double.
void l2_norm(float* x, int64_t n, float eps);

// out = rmsnorm(x) * w * silu(gate)  (w may be null); out may alias x. The norm of Gated
// DeltaNet's output: x / sqrt(mean(x^2) + eps) * w, gated by z * sigmoid(z).
void rmsnorm_gated(float* out, const float* x, const float* w, const float* gate, int64_t n,
                   float eps);

// x *= sigmoid(gate), elementwise: the output gate of gated attention.
void sigmoid_mul(float* x, const float* gate, int64_t n);

}  // namespace flash::kernels
