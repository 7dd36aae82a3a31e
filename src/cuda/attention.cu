// Attention on the GPU (launch.h), flash-decoding style: one block per token, query head and part
// of kAttentionPart cached positions, in three passes over the part as the CPU's arithmetic goes
// (scores, their maximum and the exponentials with their sum, then the weighted values), the
// scores in global scratch so any context length fits; then one block per token and head merges
// the parts. A decode step over a long context so fills the GPU with blocks instead of one per
// head.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>

#include "cuda/cuda_check.h"
#include "cuda/gpu_plan.h"
#include "cuda/launch.h"
#include "cuda/row_math.cuh"

namespace flash::cuda {
namespace {

constexpr int kThreads = 128;

// The cache holds IEEE halves (uint16_t in the host-side signatures).
__device__ inline float load_half(const uint16_t* p) {
    return __half2float(__ushort_as_half(*p));
}

// One block per token t, query head h and part p of t's positions: the part's scores, their
// maximum, the exponentials with their sum, then the exponentials' weighted values, unnormalised.
// An empty part (past t's last position) says so with a sum of 0.
__global__ void attention_part_kernel(const float* q, const uint16_t* k_cache,
                                      const uint16_t* v_cache, const int32_t* positions,
                                      const int32_t* slots, int64_t n_ctx, int64_t window,
                                      int64_t n_head, int64_t group, int64_t hd, int64_t hdv,
                                      int64_t kv_dim, int64_t v_dim, float scale, int64_t part_len,
                                      float* scores, float* partial) {
    __shared__ float shared[kThreads];
    const int64_t h = blockIdx.x, t = blockIdx.y, p = blockIdx.z, kvh = h / group;
    const int64_t last_position = positions[t], base = static_cast<int64_t>(slots[t]) * n_ctx;
    const int64_t first_position =
        window > 0 && last_position - window + 1 > 0 ? last_position - window + 1 : 0;
    const int64_t first = first_position + p * part_len;
    const int64_t last =
        first + part_len - 1 < last_position ? first + part_len - 1 : last_position;
    float* part = partial + ((t * n_head + h) * gridDim.z + p) * (hdv + 2);
    if (first > last) {  // the whole block leaves together
        if (threadIdx.x == 0) part[0] = -INFINITY, part[1] = 0.0f;
        return;
    }
    const float* qh = q + (t * n_head + h) * hd;
    float* s = scores + (t * n_head + h) * n_ctx;  // the parts use disjoint positions of it

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
        part[2 + d] = acc;
    }
    if (threadIdx.x == 0) part[0] = max, part[1] = sum;
}

// One block per token and head: its parts merged, each rescaled by exp(its maximum - the
// overall maximum), the values divided by the rescaled sum of exponentials (one part: the
// values over the sum, as without parts).
__global__ void attention_merge_kernel(const float* partial, int64_t n_parts, int64_t n_head,
                                       int64_t hdv, float* out) {
    const int64_t h = blockIdx.x, t = blockIdx.y;
    const float* parts = partial + (t * n_head + h) * n_parts * (hdv + 2);
    float max = -INFINITY;
    for (int64_t p = 0; p < n_parts; ++p)
        if (parts[p * (hdv + 2) + 1] > 0.0f) max = fmaxf(max, parts[p * (hdv + 2)]);
    float sum = 0.0f;
    for (int64_t p = 0; p < n_parts; ++p) {
        const float* part = parts + p * (hdv + 2);
        if (part[1] > 0.0f) sum += expf(part[0] - max) * part[1];
    }
    for (int64_t d = threadIdx.x; d < hdv; d += kThreads) {
        float acc = 0.0f;
        for (int64_t p = 0; p < n_parts; ++p) {
            const float* part = parts + p * (hdv + 2);
            if (part[1] > 0.0f) acc += expf(part[0] - max) * part[2 + d];
        }
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
                       float scale, int64_t part_len, float* scores, float* partial, float* out) {
    if (n_head <= 0 || n_tokens <= 0) return;
    // The parts of the whole context, whatever the rows' positions: the launch depends on the
    // sizes alone, so a graph replays it at any position (the blocks past a row's end leave).
    const int64_t n_parts = attention_parts(n_ctx, part_len);
    const dim3 grid(static_cast<unsigned>(n_head), static_cast<unsigned>(n_tokens),
                    static_cast<unsigned>(n_parts));
    attention_part_kernel<<<grid, kThreads, 0, stream()>>>(
        q, k_cache, v_cache, positions, slots, n_ctx, window, n_head, group, head_dim, head_dim_v,
        kv_dim, v_dim, scale, part_len, scores, partial);
    check(cudaGetLastError(), "launching attention");
    attention_merge_kernel<<<dim3(static_cast<unsigned>(n_head), static_cast<unsigned>(n_tokens)),
                             kThreads, 0, stream()>>>(partial, n_parts, n_head, head_dim_v, out);
    check(cudaGetLastError(), "launching attention's merge");
}

}  // namespace flash::cuda
