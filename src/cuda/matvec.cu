// Decode's matrix-vector product on the GPU for every weight type flash reads: one warp per
// weight row, lane l taking elements l, l + 32, ... (neighbouring lanes read neighbouring bytes),
// each weight dequantized in registers by the per-element accessors the CPU's scalar reference
// uses (kernels/k_scales.h), then a warp shuffle reduction. Correct first; the tuned kernels
// (a block per lane, vectorized loads, several rows per warp) are measured against it on a GPU.
#include <cuda_runtime.h>

#include <cstddef>
#include <string>

#include "core/error.h"
#include "cuda/cuda_backend.h"
#include "cuda/cuda_check.h"
#include "cuda/launch.h"
#include "cuda/weights.cuh"

namespace flash::cuda {
namespace {

constexpr int kWarpsPerBlock = 4;

template <DType T>
__global__ void matvec_kernel(const uint8_t* w, size_t row_bytes, int64_t rows, int64_t cols,
                              const float* x, float* y) {
    const int64_t row = static_cast<int64_t>(blockIdx.x) * kWarpsPerBlock + threadIdx.x / 32;
    const int lane = static_cast<int>(threadIdx.x % 32);
    if (row >= rows) return;  // the whole warp leaves together
    const uint8_t* r = w + row * row_bytes;
    float sum = 0.0f;
    for (int64_t e = lane; e < cols; e += 32) sum += weight<T>(r, e) * x[e];
    for (int offset = 16; offset > 0; offset /= 2)
        sum += __shfl_down_sync(0xffffffffu, sum, offset);
    if (lane == 0) y[row] = sum;
}

}  // namespace

bool matvec_supports(DType t) {
    return dispatch_type(t, [](auto) {});
}

void launch::matvec(DType t, const void* w, int64_t rows, int64_t cols, const float* x, float* y) {
    const auto blocks = static_cast<unsigned>((rows + kWarpsPerBlock - 1) / kWarpsPerBlock);
    const bool known = dispatch_type(t, [&](auto type) {
        constexpr DType T = decltype(type)::value;
        matvec_kernel<T><<<blocks, kWarpsPerBlock * 32>>>(static_cast<const uint8_t*>(w),
                                                          row_bytes(T, cols), rows, cols, x, y);
    });
    if (!known)
        throw Error("CUDA matvec: weights of type " + std::string(dtype_name(t)) +
                    " are not supported");
    check(cudaGetLastError(), "launching matvec");
}

void matvec(DType t, const DeviceBuffer& w, int64_t rows, int64_t cols, const DeviceBuffer& x,
            DeviceBuffer& y) {
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
                   static_cast<float*>(y.data()));
    check(cudaDeviceSynchronize(), "running matvec");
}

}  // namespace flash::cuda
