// The host stand-in (host_device.cpp) for Qwen3.5's launchers (src/cuda/deltanet.cu), built from
// the CPU's own pieces (model/gated_attention.h, kernels/recurrent.h) as the other launchers are:
// what it adds is the kernels' walk over a pass's rows in order, each row reading and updating
// its own slot's conv window and delta-rule state. Test-only.
#include <cmath>
#include <cstring>

#include "cuda/launch.h"
#include "cuda_host/host_launch.h"
#include "kernels/kernels.h"
#include "kernels/recurrent.h"
#include "model/gated_attention.h"

namespace flash::cuda::launch {

void zero(void* dst, size_t n) {
    host::run_or_record([=] { std::memset(dst, 0, n); });
}

void split_query_gate(const float* qg, int64_t n, int64_t n_head, int64_t head_dim, float* q,
                      float* gate) {
    host::run_or_record([=] { flash::split_query_gate(qg, n, n_head, head_dim, q, gate); });
}

void output_gate(float* attn, const float* gate, int64_t count) {
    host::run_or_record([=] { kernels::sigmoid_mul(attn, gate, count); });
}

void deltanet_gates(float* decay, float* beta, const float* a, const float* dt_bias, int64_t n,
                    int64_t n_v_heads) {
    host::run_or_record([=] {
        for (int64_t i = 0; i < n * n_v_heads; ++i) {
            const int64_t h = i % n_v_heads;
            decay[i] = std::exp(kernels::softplus(decay[i] + dt_bias[h]) * a[h]);
            beta[i] = kernels::sigmoid(beta[i]);
        }
    });
}

void conv_silu_norm(float* x, int64_t n, int64_t channels, const float* w, int64_t kernel,
                    float* conv_states, const int32_t* slots, int64_t qk_heads, int64_t head_dim,
                    float eps) {
    host::run_or_record([=] {
        for (int64_t t = 0; t < n; ++t) {
            float* row = x + t * channels;
            float* state = conv_states + slots[t] * channels * (kernel - 1);
            kernels::causal_conv1d(row, row, 1, channels, w, kernel, state, 0, channels);
            kernels::silu(row, channels);
            for (int64_t h = 0; h < qk_heads; ++h)
                kernels::l2_norm(row + h * head_dim, head_dim, eps);
        }
    });
}

// model/deltanet.cpp's delta rule, row (h, j) of each slot's state.
void delta_rule(const float* x, const float* decay, const float* beta, int64_t n, int64_t n_k_heads,
                int64_t n_v_heads, int64_t head_k_dim, int64_t head_v_dim, float scale,
                float* ssm_states, const int32_t* slots, float* core) {
    host::run_or_record([=] {
        const int64_t dk = head_k_dim, dv = head_v_dim, vd = n_v_heads * dv;
        const int64_t channels = 2 * n_k_heads * dk + vd;
        for (int64_t r = 0; r < vd; ++r) {
            const int64_t h = r / dv, j = r % dv, hk = h % n_k_heads;
            for (int64_t t = 0; t < n; ++t) {
                float* m = ssm_states + (slots[t] * vd + r) * dk;
                const float* row = x + t * channels;
                const float* q = row + hk * dk;
                const float* k = row + (n_k_heads + hk) * dk;
                const float v = row[2 * n_k_heads * dk + h * dv + j];
                for (int64_t i = 0; i < dk; ++i) m[i] *= decay[t * n_v_heads + h];
                const float d = (v - kernels::dot_f32(m, k, dk)) * beta[t * n_v_heads + h];
                kernels::axpy_f32(m, d, k, dk);
                core[t * vd + h * dv + j] = kernels::dot_f32(m, q, dk) * scale;
            }
        }
    });
}

void rmsnorm_gated(float* core, const float* w, const float* z, int64_t rows, int64_t n,
                   float eps) {
    host::run_or_record([=] {
        for (int64_t r = 0; r < rows; ++r)
            kernels::rmsnorm_gated(core + r * n, core + r * n, w, z + r * n, n, eps);
    });
}

}  // namespace flash::cuda::launch
