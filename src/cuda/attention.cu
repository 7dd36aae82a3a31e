// Attention on the GPU (launch.h): one block per token and query head over its cached positions,
// in three passes over them as the CPU's arithmetic goes (scores, their maximum and the
// exponentials with their sum, then the weighted values), the scores in global scratch so any
// context length fits. Correct first: the flash-decoding split for long contexts comes with the
// measurements on a GPU.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>

#include "cuda/cuda_check.h"
#include "cuda/launch.h"

namespace flash::cuda {
namespace {

constexpr int kThreads = 128;

// The block's reduction of v by op; every thread gets the result.
template <class Op>
__device__ float block_reduce(float v, float* shared, Op op) {
    shared[threadIdx.x] = v;
    __syncthreads();
    for (int stride = kThreads / 2; stride > 0; stride /= 2) {
        if (threadIdx.x < stride)
            shared[threadIdx.x] = op(shared[threadIdx.x], shared[threadIdx.x + stride]);
        __syncthreads();
    }
    const float result = shared[0];
    __syncthreads();  // shared is reused by the next reduction
    return result;
}

// The cache holds IEEE halves (uint16_t in the host-side signatures).
__device__ inline float load_half(const uint16_t* p) {
    return __half2float(__ushort_as_half(*p));
}

__global__ void attention_kernel(const float* q, const uint16_t* k_cache, const uint16_t* v_cache,
                                 const int32_t* positions, const int32_t* slots, int64_t n_ctx,
                                 int64_t window, int64_t n_head, int64_t group, int64_t hd,
                                 int64_t hdv, int64_t kv_dim, int64_t v_dim, float scale,
                                 float* scores, float* out) {
    __shared__ float shared[kThreads];
    const int64_t h = blockIdx.x, t = blockIdx.y, kvh = h / group;
    const int64_t last = positions[t], base = static_cast<int64_t>(slots[t]) * n_ctx;
    const int64_t first = window > 0 && last - window + 1 > 0 ? last - window + 1 : 0;
    const float* qh = q + (t * n_head + h) * hd;
    float* s = scores + (t * n_head + h) * n_ctx;

    float local_max = -INFINITY;
    for (int64_t j = first + threadIdx.x; j <= last; j += kThreads) {
        const uint16_t* k = k_cache + (base + j) * kv_dim + kvh * hd;
        float dot = 0.0f;
        for (int64_t d = 0; d < hd; ++d) dot = fmaf(qh[d], load_half(k + d), dot);
        s[j] = dot * scale;
        local_max = fmaxf(local_max, s[j]);
    }
    const float max = block_reduce(local_max, shared, [](float a, float b) { return fmaxf(a, b); });

    float local_sum = 0.0f;
    for (int64_t j = first + threadIdx.x; j <= last; j += kThreads) {
        s[j] = expf(s[j] - max);
        local_sum += s[j];
    }
    // The sum's reduction also orders the writes to s before the reads below.
    const float sum = block_reduce(local_sum, shared, [](float a, float b) { return a + b; });

    for (int64_t d = threadIdx.x; d < hdv; d += kThreads) {
        const uint16_t* v = v_cache + base * v_dim + kvh * hdv + d;
        float acc = 0.0f;
        for (int64_t j = first; j <= last; ++j) acc = fmaf(s[j], load_half(v + j * v_dim), acc);
        out[(t * n_head + h) * hdv + d] = acc / sum;
    }
}

// One block per row: its key and value into its slot's row for its position.
__global__ void store_kv_kernel(const float* k, const float* v, uint16_t* k_cache,
                                uint16_t* v_cache, const int32_t* positions, const int32_t* slots,
                                int64_t n_ctx, int64_t kv_dim, int64_t v_dim) {
    const int64_t t = blockIdx.x;
    const int64_t row = static_cast<int64_t>(slots[t]) * n_ctx + positions[t];
    for (int64_t i = threadIdx.x; i < kv_dim; i += kThreads)
        k_cache[row * kv_dim + i] = __half_as_ushort(__float2half_rn(k[t * kv_dim + i]));
    for (int64_t i = threadIdx.x; i < v_dim; i += kThreads)
        v_cache[row * v_dim + i] = __half_as_ushort(__float2half_rn(v[t * v_dim + i]));
}

}  // namespace

void launch::store_kv(const float* k, const float* v, uint16_t* k_cache, uint16_t* v_cache,
                      int64_t n_tokens, const int32_t* positions, const int32_t* slots,
                      int64_t n_ctx, int64_t kv_dim, int64_t v_dim) {
    if (n_tokens <= 0) return;
    store_kv_kernel<<<static_cast<unsigned>(n_tokens), kThreads, 0, stream()>>>(
        k, v, k_cache, v_cache, positions, slots, n_ctx, kv_dim, v_dim);
    check(cudaGetLastError(), "launching store_kv");
}

void launch::attention(const float* q, const uint16_t* k_cache, const uint16_t* v_cache,
                       int64_t n_tokens, const int32_t* positions, const int32_t* slots,
                       int64_t n_ctx, int64_t window, int64_t n_head, int64_t group,
                       int64_t head_dim, int64_t head_dim_v, int64_t kv_dim, int64_t v_dim,
                       float scale, float* scores, float* out) {
    if (n_head <= 0 || n_tokens <= 0) return;
    const dim3 grid(static_cast<unsigned>(n_head), static_cast<unsigned>(n_tokens));
    attention_kernel<<<grid, kThreads, 0, stream()>>>(q, k_cache, v_cache, positions, slots, n_ctx,
                                                      window, n_head, group, head_dim, head_dim_v,
                                                      kv_dim, v_dim, scale, scores, out);
    check(cudaGetLastError(), "launching attention");
}

}  // namespace flash::cuda
