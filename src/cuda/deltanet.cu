// Qwen3.5's layers on the GPU (launch.h): the gated attention's query/gate split and output gate,
// and Gated DeltaNet's gates, short convolution, norms, delta rule and gated RMSNorm, in the CPU's
// arithmetic (model/deltanet.cpp, kernels/recurrent.cpp): sums of squares in double, the conv's
// taps oldest first. The recurrences walk a pass's rows in order, each row reading and updating
// its own slot's state, so rows of several sequences may share a pass. Correct first: a chunked
// form of the delta rule for long prompts comes with measurements on a GPU.
#include <cuda_runtime.h>

#include <cmath>

#include "cuda/cuda_check.h"
#include "cuda/launch.h"
#include "cuda/row_math.cuh"

namespace flash::cuda {
namespace {

__device__ inline float softplus1(float x) {
    return x > 20.0f ? x : log1pf(expf(x));
}

__global__ void split_query_gate_kernel(const float* qg, int64_t n, int64_t n_head, int64_t hd,
                                        float* q, float* gate) {
    const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (i >= n * n_head * hd) return;
    const int64_t head = i / hd, d = i % hd;  // head counts over rows and heads
    q[i] = qg[head * 2 * hd + d];
    gate[i] = qg[head * 2 * hd + hd + d];
}

__global__ void output_gate_kernel(float* attn, const float* gate, int64_t count) {
    const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (i < count) attn[i] *= sigmoid1(gate[i]);
}

__global__ void gates_kernel(float* decay, float* beta, const float* a, const float* dt_bias,
                             int64_t count, int64_t hv) {
    const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (i >= count) return;
    const int64_t h = i % hv;
    decay[i] = expf(softplus1(decay[i] + dt_bias[h]) * a[h]);
    beta[i] = sigmoid1(beta[i]);
}

// One thread per channel, walking the rows in order with each row's slot's window.
__global__ void conv_kernel(float* x, int64_t n, int64_t channels, const float* w, int64_t kernel,
                            float* states, const int32_t* slots) {
    const int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (c >= channels) return;
    const int64_t tail = kernel - 1;
    const float* wc = w + c * kernel;
    for (int64_t t = 0; t < n; ++t) {
        float* sc = states + (static_cast<int64_t>(slots[t]) * channels + c) * tail;
        const float xt = x[t * channels + c];
        float sum = 0.0f;
        for (int64_t j = 0; j < tail; ++j) sum = __fadd_rn(sum, __fmul_rn(wc[j], sc[j]));
        sum = __fadd_rn(sum, __fmul_rn(wc[tail], xt));
        for (int64_t j = 0; j + 1 < tail; ++j) sc[j] = sc[j + 1];
        if (tail > 0) sc[tail - 1] = xt;
        x[t * channels + c] = sum;
    }
}

__global__ void silu_kernel(float* x, int64_t count) {
    const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (i < count) x[i] = silu1(x[i]);
}

// One block per (row, head): x /= max(||x||, eps) over head_dim, the sum in double.
__global__ void l2_norm_kernel(float* x, int64_t channels, int64_t hd, float eps) {
    __shared__ double shared[kRowThreads];
    float* v = x + blockIdx.y * channels + blockIdx.x * hd;
    const double total = block_sum_squares(v, hd, shared);
    const float scale = 1.0f / fmaxf(sqrtf(static_cast<float>(total)), eps);
    for (int64_t i = threadIdx.x; i < hd; i += blockDim.x) v[i] = __fmul_rn(v[i], scale);
}

// One warp per state row (h, j): lanes hold every 32nd element of the row's dk; the dot products
// are warp sums.
__global__ void delta_rule_kernel(const float* x, const float* decay, const float* beta, int64_t n,
                                  int64_t hk_count, int64_t hv, int64_t dk, int64_t dv, float scale,
                                  float* states, const int32_t* slots, float* core) {
    const int64_t r = (blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x) / 32;
    const int lane = threadIdx.x % 32;
    if (r >= hv * dv) return;
    const int64_t h = r / dv, j = r % dv, hk = h % hk_count;
    const int64_t channels = 2 * hk_count * dk + hv * dv, vd = hv * dv;
    for (int64_t t = 0; t < n; ++t) {
        float* m = states + (static_cast<int64_t>(slots[t]) * vd + r) * dk;
        const float* row = x + t * channels;
        const float* q = row + hk * dk;
        const float* k = row + (hk_count + hk) * dk;
        const float v = row[2 * hk_count * dk + h * dv + j];
        const float dc = decay[t * hv + h];
        float mk = 0.0f;
        for (int64_t i = lane; i < dk; i += 32) {
            m[i] *= dc;
            mk = fmaf(m[i], k[i], mk);
        }
        const float d = (v - warp_sum(mk)) * beta[t * hv + h];
        float mq = 0.0f;
        for (int64_t i = lane; i < dk; i += 32) {
            m[i] = fmaf(d, k[i], m[i]);
            mq = fmaf(m[i], q[i], mq);
        }
        mq = warp_sum(mq);
        if (lane == 0) core[t * vd + h * dv + j] = mq * scale;
    }
}

// One block per row of n: rmsnorm (sum of squares in double) times w, times silu(z).
__global__ void rmsnorm_gated_kernel(float* x, const float* w, const float* z, int64_t n,
                                     float eps) {
    __shared__ double shared[kRowThreads];
    float* row = x + blockIdx.x * n;
    const float* zr = z + blockIdx.x * n;
    const float scale = block_rms_scale(row, n, eps, shared);
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
        row[i] = __fmul_rn(rms_normed(row, scale, w, i), __fmul_rn(zr[i], sigmoid1(zr[i])));
}

}  // namespace

void launch::split_query_gate(const float* qg, int64_t n, int64_t n_head, int64_t head_dim,
                              float* q, float* gate) {
    const int64_t count = n * n_head * head_dim;
    if (count <= 0) return;
    split_query_gate_kernel<<<blocks_for(count), kRowThreads, 0, stream()>>>(qg, n, n_head,
                                                                             head_dim, q, gate);
    check(cudaGetLastError(), "launching split_query_gate");
}

void launch::output_gate(float* attn, const float* gate, int64_t count) {
    if (count <= 0) return;
    output_gate_kernel<<<blocks_for(count), kRowThreads, 0, stream()>>>(attn, gate, count);
    check(cudaGetLastError(), "launching output_gate");
}

void launch::deltanet_gates(float* decay, float* beta, const float* a, const float* dt_bias,
                            int64_t n, int64_t n_v_heads) {
    if (n * n_v_heads <= 0) return;
    gates_kernel<<<blocks_for(n * n_v_heads), kRowThreads, 0, stream()>>>(decay, beta, a, dt_bias,
                                                                          n * n_v_heads, n_v_heads);
    check(cudaGetLastError(), "launching deltanet_gates");
}

void launch::conv_silu_norm(float* x, int64_t n, int64_t channels, const float* w, int64_t kernel,
                            float* conv_states, const int32_t* slots, int64_t qk_heads,
                            int64_t head_dim, float eps) {
    if (n <= 0 || channels <= 0) return;
    conv_kernel<<<blocks_for(channels), kRowThreads, 0, stream()>>>(x, n, channels, w, kernel,
                                                                    conv_states, slots);
    check(cudaGetLastError(), "launching the DeltaNet conv");
    silu_kernel<<<blocks_for(n * channels), kRowThreads, 0, stream()>>>(x, n * channels);
    check(cudaGetLastError(), "launching silu");
    if (qk_heads <= 0) return;
    const dim3 grid(static_cast<unsigned>(qk_heads), static_cast<unsigned>(n));
    l2_norm_kernel<<<grid, kRowThreads, 0, stream()>>>(x, channels, head_dim, eps);
    check(cudaGetLastError(), "launching l2_norm");
}

void launch::delta_rule(const float* x, const float* decay, const float* beta, int64_t n,
                        int64_t n_k_heads, int64_t n_v_heads, int64_t head_k_dim,
                        int64_t head_v_dim, float scale, float* ssm_states, const int32_t* slots,
                        float* core) {
    const int64_t rows = n_v_heads * head_v_dim;
    if (n <= 0 || rows <= 0) return;
    delta_rule_kernel<<<blocks_for(rows * 32), kRowThreads, 0, stream()>>>(
        x, decay, beta, n, n_k_heads, n_v_heads, head_k_dim, head_v_dim, scale, ssm_states, slots,
        core);
    check(cudaGetLastError(), "launching the delta rule");
}

void launch::rmsnorm_gated(float* core, const float* w, const float* z, int64_t rows, int64_t n,
                           float eps) {
    if (rows <= 0) return;
    rmsnorm_gated_kernel<<<static_cast<unsigned>(rows), kRowThreads, 0, stream()>>>(core, w, z, n,
                                                                                    eps);
    check(cudaGetLastError(), "launching rmsnorm_gated");
}

}  // namespace flash::cuda
