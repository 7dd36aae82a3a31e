// The int8 GEMM micro-kernel (see gemm_int8.cpp) with sdot, for ARM64 CPUs with dotprod; built
// with +dotprod and chosen only where the CPU has it. The panel's weight bytes are unsigned
// (0..255) and sdot multiplies signed bytes, so each byte is taken as u - 128 (an xor with 0x80)
// and 128 * sum(v) over the block is added back: u . v = (u - 128) . v + 128 * sum(v), exact in
// int32. Four activation rows times the 16 panel rows per call, 16 int32 accumulators.
#include <arm_neon.h>

#include <cstring>

#include "kernels/kernels_internal.h"

namespace flash::kernels::detail {
namespace {

template <int G, int M>
void panel_rows(int64_t nb, const uint8_t* panel, const int8_t* xq, int64_t ldx, const float* xs,
                const float* xsv, int64_t ldxs, float* c, int64_t ldc) {
    float32x4_t acc[M][4];
    for (int i = 0; i < M; ++i)
        for (int q = 0; q < 4; ++q) acc[i][q] = vdupq_n_f32(0);
    const uint8x16_t flip = vdupq_n_u8(0x80);
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* p = panel + b * int8_panel_block_bytes(G);
        int32x4_t d[M][4];
        for (int i = 0; i < M; ++i)
            for (int q = 0; q < 4; ++q) d[i][q] = vdupq_n_s32(0);
#pragma GCC unroll 8
        for (int g = 0; g < G / 4; ++g) {
            int8x16_t w[4];  // rows 4q .. 4q + 3, four bytes each
            for (int q = 0; q < 4; ++q)
                w[q] = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(p + 64 * g + 16 * q), flip));
#pragma GCC unroll 4
            for (int i = 0; i < M; ++i) {
                int32_t four;
                std::memcpy(&four, xq + i * ldx + G * b + 4 * g, 4);
                const int8x16_t v = vreinterpretq_s8_s32(vdupq_n_s32(four));
                for (int q = 0; q < 4; ++q) d[i][q] = vdotq_s32(d[i][q], w[q], v);
            }
        }
        const auto* so = reinterpret_cast<const float*>(p + 16 * G);
#pragma GCC unroll 4
        for (int i = 0; i < M; ++i) {
            const int8_t* v = xq + i * ldx + G * b;
            int32_t vsum = vaddlvq_s8(vld1q_s8(v));
            if constexpr (G == 32) vsum += vaddlvq_s8(vld1q_s8(v + 16));
            const int32x4_t back = vdupq_n_s32(128 * vsum);
            const float a = xs[i * ldxs + b], av = xsv[i * ldxs + b];
            for (int q = 0; q < 4; ++q) {
                const float32x4_t dot = vcvtq_f32_s32(vaddq_s32(d[i][q], back));
                const float32x4_t s = vmulq_n_f32(vld1q_f32(so + 4 * q), a);
                acc[i][q] = vfmaq_f32(acc[i][q], dot, s);
                acc[i][q] = vfmaq_n_f32(acc[i][q], vld1q_f32(so + 16 + 4 * q), av);
            }
        }
    }
    for (int i = 0; i < M; ++i)
        for (int q = 0; q < 4; ++q) vst1q_f32(c + i * ldc + 4 * q, acc[i][q]);
}

template <int G>
void rows_of(int64_t m, int64_t nb, const uint8_t* panel, const int8_t* xq, int64_t ldx,
             const float* xs, const float* xsv, int64_t ldxs, float* c, int64_t ldc) {
    switch (m) {
        case 1:
            return panel_rows<G, 1>(nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc);
        case 2:
            return panel_rows<G, 2>(nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc);
        case 3:
            return panel_rows<G, 3>(nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc);
        default:
            return panel_rows<G, 4>(nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc);
    }
}

}  // namespace

void dotprod_int8_micro(int64_t g, int64_t m, int64_t nb, const uint8_t* panel, const int8_t* xq,
                        int64_t ldx, const float* xs, const float* xsv, int64_t ldxs, float* c,
                        int64_t ldc) {
    static_assert(kDotprodInt8MicroRows == 4 && kPanelRows == 16);
    if (g == 16) return rows_of<16>(m, nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc);
    rows_of<32>(m, nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc);
}

}  // namespace flash::kernels::detail
