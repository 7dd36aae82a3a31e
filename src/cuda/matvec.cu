// Decode's matrix-vector product on the GPU for every weight type flash reads: one warp per
// weight row, then a warp shuffle reduction. Two kernels (MatvecKernel): Blocks, the default, walks
// the row 256 weights at a time, each lane taking 8 of them (block_math.h's lane_weights:
// neighbouring lanes read neighbouring quant words and runs of x, so the warp's loads are
// coalesced; scales decoded once per lane; held on the host against the reference in every
// build), also for up to kMatvecTokens tokens at once (matvec_tokens); Elements, the first one,
// kept as the measured baseline and for float rows, gives lane l the elements l, l + 32, ...,
// each dequantized by the per-element accessors the CPU's scalar reference uses.
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/error.h"
#include "cuda/block_math.h"
#include "cuda/cuda_backend.h"
#include "cuda/cuda_check.h"
#include "cuda/launch.h"
#include "cuda/row_math.cuh"

namespace flash::cuda {
namespace {

constexpr int kWarpsPerBlock = 4;

// Elements: lane l takes elements l, l + 32, ... of the warp's row, each by weight<T>.
template <DType T>
__global__ void matvec_elements_kernel(const uint8_t* __restrict__ w, size_t row_bytes,
                                       int64_t rows, int64_t cols, const float* __restrict__ x,
                                       float* __restrict__ y) {
    const int64_t row = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / 32;
    const int lane = static_cast<int>(threadIdx.x % 32);
    if (row >= rows) return;  // the whole warp leaves together
    const uint8_t* r = w + row * row_bytes;
    float sum = 0.0f;
    for (int64_t e = lane; e < cols; e += 32) sum += weight<T>(r, e) * x[e];
    sum = warp_sum(sum);
    if (lane == 0) y[row] = sum;
}

// Blocks, for n <= MaxTokens tokens (x and y: n rows; MaxTokens 1 for decode, kMatvecTokens for
// matvec_tokens): each lane's weights decoded once a unit and taken against every token's x, so
// the weights are read once for all of them; each token's sum in the same order whatever n.
template <DType T, int MaxTokens>
__global__ void matvec_blocks_kernel(const uint8_t* __restrict__ w, size_t row_bytes, int64_t rows,
                                     int64_t cols, const float* __restrict__ x, int n,
                                     float* __restrict__ y) {
    const int64_t row = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / 32;
    const int lane = static_cast<int>(threadIdx.x % 32);
    if (row >= rows) return;  // the whole warp leaves together
    const uint8_t* r = w + row * row_bytes;
    float sums[MaxTokens] = {};
    LaneRuns runs;
    for (int64_t u = 0; u < matvec_units(cols); ++u) {
        if (!lane_weights<T>(r, u, lane, cols, runs)) continue;
        for (int t = 0; t < MaxTokens; ++t)
            if (t < n) sums[t] += runs_dot(runs, x + t * cols);
    }
    for (int t = 0; t < MaxTokens && t < n; ++t) {
        const float sum = warp_sum(sums[t]);
        if (lane == 0) y[t * rows + row] = sum;
    }
}

// FLASH_CUDA_MATVEC=elements makes the forward pass use the baseline kernel (for measuring).
MatvecKernel kernel_from_environment() {
    const char* v = std::getenv("FLASH_CUDA_MATVEC");
    return v && std::string_view(v) == "elements" ? MatvecKernel::Elements : MatvecKernel::Blocks;
}

}  // namespace

MatvecKernel default_matvec_kernel() {
    static const MatvecKernel kernel = kernel_from_environment();
    return kernel;
}

bool matvec_supports(DType t) {
    return dispatch_type(t, [](auto) {});
}

void launch::matvec(DType t, const void* w, int64_t rows, int64_t cols, const float* x, float* y,
                    MatvecKernel kernel) {
    const auto blocks = static_cast<unsigned>((rows + kWarpsPerBlock - 1) / kWarpsPerBlock);
    const auto* bytes = static_cast<const uint8_t*>(w);
    const bool known = dispatch_type(t, [&](auto type) {
        constexpr DType T = decltype(type)::value;
        // Blocks reads quantized rows; a float row's lanes read neighbouring elements already.
        if constexpr (quantized_type(T)) {
            if (kernel == MatvecKernel::Blocks) {
                matvec_blocks_kernel<T, 1><<<blocks, kWarpsPerBlock * 32, 0, stream()>>>(
                    bytes, row_bytes(T, cols), rows, cols, x, 1, y);
                return;
            }
        }
        matvec_elements_kernel<T><<<blocks, kWarpsPerBlock * 32, 0, stream()>>>(
            bytes, row_bytes(T, cols), rows, cols, x, y);
    });
    if (!known)
        throw Error("CUDA matvec: weights of type " + std::string(dtype_name(t)) +
                    " are not supported");
    check(cudaGetLastError(), "launching matvec");
}

void launch::matvec_tokens(DType t, const void* w, int64_t rows, int64_t cols, const float* x,
                           int64_t n, float* y) {
    if (!matvec_supports(t) || !quantized_type(t) || n < 1 || n > kMatvecTokens)
        throw Error("CUDA matvec_tokens: " + std::to_string(n) + " tokens of " +
                    std::string(dtype_name(t)) + " weights");
    const auto blocks = static_cast<unsigned>((rows + kWarpsPerBlock - 1) / kWarpsPerBlock);
    dispatch_type(t, [&](auto type) {
        constexpr DType T = decltype(type)::value;
        if constexpr (quantized_type(T))
            matvec_blocks_kernel<T, kMatvecTokens><<<blocks, kWarpsPerBlock * 32, 0, stream()>>>(
                static_cast<const uint8_t*>(w), row_bytes(T, cols), rows, cols, x,
                static_cast<int>(n), y);
    });
    check(cudaGetLastError(), "launching matvec_tokens");
}

void matvec(DType t, const DeviceBuffer& w, int64_t rows, int64_t cols, const DeviceBuffer& x,
            DeviceBuffer& y, MatvecKernel kernel) {
    if (!matvec_supports(t))
        throw Error("CUDA matvec: weights of type " + std::string(dtype_name(t)) +
                    " are not supported");
    const int64_t block = dtype_info(t).block_elems;
    if (rows <= 0 || cols <= 0 || cols % block != 0)
        throw Error("CUDA matvec: " + std::to_string(rows) + " x " + std::to_string(cols) +
                    " is not a whole number of " + std::string(dtype_name(t)) + " blocks (" +
                    std::to_string(block) + " elements) per row");
    if (w.bytes() < static_cast<size_t>(rows) * row_bytes(t, cols) ||
        x.bytes() < static_cast<size_t>(cols) * sizeof(float) ||
        y.bytes() < static_cast<size_t>(rows) * sizeof(float))
        throw Error("CUDA matvec: a buffer is smaller than " + std::to_string(rows) + " x " +
                    std::to_string(cols) + " needs");
    launch::matvec(t, w.data(), rows, cols, static_cast<const float*>(x.data()),
                   static_cast<float*>(y.data()), kernel);
    check(cudaDeviceSynchronize(), "running matvec");
}

}  // namespace flash::cuda
