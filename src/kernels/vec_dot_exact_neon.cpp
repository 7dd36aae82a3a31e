// NEON fused exact dot products (the default precision's decode): a quantized weight row
// against f32 activations without materialising the dequantized row, as
// vec_dot_exact_avx2.cpp does on x86. Per block the quants are widened to f32 and
// multiply-added with x; the block's scale is applied once to that partial sum, and per-block
// minimums (Q4_1, Q5_1, Q4_K, Q5_K) enter as m * sum(x over the block) from the caller's block
// sums. Only the float summation order differs from dot(dequantize_row(w), x); tests bound the
// difference. Q2_K's 16-element minimums sum x inline.
#include <arm_neon.h>

#include "core/dtype.h"
#include "kernels/k_scales.h"
#include "kernels/kernels_internal.h"
#include "kernels/neon_common.h"
#include "kernels/type_kernels.h"

namespace flash::kernels {
namespace detail::xdot_neon {
namespace {

using neon::half_to_float;

// acc + sum of q[k] * x[k] for k < 16, lane-wise (four lanes of partial sums).
inline float32x4_t fma_q16(float32x4_t acc, int8x16_t q, const float* x) {
    const int16x8_t lo = vmovl_s8(vget_low_s8(q)), hi = vmovl_high_s8(q);
    acc = vfmaq_f32(acc, vcvtq_f32_s32(vmovl_s16(vget_low_s16(lo))), vld1q_f32(x));
    acc = vfmaq_f32(acc, vcvtq_f32_s32(vmovl_high_s16(lo)), vld1q_f32(x + 4));
    acc = vfmaq_f32(acc, vcvtq_f32_s32(vmovl_s16(vget_low_s16(hi))), vld1q_f32(x + 8));
    return vfmaq_f32(acc, vcvtq_f32_s32(vmovl_high_s16(hi)), vld1q_f32(x + 12));
}

// sum(q * x) over 32 elements given as two 16-byte halves, still in four lanes.
inline float32x4_t block_qx(int8x16_t q0, int8x16_t q1, const float* x) {
    return fma_q16(fma_q16(vdupq_n_f32(0), q0, x), q1, x + 16);
}

}  // namespace

namespace {

// Q4_0, Q5_0, Q8_0: one scale per block.
template <class Block>
float xdot_scaled32(int64_t n, const void* w, const float* x) {
    const auto* b = static_cast<const Block*>(w);
    float32x4_t acc = vdupq_n_f32(0);
    for (int64_t i = 0; i < n / 32; ++i, x += 32) {
        int8x16_t v[2];
        neon::block_values(b[i], v);
        acc = vfmaq_n_f32(acc, block_qx(v[0], v[1], x), half_to_float(b[i].d));
    }
    return vaddvq_f32(acc);
}

// Q4_1, Q5_1: plus the block minimum times sum(x over the block).
template <class Block>
float xdot_affine32(int64_t n, const void* w, const float* x, const float* sums) {
    const auto* b = static_cast<const Block*>(w);
    float32x4_t acc = vdupq_n_f32(0);
    float mins = 0.0f;
    for (int64_t i = 0; i < n / 32; ++i, x += 32) {
        int8x16_t v[2];
        neon::block_values(b[i], v);
        acc = vfmaq_n_f32(acc, block_qx(v[0], v[1], x), half_to_float(b[i].d));
        mins += half_to_float(b[i].m) * sums[i];
    }
    return vaddvq_f32(acc) + mins;
}

}  // namespace

float xdot_q4_0(int64_t n, const void* w, const float* x, const float*) {
    return xdot_scaled32<BlockQ4_0>(n, w, x);
}
float xdot_q5_0(int64_t n, const void* w, const float* x, const float*) {
    return xdot_scaled32<BlockQ5_0>(n, w, x);
}
float xdot_q8_0(int64_t n, const void* w, const float* x, const float*) {
    return xdot_scaled32<BlockQ8_0>(n, w, x);
}
float xdot_q4_1(int64_t n, const void* w, const float* x, const float* sums) {
    return xdot_affine32<BlockQ4_1>(n, w, x, sums);
}
float xdot_q5_1(int64_t n, const void* w, const float* x, const float* sums) {
    return xdot_affine32<BlockQ5_1>(n, w, x, sums);
}

// Per 64 elements, 32 bytes: low nibbles are sub-block 2p, high nibbles 2p + 1, each with
// y = (d * sc) * q - (dmin * m).
float xdot_q4_k(int64_t n, const void* w, const float* x, const float* sums) {
    const auto* b = static_cast<const BlockQ4_K*>(w);
    float32x4_t acc = vdupq_n_f32(0);
    float mins = 0.0f;
    for (int64_t i = 0; i < n / QK_K; ++i) {
        const float d = half_to_float(b[i].d), dmin = half_to_float(b[i].dmin);
        for (int p = 0; p < 4; ++p) {
            const uint8x16_t b0 = vld1q_u8(b[i].qs + 32 * p), b1 = vld1q_u8(b[i].qs + 32 * p + 16);
            const uint8x16_t mask = vdupq_n_u8(0x0F);
            const float* xp = x + QK_K * i + 64 * p;
            const float32x4_t s_lo = block_qx(vreinterpretq_s8_u8(vandq_u8(b0, mask)),
                                              vreinterpretq_s8_u8(vandq_u8(b1, mask)), xp);
            const float32x4_t s_hi = block_qx(vreinterpretq_s8_u8(vshrq_n_u8(b0, 4)),
                                              vreinterpretq_s8_u8(vshrq_n_u8(b1, 4)), xp + 32);
            for (int half = 0; half < 2; ++half) {
                const int j = 2 * p + half;
                uint8_t sc, m;
                k4_scale_min(j, b[i].scales, sc, m);
                acc = vfmaq_n_f32(acc, half ? s_hi : s_lo, d * sc);
                mins += (dmin * m) * sums[8 * i + j];
            }
        }
    }
    return vaddvq_f32(acc) - mins;
}

// Q5_K: Q4_K with the fifth bit j of qh[l] for sub-block j.
float xdot_q5_k(int64_t n, const void* w, const float* x, const float* sums) {
    const auto* b = static_cast<const BlockQ5_K*>(w);
    float32x4_t acc = vdupq_n_f32(0);
    float mins = 0.0f;
    for (int64_t i = 0; i < n / QK_K; ++i) {
        const float d = half_to_float(b[i].d), dmin = half_to_float(b[i].dmin);
        const uint8x16_t qh[2] = {vld1q_u8(b[i].qh), vld1q_u8(b[i].qh + 16)};
        for (int j = 0; j < QK_K / 32; ++j) {
            int8x16_t q[2];
            for (int c = 0; c < 2; ++c) {
                const uint8x16_t bytes = vld1q_u8(b[i].qs + 32 * (j / 2) + 16 * c);
                q[c] = vreinterpretq_s8_u8(neon::q5k_values16(bytes, qh[c], j % 2, j));
            }
            uint8_t sc, m;
            k4_scale_min(j, b[i].scales, sc, m);
            acc = vfmaq_n_f32(acc, block_qx(q[0], q[1], x + QK_K * i + 32 * j), d * sc);
            mins += (dmin * m) * sums[8 * i + j];
        }
    }
    return vaddvq_f32(acc) - mins;
}

// Q2_K: each 16 elements y = (d * (sc & 15)) * q - dmin * (sc >> 4); its minimum needs the sum
// of x over 16 elements, taken inline (the caller's sums cover 32).
float xdot_q2_k(int64_t n, const void* w, const float* x, const float*) {
    const auto* b = static_cast<const BlockQ2_K*>(w);
    float32x4_t acc = vdupq_n_f32(0), mins = vdupq_n_f32(0);
    for (int64_t i = 0; i < n / QK_K; ++i) {
        const float d = half_to_float(b[i].d), dmin = half_to_float(b[i].dmin);
        for (int half = 0; half < 2; ++half) {
            for (int j = 0; j < 4; ++j) {
                for (int c = 0; c < 2; ++c) {
                    const int e = 128 * half + 32 * j + 16 * c;
                    const uint8_t sc = b[i].scales[e / 16];
                    const uint8x16_t bytes = vld1q_u8(b[i].qs + 32 * half + 16 * c);
                    const float* xe = x + QK_K * i + e;
                    const float32x4_t s =
                        fma_q16(vdupq_n_f32(0), vreinterpretq_s8_u8(neon::two_bits(bytes, j)), xe);
                    acc = vfmaq_n_f32(acc, s, d * (sc & 0xF));
                    const float32x4_t xs =
                        vaddq_f32(vaddq_f32(vld1q_f32(xe), vld1q_f32(xe + 4)),
                                  vaddq_f32(vld1q_f32(xe + 8), vld1q_f32(xe + 12)));
                    mins = vfmaq_n_f32(mins, xs, dmin * (sc >> 4));
                }
            }
        }
    }
    return vaddvq_f32(vsubq_f32(acc, mins));
}

// Q3_K: each 16 elements y = (d * sc) * q with q in -4..3.
float xdot_q3_k(int64_t n, const void* w, const float* x, const float*) {
    const auto* b = static_cast<const BlockQ3_K*>(w);
    float32x4_t acc = vdupq_n_f32(0);
    for (int64_t i = 0; i < n / QK_K; ++i) {
        const float d = half_to_float(b[i].d);
        int8_t sc[16];
        q3k_scales(b[i].scales, sc);
        const uint8x16_t hm[2] = {vld1q_u8(b[i].hmask), vld1q_u8(b[i].hmask + 16)};
        for (int half = 0; half < 2; ++half) {
            for (int j = 0; j < 4; ++j) {
                for (int c = 0; c < 2; ++c) {
                    const int e = 128 * half + 32 * j + 16 * c;
                    const uint8x16_t bytes = vld1q_u8(b[i].qs + 32 * half + 16 * c);
                    const float32x4_t s =
                        fma_q16(vdupq_n_f32(0), neon::q3k_values16(bytes, hm[c], j, 4 * half + j),
                                x + QK_K * i + e);
                    acc = vfmaq_n_f32(acc, s, d * sc[e / 16]);
                }
            }
        }
    }
    return vaddvq_f32(acc);
}

// Each 16 elements: y = (d * sc) * q with q in -32..31.
float xdot_q6_k(int64_t n, const void* w, const float* x, const float*) {
    const auto* b = static_cast<const BlockQ6_K*>(w);
    float32x4_t acc = vdupq_n_f32(0);
    for (int64_t i = 0; i < n / QK_K; ++i) {
        const float d = half_to_float(b[i].d);
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = b[i].ql + 64 * half;
            const uint8_t* qh = b[i].qh + 32 * half;
            for (int g = 0; g < 4; ++g) {
                for (int c = 0; c < 2; ++c) {
                    const int e = 128 * half + 32 * g + 16 * c;
                    const float32x4_t s =
                        fma_q16(vdupq_n_f32(0), neon::q6k_values16(ql, qh, g, c), x + QK_K * i + e);
                    acc = vfmaq_n_f32(acc, s, d * b[i].scales[e / 16]);
                }
            }
        }
    }
    return vaddvq_f32(acc);
}

}  // namespace detail::xdot_neon
}  // namespace flash::kernels
