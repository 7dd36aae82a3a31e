// The NEON dot products of quantized weight rows with quantized activation rows, written once
// over the int8 multiply-accumulate `Dot` (acc + four-byte-group sums of a * b per int32 lane):
// vec_dot_neon.cpp instantiates them with widening multiplies (every AArch64 CPU),
// vec_dot_dotprod.cpp with sdot (built with +dotprod, run only where the CPU has it). The
// integer sums are exact, so both give the scalar reference's per-block integers; only the
// order of the float additions differs (as in the AVX2 versions).
#pragma once

#include <arm_neon.h>

#include <cstdint>
#include <type_traits>

#include "core/dtype.h"
#include "kernels/k_scales.h"
#include "kernels/neon_common.h"

namespace flash::kernels::neon {

template <class Dot>
inline int32_t block_sum(Dot dot, int8x16_t a0, int8x16_t b0, int8x16_t a1, int8x16_t b1) {
    return vaddvq_s32(dot(dot(vdupq_n_s32(0), a0, b0), a1, b1));
}

// Q4_0, Q5_0, Q8_0 against Q8_0 activations: one scale per block.
template <class Block, class Dot>
float dot_scaled32(Dot dot, int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const Block*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / 32; ++i) {
        int8x16_t v[2];
        block_values(x[i], v);
        const int32_t sumi = block_sum(dot, v[0], vld1q_s8(y[i].qs), v[1], vld1q_s8(y[i].qs + 16));
        sum += static_cast<float>(sumi) * (half_to_float(x[i].d) * half_to_float(y[i].d));
    }
    return sum;
}

// Q4_1, Q5_1 against Q8_1 activations: sum(m * y) is taken as m * s, with s = d_y * sum(q_y)
// stored in the Q8_1 block.
template <class Block, class Dot>
float dot_affine32(Dot dot, int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const Block*>(w);
    const auto* y = static_cast<const BlockQ8_1*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / 32; ++i) {
        int8x16_t v[2];
        block_values(x[i], v);
        const int32_t sumi = block_sum(dot, v[0], vld1q_s8(y[i].qs), v[1], vld1q_s8(y[i].qs + 16));
        sum += (half_to_float(x[i].d) * half_to_float(y[i].d)) * static_cast<float>(sumi) +
               half_to_float(x[i].m) * half_to_float(y[i].s);
    }
    return sum;
}

template <class Dot>
float dot_q4_0(Dot dot, int64_t n, const void* w, const void* a) {
    return dot_scaled32<BlockQ4_0>(dot, n, w, a);
}
template <class Dot>
float dot_q5_0(Dot dot, int64_t n, const void* w, const void* a) {
    return dot_scaled32<BlockQ5_0>(dot, n, w, a);
}
template <class Dot>
float dot_q8_0(Dot dot, int64_t n, const void* w, const void* a) {
    return dot_scaled32<BlockQ8_0>(dot, n, w, a);
}
template <class Dot>
float dot_q4_1(Dot dot, int64_t n, const void* w, const void* a) {
    return dot_affine32<BlockQ4_1>(dot, n, w, a);
}
template <class Dot>
float dot_q5_1(Dot dot, int64_t n, const void* w, const void* a) {
    return dot_affine32<BlockQ5_1>(dot, n, w, a);
}

// Q4_K and Q5_K: the integer sums s_lo, s_hi of sub-blocks 2p and 2p + 1 times their 6-bit
// scales into isum, and their minimums times the Q8_K sums into summs.
static inline void k4_accumulate(const uint8_t* scales, const int16_t* bsums, int p, int32_t s_lo,
                                 int32_t s_hi, int32_t& isum, int32_t& summs) {
    for (int half = 0; half < 2; ++half) {
        const int j = 2 * p + half;
        uint8_t sc, m;
        k4_scale_min(j, scales, sc, m);
        isum += sc * (half ? s_hi : s_lo);
        summs += m * (bsums[2 * j] + bsums[2 * j + 1]);
    }
}

// Per 64 elements, 32 weight bytes: low nibbles are sub-block 2p, high nibbles 2p + 1; each
// sub-block of 32 has a 6-bit scale and minimum, the minimum entering through the Q8_K sums.
template <class Dot>
float dot_q4_k(Dot dot, int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; ++i) {
        int32_t isum = 0, summs = 0;
        for (int p = 0; p < 4; ++p) {
            const uint8x16_t b0 = vld1q_u8(x[i].qs + 32 * p), b1 = vld1q_u8(x[i].qs + 32 * p + 16);
            const int8_t* yq = y[i].qs + 64 * p;
            const uint8x16_t mask = vdupq_n_u8(0x0F);
            const int32_t s_lo =
                block_sum(dot, vreinterpretq_s8_u8(vandq_u8(b0, mask)), vld1q_s8(yq),
                          vreinterpretq_s8_u8(vandq_u8(b1, mask)), vld1q_s8(yq + 16));
            const int32_t s_hi =
                block_sum(dot, vreinterpretq_s8_u8(vshrq_n_u8(b0, 4)), vld1q_s8(yq + 32),
                          vreinterpretq_s8_u8(vshrq_n_u8(b1, 4)), vld1q_s8(yq + 48));
            k4_accumulate(x[i].scales, y[i].bsums, p, s_lo, s_hi, isum, summs);
        }
        const float d = half_to_float(x[i].d) * y[i].d;
        const float dmin = half_to_float(x[i].dmin) * y[i].d;
        sum += d * static_cast<float>(isum) - dmin * static_cast<float>(summs);
    }
    return sum;
}

