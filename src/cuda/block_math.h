// Private to src/cuda: a weight row read as the CPU's scalar reference dequantizes it, in code
// that compiles for the device (the kernels) and for the host alike, so that
// tests/cuda_host/block_math_test.cpp holds it against kernels::ref::dequantize_row in every
// build, with or without a GPU. Two readings: weight<T>(row, e), one element (the reference
// kernels and the prompt's GEMM); dot32<T>(row, s, x), elements 32s..32s+31 against x, each
// scale decoded once and the quants fetched four bytes at a time (decode's matvec). And the one
// list of the weight types the kernels are instantiated for (dispatch_type).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "core/dtype.h"
#include "core/fp16.h"
#include "kernels/k_scales.h"  // FLASH_HOST_DEVICE and the per-element accessors

#ifdef __CUDACC__
#include <cuda_fp16.h>
#endif

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
FLASH_HOST_DEVICE inline uint16_t u16_at(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
FLASH_HOST_DEVICE inline uint32_t u32_at(const uint8_t* p) {
    return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
// Four bytes at an even address, in two 16-bit loads on the device: every block of every type
// is an even number of bytes and device buffers start 256-aligned, so every field is 2-aligned.
FLASH_HOST_DEVICE inline uint32_t u32_at_even(const uint8_t* p) {
#ifdef __CUDA_ARCH__
    const auto* h = reinterpret_cast<const uint16_t*>(p);
    return h[0] | (static_cast<uint32_t>(h[1]) << 16);
#else
    return u32_at(p);
#endif
}
FLASH_HOST_DEVICE inline float half_to_float(uint16_t h) {
#ifdef __CUDA_ARCH__
    return __half2float(__ushort_as_half(h));
#else
    return fp16_to_f32(h);
#endif
}
FLASH_HOST_DEVICE inline float half_at(const uint8_t* p) {
    return half_to_float(u16_at(p));
}
FLASH_HOST_DEVICE inline float float_of_bits(uint32_t bits) {
#ifdef __CUDA_ARCH__
    return __uint_as_float(bits);
#else
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
#endif
}

// Weight e of one row of type T, as the scalar reference dequantizes it.
template <DType T>
FLASH_HOST_DEVICE float weight(const uint8_t* row, int64_t e) {
    if constexpr (T == DType::F32) {
        return float_of_bits(u32_at(row + 4 * e));
    } else if constexpr (T == DType::F16) {
        return half_at(row + 2 * e);
    } else if constexpr (T == DType::BF16) {
        return float_of_bits(static_cast<uint32_t>(u16_at(row + 2 * e)) << 16);
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

// N little-endian words from an even address, kept in registers on the device (every loop below
// has a constant trip count, which nvcc unrolls, so the indices become constants); byte i.
template <int N>
struct Words {
    uint32_t w[N];
    FLASH_HOST_DEVICE explicit Words(const uint8_t* p) {
        for (int i = 0; i < N; ++i) w[i] = u32_at_even(p + 4 * i);
    }
    FLASH_HOST_DEVICE int byte(int i) const { return (w[i / 4] >> (8 * (i % 4))) & 0xFF; }
};

// sum(q[l] * x[l]) and sum(x[l]): the parts of a group's dot that a scale and a minimum multiply.
struct Sums {
    float qx = 0.0f, x = 0.0f;
};

// Elements 32s..32s+31 of a row of type T against x[32s..32s+31] (x is the whole vector): one
// block of the 32-element types, one 32-element group of a K-quant super-block (s % 8 of block
// s / 8), or 32 plain floats. Summed in f32 in its own order, so it equals the reference dot to
// a few ulps of the products' magnitude, not bit for bit.
template <DType T>
FLASH_HOST_DEVICE float dot32(const uint8_t* row, int64_t s, const float* x) {
    x += 32 * s;
    if constexpr (T == DType::F32 || T == DType::F16 || T == DType::BF16) {
        float sum = 0.0f;
        for (int l = 0; l < 32; ++l) sum += weight<T>(row, 32 * s + l) * x[l];
        return sum;
    } else if constexpr (T == DType::Q4_0 || T == DType::Q4_1) {
        using Block = std::conditional_t<T == DType::Q4_0, BlockQ4_0, BlockQ4_1>;
        const uint8_t* b = row + s * sizeof(Block);
        const Words<4> qs(b + offsetof(Block, qs));
        // Q4_0's offset is taken from each quant, not from the sum: no cancellation.
        constexpr int offset = T == DType::Q4_0 ? 8 : 0;
        Sums sums;
        for (int l = 0; l < 16; ++l) {
            sums.qx +=
                ((qs.byte(l) & 0xF) - offset) * x[l] + ((qs.byte(l) >> 4) - offset) * x[l + 16];
            if constexpr (T == DType::Q4_1) sums.x += x[l] + x[l + 16];
        }
        if constexpr (T == DType::Q4_0)
            return half_at(b) * sums.qx;
        else
            return half_at(b) * sums.qx + half_at(b + offsetof(BlockQ4_1, m)) * sums.x;
    } else if constexpr (T == DType::Q5_0 || T == DType::Q5_1) {
        using Block = std::conditional_t<T == DType::Q5_0, BlockQ5_0, BlockQ5_1>;
        const uint8_t* b = row + s * sizeof(Block);
        const uint32_t qh = u32_at_even(b + offsetof(Block, qh));
        const Words<4> qs(b + offsetof(Block, qs));
        constexpr int offset = T == DType::Q5_0 ? 16 : 0;
        Sums sums;
        for (int l = 0; l < 16; ++l) {
            const int lo = (qs.byte(l) & 0xF) | static_cast<int>(((qh >> l) & 1u) << 4);
            const int hi = (qs.byte(l) >> 4) | static_cast<int>(((qh >> (l + 16)) & 1u) << 4);
            sums.qx += (lo - offset) * x[l] + (hi - offset) * x[l + 16];
            if constexpr (T == DType::Q5_1) sums.x += x[l] + x[l + 16];
        }
        if constexpr (T == DType::Q5_0)
            return half_at(b) * sums.qx;
        else
            return half_at(b) * sums.qx + half_at(b + offsetof(BlockQ5_1, m)) * sums.x;
    } else if constexpr (T == DType::Q8_0) {
        const uint8_t* b = row + s * sizeof(BlockQ8_0);
        const Words<8> qs(b + offsetof(BlockQ8_0, qs));
        float sum = 0.0f;
        for (int l = 0; l < 32; ++l) sum += static_cast<int8_t>(qs.byte(l)) * x[l];
        return half_at(b) * sum;
    } else if constexpr (T == DType::Q2_K) {
        // Group g of the super-block: 2-bit field g % 4 of the 32 bytes of its 128-element half;
        // a (scale, min) nibble pair per 16 elements.
        const uint8_t* b = row + (s / 8) * sizeof(BlockQ2_K);
        const int g = static_cast<int>(s % 8), shift = 2 * (g % 4);
        const Words<8> qs(b + offsetof(BlockQ2_K, qs) + 32 * (g / 4));
        const float d = half_at(b + offsetof(BlockQ2_K, d));
        const float dmin = half_at(b + offsetof(BlockQ2_K, dmin));
        float sum = 0.0f;
        for (int h = 0; h < 2; ++h) {
            Sums sums;
            for (int l = 16 * h; l < 16 * h + 16; ++l) {
                sums.qx += ((qs.byte(l) >> shift) & 3) * x[l];
                sums.x += x[l];
            }
            const int sc = b[offsetof(BlockQ2_K, scales) + 2 * g + h];
            sum += d * (sc & 0xF) * sums.qx - dmin * (sc >> 4) * sums.x;
        }
        return sum;
    } else if constexpr (T == DType::Q3_K) {
        // As Q2_K's fields, minus 4 where bit g of hmask[l] is clear; a 6-bit scale per 16.
        const uint8_t* b = row + (s / 8) * sizeof(BlockQ3_K);
        const int g = static_cast<int>(s % 8), shift = 2 * (g % 4);
        const Words<8> qs(b + offsetof(BlockQ3_K, qs) + 32 * (g / 4));
        const Words<8> hmask(b + offsetof(BlockQ3_K, hmask));
        float sum = 0.0f;
        for (int h = 0; h < 2; ++h) {
            float qx = 0.0f;
            for (int l = 16 * h; l < 16 * h + 16; ++l) {
                const int q = ((qs.byte(l) >> shift) & 3) - (((hmask.byte(l) >> g) & 1) ? 0 : 4);
                qx += q * x[l];
            }
            sum += static_cast<float>(q3k_scale(b + offsetof(BlockQ3_K, scales), 2 * g + h)) * qx;
        }
        return half_at(b + offsetof(BlockQ3_K, d)) * sum;
    } else if constexpr (T == DType::Q4_K || T == DType::Q5_K) {
        // Group g: the low (g even) or high nibbles of the 32 bytes of its 64-element pair; Q5_K
        // adds 16 where bit g of qh[l] is set. One (scale, min) pair per group.
        using Block = std::conditional_t<T == DType::Q4_K, BlockQ4_K, BlockQ5_K>;
        const uint8_t* b = row + (s / 8) * sizeof(Block);
        const int g = static_cast<int>(s % 8), shift = 4 * (g % 2);
        const Words<8> qs(b + offsetof(Block, qs) + 32 * (g / 2));
        Sums sums;
        if constexpr (T == DType::Q4_K) {
            for (int l = 0; l < 32; ++l) {
                sums.qx += ((qs.byte(l) >> shift) & 0xF) * x[l];
                sums.x += x[l];
            }
        } else {
            const Words<8> qh(b + offsetof(BlockQ5_K, qh));
            for (int l = 0; l < 32; ++l) {
                const int q = ((qs.byte(l) >> shift) & 0xF) | (((qh.byte(l) >> g) & 1) << 4);
                sums.qx += q * x[l];
                sums.x += x[l];
            }
        }
        uint8_t sc, m;
        k4_scale_min(g, b + offsetof(Block, scales), sc, m);
        return half_at(b + offsetof(Block, d)) * sc * sums.qx -
               half_at(b + offsetof(Block, dmin)) * m * sums.x;
    } else {
        static_assert(T == DType::Q6_K);
        // Group g of the super-block: in its 128-element half (g / 4), the low (g % 4 < 2) or
        // high nibbles of 32 bytes of ql and bit pair g % 4 of the half's 32 bytes of qh; an
        // int8 scale per 16 elements.
        const uint8_t* b = row + (s / 8) * sizeof(BlockQ6_K);
        const int g = static_cast<int>(s % 8), half = g / 4, quarter = g % 4;
        const Words<8> ql(b + offsetof(BlockQ6_K, ql) + 64 * half + 32 * (quarter & 1));
        const Words<8> qh(b + offsetof(BlockQ6_K, qh) + 32 * half);
        const int lo_shift = quarter < 2 ? 0 : 4;
        float sum = 0.0f;
        for (int h = 0; h < 2; ++h) {
            float qx = 0.0f;
            for (int l = 16 * h; l < 16 * h + 16; ++l) {
                const int q = (((ql.byte(l) >> lo_shift) & 0xF) |
                               (((qh.byte(l) >> (2 * quarter)) & 3) << 4)) -
                              32;
                qx += q * x[l];
            }
            sum += static_cast<int8_t>(b[offsetof(BlockQ6_K, scales) + 2 * g + h]) * qx;
        }
        return half_at(b + offsetof(BlockQ6_K, d)) * sum;
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
