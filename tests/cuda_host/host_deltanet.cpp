// The host stand-in (host_device.cpp) for Qwen3.5's launchers (src/cuda/deltanet.cu): each does
// on the CPU what its kernel does, row by row in order with each row's slot's state, in the
// kernel's arithmetic (the conv's taps oldest first without fused multiply-adds, sums of squares
// in double, the delta rule's dot products one element at a time). Test-only.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "cuda/launch.h"

namespace flash::cuda::launch {
namespace {

float sigmoid1(float x) {
    return 1.0f / (1.0f + std::exp(-x));
}

float softplus1(float x) {
    return x > 20.0f ? x : std::log1p(std::exp(x));
}

double sum_squares(const float* x, int64_t n) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i] * x[i]);
    return sum;
}

}  // namespace

void zero(void* dst, size_t n) {
    std::memset(dst, 0, n);
}

void split_query_gate(const float* qg, int64_t n, int64_t n_head, int64_t head_dim, float* q,
                      float* gate) {
    for (int64_t head = 0; head < n * n_head; ++head) {
        std::copy_n(qg + head * 2 * head_dim, head_dim, q + head * head_dim);
        std::copy_n(qg + head * 2 * head_dim + head_dim, head_dim, gate + head * head_dim);
    }
}

void output_gate(float* attn, const float* gate, int64_t count) {
    for (int64_t i = 0; i < count; ++i) attn[i] *= sigmoid1(gate[i]);
}

void deltanet_gates(float* decay, float* beta, const float* a, const float* dt_bias, int64_t n,
                    int64_t n_v_heads) {
    for (int64_t i = 0; i < n * n_v_heads; ++i) {
        const int64_t h = i % n_v_heads;
        decay[i] = std::exp(softplus1(decay[i] + dt_bias[h]) * a[h]);
        beta[i] = sigmoid1(beta[i]);
    }
}

void conv_silu_norm(float* x, int64_t n, int64_t channels, const float* w, int64_t kernel,
                    float* conv_states, const int32_t* slots, int64_t qk_heads, int64_t head_dim,
                    float eps) {
    const int64_t tail = kernel - 1;
    for (int64_t c = 0; c < channels; ++c) {
        const float* wc = w + c * kernel;
        for (int64_t t = 0; t < n; ++t) {
            float* sc = conv_states + (static_cast<int64_t>(slots[t]) * channels + c) * tail;
            const float xt = x[t * channels + c];
            float sum = 0.0f;
            for (int64_t j = 0; j < tail; ++j) {
                const float p = wc[j] * sc[j];
                sum += p;
            }
            const float p = wc[tail] * xt;
            sum += p;
            for (int64_t j = 0; j + 1 < tail; ++j) sc[j] = sc[j + 1];
            if (tail > 0) sc[tail - 1] = xt;
            x[t * channels + c] = sum;
        }
    }
    for (int64_t i = 0; i < n * channels; ++i) x[i] = x[i] / (1.0f + std::exp(-x[i]));
    for (int64_t t = 0; t < n; ++t) {
        for (int64_t h = 0; h < qk_heads; ++h) {
            float* v = x + t * channels + h * head_dim;
            const double total = sum_squares(v, head_dim);
            const float scale = 1.0f / std::max(std::sqrt(static_cast<float>(total)), eps);
            for (int64_t i = 0; i < head_dim; ++i) v[i] *= scale;
        }
    }
}

void delta_rule(const float* x, const float* decay, const float* beta, int64_t n, int64_t n_k_heads,
                int64_t n_v_heads, int64_t head_k_dim, int64_t head_v_dim, float scale,
                float* ssm_states, const int32_t* slots, float* core) {
    const int64_t dk = head_k_dim, dv = head_v_dim, vd = n_v_heads * dv;
    const int64_t channels = 2 * n_k_heads * dk + vd;
    for (int64_t r = 0; r < vd; ++r) {
        const int64_t h = r / dv, j = r % dv, hk = h % n_k_heads;
        for (int64_t t = 0; t < n; ++t) {
            float* m = ssm_states + (static_cast<int64_t>(slots[t]) * vd + r) * dk;
            const float* row = x + t * channels;
            const float* q = row + hk * dk;
            const float* k = row + (n_k_heads + hk) * dk;
            const float v = row[2 * n_k_heads * dk + h * dv + j];
            const float dc = decay[t * n_v_heads + h];
            float mk = 0.0f;
            for (int64_t i = 0; i < dk; ++i) {
                m[i] *= dc;
                mk = std::fma(m[i], k[i], mk);
            }
            const float d = (v - mk) * beta[t * n_v_heads + h];
            float mq = 0.0f;
            for (int64_t i = 0; i < dk; ++i) {
                m[i] = std::fma(d, k[i], m[i]);
                mq = std::fma(m[i], q[i], mq);
            }
            core[t * vd + h * dv + j] = mq * scale;
        }
    }
}

void rmsnorm_gated(float* core, const float* w, const float* z, int64_t rows, int64_t n,
                   float eps) {
    for (int64_t r = 0; r < rows; ++r) {
        float* row = core + r * n;
        const float* zr = z + r * n;
        const float mean = static_cast<float>(sum_squares(row, n) / static_cast<double>(n));
        const float scale = 1.0f / std::sqrt(mean + eps);
        for (int64_t i = 0; i < n; ++i) {
            const float normed = w ? (row[i] * scale) * w[i] : row[i] * scale;
            row[i] = normed * (zr[i] * sigmoid1(zr[i]));
        }
    }
}

}  // namespace flash::cuda::launch