// Q5_K: Q4_K's nibbles plus 16 where bit j of qh[l] is set, for element l of sub-block j.
template <class Dot>
float dot_q5_k(Dot dot, int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; ++i) {
        const uint8x16_t h0 = vld1q_u8(x[i].qh), h1 = vld1q_u8(x[i].qh + 16);
        int32_t isum = 0, summs = 0;
        for (int p = 0; p < 4; ++p) {
            const uint8x16_t b0 = vld1q_u8(x[i].qs + 32 * p), b1 = vld1q_u8(x[i].qs + 32 * p + 16);
            const int8_t* yq = y[i].qs + 64 * p;
            const int32_t s_lo = block_sum(
                dot, vreinterpretq_s8_u8(q5k_values16(b0, h0, false, 2 * p)), vld1q_s8(yq),
                vreinterpretq_s8_u8(q5k_values16(b1, h1, false, 2 * p)), vld1q_s8(yq + 16));
            const int32_t s_hi = block_sum(
                dot, vreinterpretq_s8_u8(q5k_values16(b0, h0, true, 2 * p + 1)), vld1q_s8(yq + 32),
                vreinterpretq_s8_u8(q5k_values16(b1, h1, true, 2 * p + 1)), vld1q_s8(yq + 48));
            k4_accumulate(x[i].scales, y[i].bsums, p, s_lo, s_hi, isum, summs);
        }
        const float d = half_to_float(x[i].d) * y[i].d;
        const float dmin = half_to_float(x[i].dmin) * y[i].d;
        sum += d * static_cast<float>(isum) - dmin * static_cast<float>(summs);
    }
    return sum;
}

// Per 128 elements: group g of 32 takes ql's low (g < 2) or high nibble of bytes 32 (g & 1)..
// and qh's bits 2g..2g+1, minus 32; each 16 elements has its own scale.
template <class Dot>
float dot_q6_k(Dot dot, int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ6_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; ++i) {
        int32_t isum = 0;
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = x[i].ql + 64 * half;
            const uint8_t* qh = x[i].qh + 32 * half;
            for (int g = 0; g < 4; ++g) {
                for (int c = 0; c < 2; ++c) {
                    const int8x16_t q = q6k_values16(ql, qh, g, c);
                    const int e = 128 * half + 32 * g + 16 * c;
                    const int32_t s = vaddvq_s32(dot(vdupq_n_s32(0), q, vld1q_s8(y[i].qs + e)));
                    isum += x[i].scales[e / 16] * s;
                }
            }
        }
        sum += half_to_float(x[i].d) * y[i].d * static_cast<float>(isum);
    }
    return sum;
}

// Q2_K and Q3_K: per 128 elements, 32 bytes of two-bit values; shift j (0..3) gives elements
// 32j + l of the half from byte l. Each 16 elements has its own scale.
template <class Dot>
float dot_q2_k(Dot dot, int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ2_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; ++i) {
        int32_t isum = 0, summs = 0;
        for (int half = 0; half < 2; ++half) {
            const uint8x16_t q[2] = {vld1q_u8(x[i].qs + 32 * half),
                                     vld1q_u8(x[i].qs + 32 * half + 16)};
            for (int j = 0; j < 4; ++j) {
                for (int c = 0; c < 2; ++c) {
                    const int e = 128 * half + 32 * j + 16 * c;
                    const int8x16_t v = vreinterpretq_s8_u8(two_bits(q[c], j));
                    const int32_t s = vaddvq_s32(dot(vdupq_n_s32(0), v, vld1q_s8(y[i].qs + e)));
                    isum += (x[i].scales[e / 16] & 0xF) * s;
                }
            }
        }
        for (int g = 0; g < QK_K / 16; ++g) summs += (x[i].scales[g] >> 4) * y[i].bsums[g];
        const float dall = y[i].d * half_to_float(x[i].d);
        const float dmin = y[i].d * half_to_float(x[i].dmin);
        sum += dall * static_cast<float>(isum) - dmin * static_cast<float>(summs);
    }
    return sum;
}

// Q3_K: the two low bits minus 4 unless the element's hmask bit (bit 4h + j of hmask[l]) is set.
template <class Dot>
float dot_q3_k(Dot dot, int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ3_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; ++i) {
        int8_t sc[16];
        q3k_scales(x[i].scales, sc);
        const uint8x16_t m[2] = {vld1q_u8(x[i].hmask), vld1q_u8(x[i].hmask + 16)};
        int32_t isum = 0;
        for (int half = 0; half < 2; ++half) {
            const uint8x16_t q[2] = {vld1q_u8(x[i].qs + 32 * half),
                                     vld1q_u8(x[i].qs + 32 * half + 16)};
            for (int j = 0; j < 4; ++j) {
                for (int c = 0; c < 2; ++c) {
                    const int e = 128 * half + 32 * j + 16 * c;
                    const int8x16_t v = q3k_values16(q[c], m[c], j, 4 * half + j);
                    const int32_t s = vaddvq_s32(dot(vdupq_n_s32(0), v, vld1q_s8(y[i].qs + e)));
                    isum += sc[e / 16] * s;
                }
            }
        }
        sum += half_to_float(x[i].d) * y[i].d * static_cast<float>(isum);
    }
    return sum;
}

}  // namespace flash::kernels::neon
