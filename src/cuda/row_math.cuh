// Private to src/cuda: pieces the kernels share (elementwise.cu, deltanet.cu, attention.cu,
// matvec.cu): the row kernels' block size, block and warp reductions, and device functions in the
// CPU kernels' arithmetic: a row's sum of squares in double (each square rounded to float first,
// as kernels' sum_squares) and RMSNorm's factor from it, SiLU as x / (1 + exp(-x)), the sigmoid.
#pragma once

#include <cstdint>

namespace flash::cuda {

// Threads per block of the row and elementwise kernels (a power of two: block_sum_squares).
inline constexpr int kRowThreads = 256;

// Blocks of kRowThreads that cover n elements, one thread each.
inline unsigned blocks_for(int64_t n) {
    return static_cast<unsigned>((n + kRowThreads - 1) / kRowThreads);
}

// The block's reduction of v by op, a tree over blockDim.x threads (a power of two); every
// thread gets the result. shared: blockDim.x values, free again when this returns.
template <class T, class Op>
__device__ T block_reduce(T v, T* shared, Op op) {
    shared[threadIdx.x] = v;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
        if (threadIdx.x < stride)
            shared[threadIdx.x] = op(shared[threadIdx.x], shared[threadIdx.x + stride]);
        __syncthreads();
    }
    const T result = shared[0];
    __syncthreads();  // shared may be reused by the caller
    return result;
}

// The sum of row[i]^2 for i < n over the block's threads, in double; every thread gets it.
// shared: blockDim.x doubles (the block's size, a power of two).
__device__ inline double block_sum_squares(const float* row, int64_t n, double* shared) {
    double sum = 0.0;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
        sum += static_cast<double>(__fmul_rn(row[i], row[i]));
    return block_reduce(sum, shared, [](double a, double b) { return a + b; });
}

// RMSNorm's factor for a row, 1 / sqrt(mean(row^2) + eps), the mean in double over the block
// (block_sum_squares); and element i of the normed row, times w[i] when w is given, each product
// rounded as the CPU rounds it.
__device__ inline float block_rms_scale(const float* row, int64_t n, float eps, double* shared) {
    const double sum = block_sum_squares(row, n, shared);
    const float mean = static_cast<float>(sum / static_cast<double>(n));
    return 1.0f / sqrtf(mean + eps);
}
__device__ inline float rms_normed(const float* row, float scale, const float* w, int64_t i) {
    return w ? __fmul_rn(__fmul_rn(row[i], scale), w[i]) : __fmul_rn(row[i], scale);
}

// The sum of v over a warp's 32 lanes; every lane gets it (lane 0's is the shuffle-down tree's:
// lane l + 16, then + 8, 4, 2, 1).
__device__ inline float warp_sum(float v) {
    for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

__device__ inline float silu1(float x) {
    return x / (1.0f + expf(-x));
}

__device__ inline float sigmoid1(float x) {
    return 1.0f / (1.0f + expf(-x));
}

}  // namespace flash::cuda
