// Private to src/cuda: a weight row's elements read on the device as the CPU's scalar reference
// dequantizes them (the per-element accessors of kernels/k_scales.h), and the one list of the
// weight types the kernels are instantiated for.
#pragma once

#include <cuda_fp16.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "core/dtype.h"
#include "kernels/k_scales.h"

namespace flash::cuda {

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

// Calls f(std::integral_constant<DType, t>{}) for a type the kernels read; false for another.
template <class F>
bool dispatch_type(DType t, F&& f) {
    switch (t) {
#define FLASH_CUDA_TYPE(T)                            \
    case DType::T:                                    \
        f(std::integral_constant<DType, DType::T>{}); \
        return true;
        FLASH_CUDA_TYPE(F32)
        FLASH_CUDA_TYPE(F16)
        FLASH_CUDA_TYPE(BF16)
        FLASH_CUDA_TYPE(Q4_0)
        FLASH_CUDA_TYPE(Q4_1)
        FLASH_CUDA_TYPE(Q5_0)
        FLASH_CUDA_TYPE(Q5_1)
        FLASH_CUDA_TYPE(Q8_0)
        FLASH_CUDA_TYPE(Q2_K)
        FLASH_CUDA_TYPE(Q3_K)
        FLASH_CUDA_TYPE(Q4_K)
        FLASH_CUDA_TYPE(Q5_K)
        FLASH_CUDA_TYPE(Q6_K)
#undef FLASH_CUDA_TYPE
        default:
            return false;
    }
}

}  // namespace flash::cuda
