// Private to src/cuda: a weight row read as the CPU's scalar reference dequantizes it, in code
// that compiles for the device (the kernels) and for the host alike, so that
// tests/cuda_host/block_math_test.cpp holds it against kernels::ref::dequantize_row in every
// build, with or without a GPU. Two readings: weight<T>(row, e), one element (the reference
// kernels and the prompt's GEMM); lane_dot<T>(row, u, lane, x, cols), a lane's 8 weights of a
// 256-weight unit against x, the warp's lanes reading neighbouring quant words and x runs
// (decode's matvec). And the one list of the weight types the kernels are instantiated for
// (dispatch_type).
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

// Four floats at p (16-byte aligned: x rows start at multiples of 32 floats in device buffers,
// and every offset used below is a multiple of 4), in one load on the device.
FLASH_HOST_DEVICE inline void load4(const float* p, float out[4]) {
#ifdef __CUDA_ARCH__
    const float4 v = *reinterpret_cast<const float4*>(p);
    out[0] = v.x, out[1] = v.y, out[2] = v.z, out[3] = v.w;
#else
    for (int k = 0; k < 4; ++k) out[k] = p[k];
#endif
}

// Byte k of a little-endian word.
FLASH_HOST_DEVICE inline int byte_of(uint32_t word, int k) {
    return static_cast<int>((word >> (8 * k)) & 0xFF);
}

// The matvec's unit of work for a warp: 256 weights of a row, a K-quant super-block or eight
// 32-element blocks (the last unit of a row of those may hold fewer).
inline constexpr int64_t kUnitElems = 256;
FLASH_HOST_DEVICE constexpr int64_t matvec_units(int64_t cols) {
    return (cols + kUnitElems - 1) / kUnitElems;
}

