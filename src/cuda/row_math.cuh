// Private to src/cuda: pieces the row kernels share (elementwise.cu, deltanet.cu): their block
// size, and device functions in the CPU kernels' arithmetic: a row's sum of squares in double
// (each square rounded to float first, as kernels' sum_squares), SiLU as x / (1 + exp(-x)), the
// sigmoid.
#pragma once

#include <cstdint>

namespace flash::cuda {

// Threads per block of the row and elementwise kernels (a power of two: block_sum_squares).
inline constexpr int kRowThreads = 256;

// Blocks of kRowThreads that cover n elements, one thread each.
inline unsigned blocks_for(int64_t n) {
    return static_cast<unsigned>((n + kRowThreads - 1) / kRowThreads);
}

// The sum of row[i]^2 for i < n over the block's threads, in double; every thread gets it.
// shared: blockDim.x doubles (the block's size, a power of two).
__device__ inline double block_sum_squares(const float* row, int64_t n, double* shared) {
    double sum = 0.0;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x)
        sum += static_cast<double>(__fmul_rn(row[i], row[i]));
    shared[threadIdx.x] = sum;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
        if (threadIdx.x < stride) shared[threadIdx.x] += shared[threadIdx.x + stride];
        __syncthreads();
    }
    const double total = shared[0];
    __syncthreads();  // shared may be reused by the caller
    return total;
}

__device__ inline float silu1(float x) {
    return x / (1.0f + expf(-x));
}

__device__ inline float sigmoid1(float x) {
    return 1.0f / (1.0f + expf(-x));
}

}  // namespace flash::cuda
