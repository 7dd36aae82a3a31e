// Private to src/cuda: the kernels' launchers on raw device pointers, queued on the default
// stream without waiting, so a forward pass (cuda_model.cpp) queues a whole token's work and
// waits once. The public functions of cuda_backend.h check their buffers, call these and wait.
// Each launcher checks that the launch itself was accepted (flash::Error otherwise); errors
// while a kernel runs surface at the next synchronize().
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "core/dtype.h"

namespace flash::cuda::launch {

// y = W x for `rows` rows of `cols` elements of type t (matvec_supports(t) must hold).
void matvec(DType t, const void* w, int64_t rows, int64_t cols, const float* x, float* y);
// out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w for `rows` rows of n (w may be null; out may be x).
void rmsnorm(const float* x, const float* w, int64_t rows, int64_t n, float eps, float* out);
// gate[i] = act(gate[i]) * up[i]: SiLU, or GELU's tanh form.
void glu(bool gelu, float* gate, const float* up, int64_t n);
// RoPE's per-dimension angle ratio base^(-2 / n_rot), on the host as the CPU computes it (std::pow
// in float).
inline float rope_theta_scale(float base, int64_t n_rot) {
    return std::pow(base, -2.0f / static_cast<float>(n_rot));
}
// kernels::rope on n_tokens x n_heads heads (see cuda_backend.h's rope); theta_scale is
// base^(-2 / n_rot), computed by the caller as the CPU computes it.
void rope(float* x, int64_t n_tokens, int64_t n_heads, int64_t head_dim, int64_t n_rot,
          const int32_t* positions, float theta_scale, float freq_scale, bool neox,
          const float* freq_factors);
// x[i] += y[i] for i < n.
void add(float* x, const float* y, int64_t n);
// Attention of one token's query heads over cached positions [first, last] (causal, and a
// sliding window's start as the caller sets `first`): out[h] = sum_j softmax_j(scale * q_h .
// k_j) v_j, query head h reading key/value head h / group. k_cache rows are kv_dim floats,
// v_cache rows v_dim, position j at row j. scores: n_head x score_stride floats of scratch
// (score_stride > last).
void attention_decode(const float* q, const float* k_cache, const float* v_cache, int64_t n_head,
                      int64_t group, int64_t head_dim, int64_t head_dim_v, int64_t kv_dim,
                      int64_t v_dim, int64_t first, int64_t last, float scale, float* scores,
                      int64_t score_stride, float* out);
// n bytes from device src to device dst, queued.
void copy(void* dst, const void* src, size_t n);
// Waits for everything queued; throws flash::Error with CUDA's message for a failed kernel.
void synchronize(const char* what);

}  // namespace flash::cuda::launch
