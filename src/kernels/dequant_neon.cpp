// NEON dequantization for the types the exact path and the f32 GEMM read (F16, BF16,
// Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 and every K-quant). Bit-identical to dequant_ref.cpp: the same
// operand order and one rounding per multiply and add (separate vmul and vadd/vsub, never a fused
// multiply-add), so the floats match llama.cpp's as the references do.
#include <arm_neon.h>

#include "core/dtype.h"
#include "core/fp16.h"
#include "kernels/k_scales.h"
#include "kernels/kernels_internal.h"
#include "kernels/neon_common.h"
#include "kernels/type_kernels.h"

namespace flash::kernels {
namespace detail::deq_neon {
namespace {

// Sixteen small signed integers as floats, each times d (one rounding), to y[0..16).
inline void store_scaled(int8x16_t q, float d, float* y) {
    const int16x8_t lo = vmovl_s8(vget_low_s8(q)), hi = vmovl_high_s8(q);
    vst1q_f32(y, vmulq_n_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(lo))), d));
    vst1q_f32(y + 4, vmulq_n_f32(vcvtq_f32_s32(vmovl_high_s16(lo)), d));
    vst1q_f32(y + 8, vmulq_n_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(hi))), d));
    vst1q_f32(y + 12, vmulq_n_f32(vcvtq_f32_s32(vmovl_high_s16(hi)), d));
}

// y = q * d - m (or + m with add), the product rounded before the sum.
template <bool kAdd>
inline void store_affine(uint8x16_t q, float d, float m, float* y) {
    const uint16x8_t lo = vmovl_u8(vget_low_u8(q)), hi = vmovl_high_u8(q);
    const float32x4_t vm = vdupq_n_f32(m);
    const uint32x4_t parts[4] = {vmovl_u16(vget_low_u16(lo)), vmovl_high_u16(lo),
                                 vmovl_u16(vget_low_u16(hi)), vmovl_high_u16(hi)};
    for (int k = 0; k < 4; ++k) {
        const float32x4_t p = vmulq_n_f32(vcvtq_f32_u32(parts[k]), d);
        vst1q_f32(y + 4 * k, kAdd ? vaddq_f32(p, vm) : vsubq_f32(p, vm));
    }
}

}  // namespace

void deq_f16(const void* src, float* y, int64_t n) {
    const auto* s = static_cast<const uint16_t*>(src);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, neon::load_half4(s + i));
    for (; i < n; ++i) y[i] = fp16_to_f32(s[i]);
}

void deq_bf16(const void* src, float* y, int64_t n) {
    const auto* s = static_cast<const uint16_t*>(src);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const uint16x8_t h = vld1q_u16(s + i);
        vst1q_f32(y + i, neon::bf16_low(h));
        vst1q_f32(y + i + 4, neon::bf16_high(h));
    }
    for (; i < n; ++i) y[i] = bf16_to_f32(s[i]);
}

namespace {

// Q4_0, Q5_0, Q8_0: y = v * d with the type's offset already in v.
template <class Block>
void deq_scaled32(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const Block*>(src);
    for (int64_t i = 0; i < n / 32; ++i, y += 32) {
        const float d = neon::half_to_float(x[i].d);
        int8x16_t v[2];
        neon::block_values(x[i], v);
        store_scaled(v[0], d, y);
        store_scaled(v[1], d, y + 16);
    }
}

// Q4_1, Q5_1: y = q * d + m.
template <class Block>
void deq_affine32(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const Block*>(src);
    for (int64_t i = 0; i < n / 32; ++i, y += 32) {
        const float d = neon::half_to_float(x[i].d), m = neon::half_to_float(x[i].m);
        int8x16_t v[2];
        neon::block_values(x[i], v);
        store_affine<true>(vreinterpretq_u8_s8(v[0]), d, m, y);
        store_affine<true>(vreinterpretq_u8_s8(v[1]), d, m, y + 16);
    }
}

}  // namespace

void deq_q4_0(const void* src, float* y, int64_t n) {
    deq_scaled32<BlockQ4_0>(src, y, n);
}
void deq_q5_0(const void* src, float* y, int64_t n) {
    deq_scaled32<BlockQ5_0>(src, y, n);
}
void deq_q8_0(const void* src, float* y, int64_t n) {
    deq_scaled32<BlockQ8_0>(src, y, n);
}
void deq_q4_1(const void* src, float* y, int64_t n) {
    deq_affine32<BlockQ4_1>(src, y, n);
}
void deq_q5_1(const void* src, float* y, int64_t n) {
    deq_affine32<BlockQ5_1>(src, y, n);
}

