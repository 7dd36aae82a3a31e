#include "kernels/recurrent.h"

#include <algorithm>

#include "kernels/kernels.h"

namespace flash::kernels {

void causal_conv1d(const float* x, float* y, int64_t n, int64_t channels, const float* w,
                   int64_t kernel, float* state, int64_t c_begin, int64_t c_end) {
    const int64_t tail = kernel - 1;
    for (int64_t c = c_begin; c < c_end; ++c) {
        const float* wc = w + c * kernel;
        float* sc = state + c * tail;
        for (int64_t t = 0; t < n; ++t) {
            const float xt = x[t * channels + c];
            // Oldest tap first, as ggml sums the window.
            float sum = 0.0f;
            for (int64_t j = 0; j < tail; ++j) sum += wc[j] * sc[j];
            sum += wc[tail] * xt;
            // Slide the window: drop the oldest input, append this token's (read before y may
            // overwrite it when y aliases x).
            if (tail > 0) {
                std::copy(sc + 1, sc + tail, sc);
                sc[tail - 1] = xt;
            }
            y[t * channels + c] = sum;
        }
    }
}

void l2_norm(float* x, int64_t n, float eps) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i] * x[i]);
    const float scale = 1.0f / std::max(std::sqrt(static_cast<float>(sum)), eps);
    for (int64_t i = 0; i < n; ++i) x[i] *= scale;
}

void rmsnorm_gated(float* out, const float* x, const float* w, const float* gate, int64_t n,
                   float eps) {
    rmsnorm(out, x, w, n, eps);
    for (int64_t i = 0; i < n; ++i) out[i] *= gate[i] * sigmoid(gate[i]);
}

void sigmoid_mul(float* x, const float* gate, int64_t n) {
    for (int64_t i = 0; i < n; ++i) x[i] *= sigmoid(gate[i]);
}

}  // namespace flash::kernels
