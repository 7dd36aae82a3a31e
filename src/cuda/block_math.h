// Private to src/cuda: a weight row read as the CPU's scalar reference dequantizes it, in code
// that compiles for the device (the kernels) and for the host alike, so that
// tests/cuda_host/block_math_test.cpp holds it against kernels::ref::dequantize_row in every
// build, with or without a GPU. Two readings: weight<T>(row, e), one element (the reference
// kernels and the prompt's GEMM); lane_weights<T>(row, u, lane, cols, runs), a lane's 8 weights
// of a 256-weight unit, the warp's lanes reading neighbouring quant words (decode's matvec,
// which then takes runs_dot against each token's x). And the one list of the weight types the
// kernels are instantiated for (dispatch_type).
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

// The types lane_weights reads (not F32, F16, BF16: float rows take the Elements kernel).
FLASH_HOST_DEVICE constexpr bool quantized_type(DType t) {
    return t != DType::F32 && t != DType::F16 && t != DType::BF16;
}

// A lane's 8 weights of a unit: two runs of 4 consecutive elements of the row, at[0] and at[1],
// dequantized as the scalar reference does.
struct LaneRuns {
    int64_t at[2];
    float w[2][4];
};

// The weights lane `lane` takes of unit u of a row of type T (quantized types only: float rows
// take the Elements kernel); false when the unit has none for it (past the end of a row of
// 32-element blocks). The 32 lanes of a warp read neighbouring words of the unit's quants and,
// through their runs, neighbouring 16-byte pieces of x, so a warp's loads are coalesced; each
// lane decodes its scales once.
template <DType T>
FLASH_HOST_DEVICE bool lane_weights(const uint8_t* row, int64_t u, int lane, int64_t cols,
                                    LaneRuns& out) {
    if constexpr (T == DType::Q4_0 || T == DType::Q4_1 || T == DType::Q5_0 || T == DType::Q5_1 ||
                  T == DType::Q8_0) {
        // Eight 32-element blocks, four lanes each: lane j = lane % 4 of block b takes elements
        // 4j..4j+3 (low nibbles of its quant bytes 4j..4j+3) and 16+4j.. (high nibbles), or
        // 8j..8j+7 for Q8_0.
        const int64_t b = 8 * u + lane / 4;
        if (32 * b >= cols) return false;
        const int j = lane % 4;
        if constexpr (T == DType::Q8_0) {
            const uint8_t* blk = row + b * sizeof(BlockQ8_0);
            const uint8_t* qs = blk + offsetof(BlockQ8_0, qs) + 8 * j;
            const float d = half_at(blk);
            for (int r = 0; r < 2; ++r) {
                const uint32_t word = u32_at_even(qs + 4 * r);
                out.at[r] = 32 * b + 8 * j + 4 * r;
                for (int k = 0; k < 4; ++k) out.w[r][k] = static_cast<int8_t>(byte_of(word, k)) * d;
            }
        } else {
            using Block = std::conditional_t<
                T == DType::Q4_0, BlockQ4_0,
                std::conditional_t<T == DType::Q4_1, BlockQ4_1,
                                   std::conditional_t<T == DType::Q5_0, BlockQ5_0, BlockQ5_1>>>;
            const uint8_t* blk = row + b * sizeof(Block);
            const uint32_t qs = u32_at_even(blk + offsetof(Block, qs) + 4 * j);
            const float d = half_at(blk);
            out.at[0] = 32 * b + 4 * j;
            out.at[1] = 32 * b + 16 + 4 * j;
            for (int k = 0; k < 4; ++k) {
                const int e = 4 * j + k;  // this byte's low nibble; e + 16 its high one
                int q[2] = {byte_of(qs, k) & 0xF, byte_of(qs, k) >> 4};
                if constexpr (T == DType::Q5_0 || T == DType::Q5_1) {
                    const uint32_t qh = u32_at_even(blk + offsetof(Block, qh));
                    q[0] |= static_cast<int>((qh >> e) & 1u) << 4;
                    q[1] |= static_cast<int>((qh >> (e + 16)) & 1u) << 4;
                }
                for (int r = 0; r < 2; ++r) {
                    if constexpr (T == DType::Q4_0)
                        out.w[r][k] = (q[r] - 8) * d;
                    else if constexpr (T == DType::Q5_0)
                        out.w[r][k] = (q[r] - 16) * d;
                    else
                        out.w[r][k] = q[r] * d + half_at(blk + offsetof(Block, m));
                }
            }
        }
        return true;
    } else if constexpr (T == DType::Q2_K || T == DType::Q3_K) {
        // Lane l: quant bytes li..li+3 (li = 4 (l % 8)) of half h = l / 16, fields j = 2 jp and
        // 2 jp + 1 (jp = l / 8 % 2): elements 128h + 32j + li + k, scale 8h + 2j + li / 16.
        using Block = std::conditional_t<T == DType::Q2_K, BlockQ2_K, BlockQ3_K>;
        const uint8_t* blk = row + u * sizeof(Block);
        const int h = lane / 16, jp = lane / 8 % 2, li = 4 * (lane % 8);
        const uint32_t qs = u32_at_even(blk + offsetof(Block, qs) + 32 * h + li);
        for (int r = 0; r < 2; ++r) {
            const int j = 2 * jp + r, scale = 8 * h + 2 * j + li / 16;
            out.at[r] = kUnitElems * u + 128 * h + 32 * j + li;
            if constexpr (T == DType::Q2_K) {
                const int sc = blk[offsetof(BlockQ2_K, scales) + scale];
                const float dl = half_at(blk + offsetof(BlockQ2_K, d)) * (sc & 0xF);
                const float ml = half_at(blk + offsetof(BlockQ2_K, dmin)) * (sc >> 4);
                for (int k = 0; k < 4; ++k)
                    out.w[r][k] = dl * ((byte_of(qs, k) >> (2 * j)) & 3) - ml;
            } else {
                // hmask[e % 32] holds bit e / 32 = 4h + j of element e.
                const uint32_t hmask = u32_at_even(blk + offsetof(BlockQ3_K, hmask) + li);
                const float dl = half_at(blk + offsetof(BlockQ3_K, d)) *
                                 q3k_scale(blk + offsetof(BlockQ3_K, scales), scale);
                for (int k = 0; k < 4; ++k) {
                    const int high = (byte_of(hmask, k) >> (4 * h + j)) & 1;
                    out.w[r][k] = dl * (((byte_of(qs, k) >> (2 * j)) & 3) - (high ? 0 : 4));
                }
            }
        }
        return true;
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
        const float d = half_at(blk + offsetof(Block, d)),
                    dmin = half_at(blk + offsetof(Block, dmin));
        for (int r = 0; r < 2; ++r) {
            uint8_t sc, m;
            k4_scale_min(2 * p + r, blk + offsetof(Block, scales), sc, m);
            out.at[r] = kUnitElems * u + 64 * p + 32 * r + o;
            for (int k = 0; k < 4; ++k) {
                int q = (byte_of(qs, k) >> (4 * r)) & 0xF;
                if constexpr (T == DType::Q5_K) q += ((byte_of(qh, k) >> (2 * p + r)) & 1) << 4;
                out.w[r][k] = d * sc * q - dmin * m;
            }
        }
        return true;
    } else {
        static_assert(T == DType::Q6_K);
        // Lane l: ql bytes 4l..4l+3, in half h = l / 16 at o = 4l % 64: run g1 = o / 32 (0, 1)
        // and li = o % 32. Their low nibbles are group g1 (elements 128h + 32 g1 + li + k), their
        // high ones group g1 + 2; the top two bits of each come from qh[32h + li + k], bits 2g;
        // an int8 scale per 16 elements.
        const uint8_t* blk = row + u * sizeof(BlockQ6_K);
        const int h = lane / 16, o = (4 * lane) % 64, g1 = o / 32, li = o % 32;
        const uint32_t ql = u32_at_even(blk + offsetof(BlockQ6_K, ql) + 4 * lane);
        const uint32_t qh = u32_at_even(blk + offsetof(BlockQ6_K, qh) + 32 * h + li);
        const float d = half_at(blk + offsetof(BlockQ6_K, d));
        for (int r = 0; r < 2; ++r) {
            const int g = g1 + 2 * r;
            const auto sc =
                static_cast<int8_t>(blk[offsetof(BlockQ6_K, scales) + 8 * h + 2 * g + li / 16]);
            out.at[r] = kUnitElems * u + 128 * h + 32 * g + li;
            for (int k = 0; k < 4; ++k) {
                const int q = (((byte_of(ql, k) >> (4 * r)) & 0xF) |
                               (((byte_of(qh, k) >> (2 * g)) & 3) << 4)) -
                              32;
                out.w[r][k] = d * sc * q;
            }
        }
        return true;
    }
}

// The lane's 8 weights against x (a row of cols floats).
FLASH_HOST_DEVICE inline float runs_dot(const LaneRuns& runs, const float* x) {
    float sum = 0.0f;
    for (int r = 0; r < 2; ++r) {
        float xv[4];
        load4(x + runs.at[r], xv);
        for (int k = 0; k < 4; ++k) sum += runs.w[r][k] * xv[k];
    }
    return sum;
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