// Per 64 elements, 32 bytes: low nibbles are sub-block 2p, high nibbles sub-block 2p + 1.
void deq_q4_k(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ4_K*>(src);
    for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
        const float d = neon::half_to_float(x[i].d), dmin = neon::half_to_float(x[i].dmin);
        for (int p = 0; p < 4; ++p) {
            for (int half = 0; half < 2; ++half) {
                const int j = 2 * p + half;
                uint8_t sc, m;
                k4_scale_min(j, x[i].scales, sc, m);
                const float d1 = d * sc, m1 = dmin * m;
                for (int c = 0; c < 2; ++c) {
                    const uint8x16_t b = vld1q_u8(x[i].qs + 32 * p + 16 * c);
                    const uint8x16_t q = half ? vshrq_n_u8(b, 4) : vandq_u8(b, vdupq_n_u8(0x0F));
                    store_affine<false>(q, d1, m1, y + 32 * j + 16 * c);
                }
            }
        }
    }
}

// Per 64 elements, 32 bytes as Q4_K, plus the fifth bit j of qh[l] for sub-block j.
void deq_q5_k(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ5_K*>(src);
    for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
        const float d = neon::half_to_float(x[i].d), dmin = neon::half_to_float(x[i].dmin);
        const uint8x16_t qh[2] = {vld1q_u8(x[i].qh), vld1q_u8(x[i].qh + 16)};
        for (int j = 0; j < QK_K / 32; ++j) {
            uint8_t sc, m;
            k4_scale_min(j, x[i].scales, sc, m);
            const float d1 = d * sc, m1 = dmin * m;
            for (int c = 0; c < 2; ++c) {
                const uint8x16_t b = vld1q_u8(x[i].qs + 32 * (j / 2) + 16 * c);
                store_affine<false>(neon::q5k_values16(b, qh[c], j % 2, j), d1, m1,
                                    y + 32 * j + 16 * c);
            }
        }
    }
}

// Per 128 elements, 32 bytes of two-bit values (shift j: elements 32j + l); each 16 elements
// has a 4-bit scale and a 4-bit minimum (Q2_K) or a 6-bit signed scale and the hmask (Q3_K).
void deq_q2_k(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ2_K*>(src);
    for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
        const float d = neon::half_to_float(x[i].d), dmin = neon::half_to_float(x[i].dmin);
        for (int half = 0; half < 2; ++half) {
            for (int j = 0; j < 4; ++j) {
                for (int c = 0; c < 2; ++c) {
                    const int e = 128 * half + 32 * j + 16 * c;
                    const uint8_t sc = x[i].scales[e / 16];
                    const uint8x16_t q = neon::two_bits(vld1q_u8(x[i].qs + 32 * half + 16 * c), j);
                    store_affine<false>(q, d * (sc & 0xF), dmin * (sc >> 4), y + e);
                }
            }
        }
    }
}

void deq_q3_k(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ3_K*>(src);
    for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
        const float d_all = neon::half_to_float(x[i].d);
        int8_t sc[16];
        q3k_scales(x[i].scales, sc);
        const uint8x16_t hm[2] = {vld1q_u8(x[i].hmask), vld1q_u8(x[i].hmask + 16)};
        for (int half = 0; half < 2; ++half) {
            for (int j = 0; j < 4; ++j) {
                for (int c = 0; c < 2; ++c) {
                    const int e = 128 * half + 32 * j + 16 * c;
                    const uint8x16_t b = vld1q_u8(x[i].qs + 32 * half + 16 * c);
                    store_scaled(neon::q3k_values16(b, hm[c], j, 4 * half + j), d_all * sc[e / 16],
                                 y + e);
                }
            }
        }
    }
}

// Per 128 elements: 64 bytes of ql, 32 of qh; group g of 32 takes ql's low (g < 2) or high
// nibble of bytes 32 (g & 1) .. and qh's bits 2g..2g+1.
void deq_q6_k(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ6_K*>(src);
    for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
        const float d = neon::half_to_float(x[i].d);
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = x[i].ql + 64 * half;
            const uint8_t* qh = x[i].qh + 32 * half;
            for (int g = 0; g < 4; ++g) {
                for (int c = 0; c < 2; ++c) {
                    const int8x16_t q = neon::q6k_values16(ql, qh, g, c);
                    const int e = 128 * half + 32 * g + 16 * c;  // 16 elements, one scale
                    store_scaled(q, d * x[i].scales[e / 16], y + e);
                }
            }
        }
    }
}

}  // namespace detail::deq_neon
}  // namespace flash::kernels