// Lane `lane`'s part of unit u of a row of type T (8 of its 256 weights) against x (the whole
// vector): the 32 lanes of a warp read neighbouring words of the unit's quants and neighbouring
// runs of x, so a warp's loads are coalesced; each lane decodes its scales once. Summed over
// the 32 lanes, the unit's dot product, in f32 in its own order: it equals the reference dot to a
// few ulps of the products' magnitude, not bit for bit. Quantized types only (not F32, F16,
// BF16); cols: the row's length.
template <DType T>
FLASH_HOST_DEVICE float lane_dot(const uint8_t* row, int64_t u, int lane, const float* x,
                                 int64_t cols) {
    if constexpr (T == DType::Q4_0 || T == DType::Q4_1 || T == DType::Q5_0 || T == DType::Q5_1 ||
                  T == DType::Q8_0) {
        // Eight 32-element blocks, four lanes each: lane j = lane % 4 of block b takes elements
        // 4j..4j+3 and 16+4j..16+4j+3 (its quant bytes 4j..4j+3), or 8j..8j+7 for Q8_0.
        const int64_t b = 8 * u + lane / 4;
        if (32 * b >= cols) return 0.0f;
        const int j = lane % 4;
        const float* xb = x + 32 * b;
        if constexpr (T == DType::Q8_0) {
            const uint8_t* blk = row + b * sizeof(BlockQ8_0);
            const uint8_t* qs = blk + offsetof(BlockQ8_0, qs) + 8 * j;
            const uint32_t w[2] = {u32_at_even(qs), u32_at_even(qs + 4)};
            float xv[8];
            load4(xb + 8 * j, xv);
            load4(xb + 8 * j + 4, xv + 4);
            float sum = 0.0f;
            for (int k = 0; k < 8; ++k)
                sum += static_cast<int8_t>(byte_of(w[k / 4], k % 4)) * xv[k];
            return half_at(blk) * sum;
        } else {
            using Block = std::conditional_t<
                T == DType::Q4_0, BlockQ4_0,
                std::conditional_t<T == DType::Q4_1, BlockQ4_1,
                                   std::conditional_t<T == DType::Q5_0, BlockQ5_0, BlockQ5_1>>>;
            constexpr bool five = T == DType::Q5_0 || T == DType::Q5_1;
            constexpr bool minimum = T == DType::Q4_1 || T == DType::Q5_1;
            constexpr int offset = T == DType::Q4_0 ? 8 : T == DType::Q5_0 ? 16 : 0;
            const uint8_t* blk = row + b * sizeof(Block);
            const uint32_t qs = u32_at_even(blk + offsetof(Block, qs) + 4 * j);
            uint32_t qh = 0;
            if constexpr (five) qh = u32_at_even(blk + offsetof(Block, qh));
            float lo[4], hi[4];
            load4(xb + 4 * j, lo);
            load4(xb + 16 + 4 * j, hi);
            float qx = 0.0f, xs = 0.0f;
            for (int k = 0; k < 4; ++k) {
                const int e = 4 * j + k;  // this byte's low nibble; e + 16 its high one
                int q_lo = byte_of(qs, k) & 0xF, q_hi = byte_of(qs, k) >> 4;
                if constexpr (five) {
                    q_lo |= static_cast<int>((qh >> e) & 1u) << 4;
                    q_hi |= static_cast<int>((qh >> (e + 16)) & 1u) << 4;
                }
                qx += (q_lo - offset) * lo[k] + (q_hi - offset) * hi[k];
                if constexpr (minimum) xs += lo[k] + hi[k];
            }
            if constexpr (minimum)
                return half_at(blk) * qx + half_at(blk + 2) * xs;
            else
                return half_at(blk) * qx;
        }
    } else if constexpr (T == DType::Q2_K || T == DType::Q3_K) {
        // Lane l: bytes li, li + 1 (li = 2 (l % 16)) of the 32 quant bytes of half l / 16; their
        // 2-bit fields j = 0..3 are elements 128 half + 32 j + li (+1), scale 8 half + 2 j + li/16.
        using Block = std::conditional_t<T == DType::Q2_K, BlockQ2_K, BlockQ3_K>;
        const uint8_t* blk = row + u * sizeof(Block);
        const int half = lane / 16, li = 2 * (lane % 16);
        const uint16_t qs = u16_at(blk + offsetof(Block, qs) + 32 * half + li);
        const float* xh = x + kUnitElems * u + 128 * half + li;
        float sum = 0.0f;
        for (int j = 0; j < 4; ++j) {
            const float x0 = xh[32 * j], x1 = xh[32 * j + 1];
            const int q0 = (qs >> (2 * j)) & 3, q1 = (qs >> (8 + 2 * j)) & 3;
            const int scale = 8 * half + 2 * j + li / 16;
            if constexpr (T == DType::Q2_K) {
                const int sc = blk[offsetof(BlockQ2_K, scales) + scale];
                sum += half_at(blk + offsetof(BlockQ2_K, d)) * (sc & 0xF) * (q0 * x0 + q1 * x1) -
                       half_at(blk + offsetof(BlockQ2_K, dmin)) * (sc >> 4) * (x0 + x1);
            } else {
                const uint16_t hmask = u16_at(blk + offsetof(BlockQ3_K, hmask) + li);
                const int bit = 4 * half + j;  // hmask[e % 32] holds bit e / 32
                const int v0 = q0 - (((hmask >> bit) & 1) ? 0 : 4);
                const int v1 = q1 - (((hmask >> (8 + bit)) & 1) ? 0 : 4);
                sum += static_cast<float>(q3k_scale(blk + offsetof(BlockQ3_K, scales), scale)) *
                       (v0 * x0 + v1 * x1);
            }
        }
        if constexpr (T == DType::Q3_K)
            return half_at(blk + offsetof(BlockQ3_K, d)) * sum;
        else
            return sum;
    } else if constexpr (T == DType::Q4_K || T == DType::Q5_K) {
        // Lane l: quant bytes 4l..4l+3, bytes o..o+3 (o = 4 (l % 8)) of pair p = l / 8, whose low
        // nibbles are elements 64p + o + k (group 2p) and high ones 64p + 32 + o + k (group 2p+1);
        // Q5_K's fifth bits are bits 2p and 2p + 1 of qh[o + k].
        using Block = std::conditional_t<T == DType::Q4_K, BlockQ4_K, BlockQ5_K>;
        const uint8_t* blk = row + u * sizeof(Block);
        const int p = lane / 8, o = 4 * (lane % 8);
        const uint32_t qs = u32_at_even(blk + offsetof(Block, qs) + 4 * lane);
        uint32_t qh = 0;
        if constexpr (T == DType::Q5_K) qh = u32_at_even(blk + offsetof(BlockQ5_K, qh) + o);
        float lo[4], hi[4];
        load4(x + kUnitElems * u + 64 * p + o, lo);
        load4(x + kUnitElems * u + 64 * p + 32 + o, hi);
        float qx_lo = 0.0f, qx_hi = 0.0f, x_lo = 0.0f, x_hi = 0.0f;
        for (int k = 0; k < 4; ++k) {
            int q_lo = byte_of(qs, k) & 0xF, q_hi = byte_of(qs, k) >> 4;
            if constexpr (T == DType::Q5_K) {
                q_lo += ((byte_of(qh, k) >> (2 * p)) & 1) << 4;
                q_hi += ((byte_of(qh, k) >> (2 * p + 1)) & 1) << 4;
            }
            qx_lo += q_lo * lo[k];
            qx_hi += q_hi * hi[k];
            x_lo += lo[k];
            x_hi += hi[k];
        }
        uint8_t sc_lo, m_lo, sc_hi, m_hi;
        k4_scale_min(2 * p, blk + offsetof(Block, scales), sc_lo, m_lo);
        k4_scale_min(2 * p + 1, blk + offsetof(Block, scales), sc_hi, m_hi);
        return half_at(blk + offsetof(Block, d)) * (sc_lo * qx_lo + sc_hi * qx_hi) -
               half_at(blk + offsetof(Block, dmin)) * (m_lo * x_lo + m_hi * x_hi);
    } else {
        static_assert(T == DType::Q6_K);
        // Lane l: ql bytes 4l..4l+3, in half h = l / 16 at o = 4l % 64: run g1 = o / 32 (0, 1)
        // and li = o % 32. Their low nibbles are group g1 (elements 128h + 32 g1 + li + k), their
        // high ones group g1 + 2; the top two bits of each come from qh[32h + li + k], bits 2g.
        const uint8_t* blk = row + u * sizeof(BlockQ6_K);
        const int h = lane / 16, o = (4 * lane) % 64, g1 = o / 32, li = o % 32;
        const uint32_t ql = u32_at_even(blk + offsetof(BlockQ6_K, ql) + 4 * lane);
        const uint32_t qh = u32_at_even(blk + offsetof(BlockQ6_K, qh) + 32 * h + li);
        float lo[4], hi[4];
        load4(x + kUnitElems * u + 128 * h + 32 * g1 + li, lo);
        load4(x + kUnitElems * u + 128 * h + 32 * (g1 + 2) + li, hi);
        float qx_lo = 0.0f, qx_hi = 0.0f;
        for (int k = 0; k < 4; ++k) {
            const int top = byte_of(qh, k);
            const int q_lo = ((byte_of(ql, k) & 0xF) | (((top >> (2 * g1)) & 3) << 4)) - 32;
            const int q_hi = ((byte_of(ql, k) >> 4) | (((top >> (2 * (g1 + 2))) & 3) << 4)) - 32;
            qx_lo += q_lo * lo[k];
            qx_hi += q_hi * hi[k];
        }
        const auto* scales = reinterpret_cast<const int8_t*>(blk + offsetof(BlockQ6_K, scales));
        const int s_lo = scales[8 * h + 2 * g1 + li / 16];
        const int s_hi = scales[8 * h + 2 * (g1 + 2) + li / 16];
        return half_at(blk + offsetof(BlockQ6_K, d)) * (s_lo * qx_lo + s_hi * qx_hi);
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
