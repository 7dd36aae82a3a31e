// Decode's matrix-vector product on the GPU for every weight type flash reads: one warp per
// weight row, lane l taking elements l, l + 32, ... (neighbouring lanes read neighbouring bytes),
// each weight dequantized in registers by the per-element accessors the CPU's scalar reference
// uses (kernels/k_scales.h), then a warp shuffle reduction. Correct first; the tuned kernels
// (a block per lane, vectorized loads, several rows per warp) are measured against it on a GPU.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <string>
#include <type_traits>

#include "core/error.h"
#include "cuda/cuda_backend.h"
#include "cuda/cuda_check.h"
#include "cuda/launch.h"
#include "kernels/k_scales.h"

namespace flash::cuda {
namespace {

using kernels::k4_scale_min;
using kernels::k_quant2;
using kernels::q3k_scale;
using kernels::q3k_value;
using kernels::q4k_value;
using kernels::q5_value;
using kernels::q5k_value;
using kernels::q6k_value;

// Little-endian reads at any byte offset (blocks are packed: 18, 22, 34, 110, 210 bytes).
__device__ inline uint16_t u16_at(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
__device__ inline uint32_t u32_at(const uint8_t* p) {
    return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
__device__ inline float half_at(const uint8_t* p) {
    return __half2float(__ushort_as_half(u16_at(p)));
}

// Weight e of one row of type T, as the scalar reference dequantizes it.
template <DType T>
__device__ float weight(const uint8_t* row, int64_t e) {
    if constexpr (T == DType::F32) {
        return __uint_as_float(u32_at(row + 4 * e));
    } else if constexpr (T == DType::F16) {
        return half_at(row + 2 * e);
    } else if constexpr (T == DType::BF16) {
        return __uint_as_float(static_cast<uint32_t>(u16_at(row + 2 * e)) << 16);
    } else if constexpr (T == DType::Q4_0) {
        const uint8_t* b = row + (e / QK4_0) * sizeof(BlockQ4_0);
        const int j = static_cast<int>(e % QK4_0);
        const uint8_t* qs = b + offsetof(BlockQ4_0, qs);
        const int q = j < 16 ? (qs[j] & 0x0F) : (qs[j - 16] >> 4);
        return (q - 8) * half_at(b);
    } else if constexpr (T == DType::Q4_1) {
        const uint8_t* b = row + (e / QK4_1) * sizeof(BlockQ4_1);
        const int j = static_cast<int>(e % QK4_1);
        const uint8_t* qs = b + offsetof(BlockQ4_1, qs);
        const int q = j < 16 ? (qs[j] & 0x0F) : (qs[j - 16] >> 4);
        return q * half_at(b) + half_at(b + offsetof(BlockQ4_1, m));
    } else if constexpr (T == DType::Q5_0) {
        const uint8_t* b = row + (e / QK5_0) * sizeof(BlockQ5_0);
        const int q = q5_value(b + offsetof(BlockQ5_0, qs), u32_at(b + offsetof(BlockQ5_0, qh)),
                               static_cast<int>(e % QK5_0));
        return (q - 16) * half_at(b);
    } else if constexpr (T == DType::Q5_1) {
        const uint8_t* b = row + (e / QK5_1) * sizeof(BlockQ5_1);
        const int q = q5_value(b + offsetof(BlockQ5_1, qs), u32_at(b + offsetof(BlockQ5_1, qh)),
                               static_cast<int>(e % QK5_1));
        return q * half_at(b) + half_at(b + offsetof(BlockQ5_1, m));
    } else if constexpr (T == DType::Q8_0) {
        const uint8_t* b = row + (e / QK8_0) * sizeof(BlockQ8_0);
        const auto q = static_cast<int8_t>(b[offsetof(BlockQ8_0, qs) + e % QK8_0]);
        return q * half_at(b);
    } else if constexpr (T == DType::Q2_K) {
        const uint8_t* b = row + (e / QK_K) * sizeof(BlockQ2_K);
        const int j = static_cast<int>(e % QK_K);
        const uint8_t sc = b[offsetof(BlockQ2_K, scales) + j / 16];
        const float dl = half_at(b + offsetof(BlockQ2_K, d)) * (sc & 0xF);
        const float ml = half_at(b + offsetof(BlockQ2_K, dmin)) * (sc >> 4);
        return dl * k_quant2(b + offsetof(BlockQ2_K, qs), j) - ml;
    } else if constexpr (T == DType::Q3_K) {
        const uint8_t* b = row + (e / QK_K) * sizeof(BlockQ3_K);
        const int j = static_cast<int>(e % QK_K);
        const float dl = half_at(b + offsetof(BlockQ3_K, d)) *
                         q3k_scale(b + offsetof(BlockQ3_K, scales), j / 16);
        return dl * q3k_value(b + offsetof(BlockQ3_K, qs), b + offsetof(BlockQ3_K, hmask), j);
    } else if constexpr (T == DType::Q4_K || T == DType::Q5_K) {
        using Block = std::conditional_t<T == DType::Q4_K, BlockQ4_K, BlockQ5_K>;
        const uint8_t* b = row + (e / QK_K) * sizeof(Block);
        const int j = static_cast<int>(e % QK_K);
        uint8_t sc, m;
        k4_scale_min(j / 32, b + offsetof(Block, scales), sc, m);
        int q;
        if constexpr (T == DType::Q4_K)
            q = q4k_value(b + offsetof(Block, qs), j);
        else
            q = q5k_value(b + offsetof(Block, qs), b + offsetof(BlockQ5_K, qh), j);
        return half_at(b + offsetof(Block, d)) * sc * q - half_at(b + offsetof(Block, dmin)) * m;
    } else {
        static_assert(T == DType::Q6_K);
        const uint8_t* b = row + (e / QK_K) * sizeof(BlockQ6_K);
        const int j = static_cast<int>(e % QK_K);
        const auto sc = static_cast<int8_t>(b[offsetof(BlockQ6_K, scales) + j / 16]);
        return half_at(b + offsetof(BlockQ6_K, d)) * sc *
               q6k_value(b + offsetof(BlockQ6_K, ql), b + offsetof(BlockQ6_K, qh), j);
    }
}

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

template <DType T>
void launch_type(const void* w, int64_t rows, int64_t cols, const float* x, float* y) {
    const auto blocks = static_cast<unsigned>((rows + kWarpsPerBlock - 1) / kWarpsPerBlock);
    matvec_kernel<T><<<blocks, kWarpsPerBlock * 32>>>(static_cast<const uint8_t*>(w),
                                                      row_bytes(T, cols), rows, cols, x, y);
    check(cudaGetLastError(), "launching matvec");
}

using Launcher = void (*)(const void*, int64_t, int64_t, const float*, float*);

// The one list of the types the kernel is instantiated for.
Launcher launcher(DType t) {
    switch (t) {
        case DType::F32:
            return launch_type<DType::F32>;
        case DType::F16:
            return launch_type<DType::F16>;
        case DType::BF16:
            return launch_type<DType::BF16>;
        case DType::Q4_0:
            return launch_type<DType::Q4_0>;
        case DType::Q4_1:
            return launch_type<DType::Q4_1>;
        case DType::Q5_0:
            return launch_type<DType::Q5_0>;
        case DType::Q5_1:
            return launch_type<DType::Q5_1>;
        case DType::Q8_0:
            return launch_type<DType::Q8_0>;
        case DType::Q2_K:
            return launch_type<DType::Q2_K>;
        case DType::Q3_K:
            return launch_type<DType::Q3_K>;
        case DType::Q4_K:
            return launch_type<DType::Q4_K>;
        case DType::Q5_K:
            return launch_type<DType::Q5_K>;
        case DType::Q6_K:
            return launch_type<DType::Q6_K>;
        default:
            return nullptr;
    }
}

}  // namespace

bool matvec_supports(DType t) {
    return launcher(t) != nullptr;
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
    launcher(t)(w.data(), rows, cols, static_cast<const float*>(x.data()),
                static_cast<float*>(y.data()));
    check(cudaDeviceSynchronize(), "running matvec");
}

void launch::matvec(DType t, const void* w, int64_t rows, int64_t cols, const float* x, float* y) {
    const Launcher l = launcher(t);
    if (!l)
        throw Error("CUDA matvec: weights of type " + std::string(dtype_name(t)) +
                    " are not supported");
    l(w, rows, cols, x, y);
}

}  // namespace flash::cuda
