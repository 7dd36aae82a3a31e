// The int8 GEMM micro-kernel (see gemm_int8.cpp) with usmmla (the i8mm extension: ARMv8.6,
// Apple M2 on, Graviton 3 on); built with +i8mm and chosen only where the CPU has it. One
// usmmla multiplies a 2x8 block of unsigned weight bytes by a 2x8 block of signed activation
// bytes into a 2x2 int32 tile, so eight k of two panel rows meet eight k of two activation rows
// at once. Two consecutive 4-byte groups of the panel zipped by 32-bit lanes give the 2x8
// weight blocks; activation rows are taken in pairs (an odd last row pairs with zeros).
#include <arm_neon.h>

#include <cstring>
#include <vector>

#include "kernels/kernels_internal.h"

namespace flash::kernels::detail {
namespace {

// Four activation rows (two pairs) times the 16 panel rows (eight pairs).
template <int G>
void panel_rows4(int64_t nb, const uint8_t* panel, const int8_t* const x[4], const float* xs,
                 const float* xsv, int64_t ldxs, int m, float* c, int64_t ldc) {
    float32x4_t acc[8][2];
    for (auto& w : acc) w[0] = w[1] = vdupq_n_f32(0);
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* p = panel + b * int8_panel_block_bytes(G);
        int32x4_t d[8][2];
        for (auto& w : d) w[0] = w[1] = vdupq_n_s32(0);
        for (int g = 0; g < G / 4; g += 2) {
            uint8x16_t wpair[8];  // weight rows (2w, 2w + 1), eight k each
            for (int q = 0; q < 4; ++q) {
                const uint32x4_t lo = vreinterpretq_u32_u8(vld1q_u8(p + 64 * g + 16 * q));
                const uint32x4_t hi = vreinterpretq_u32_u8(vld1q_u8(p + 64 * (g + 1) + 16 * q));
                wpair[2 * q] = vreinterpretq_u8_u32(vzip1q_u32(lo, hi));
                wpair[2 * q + 1] = vreinterpretq_u8_u32(vzip2q_u32(lo, hi));
            }
            const int64_t k = G * b + 4 * g;
            const int8x16_t apair[2] = {vcombine_s8(vld1_s8(x[0] + k), vld1_s8(x[1] + k)),
                                        vcombine_s8(vld1_s8(x[2] + k), vld1_s8(x[3] + k))};
            for (int w = 0; w < 8; ++w) {
                d[w][0] = vusmmlaq_s32(d[w][0], wpair[w], apair[0]);
                d[w][1] = vusmmlaq_s32(d[w][1], wpair[w], apair[1]);
            }
        }
        // Tile lanes: (row 2w, act 2h), (2w, 2h + 1), (2w + 1, 2h), (2w + 1, 2h + 1).
        const auto* so = reinterpret_cast<const float*>(p + 16 * G);
        for (int h = 0; h < 2; ++h) {
            const int i0 = 2 * h, i1 = 2 * h + 1;
            const float a0 = i0 < m ? xs[i0 * ldxs + b] : 0.0f;
            const float a1 = i1 < m ? xs[i1 * ldxs + b] : 0.0f;
            const float v0 = i0 < m ? xsv[i0 * ldxs + b] : 0.0f;
            const float v1 = i1 < m ? xsv[i1 * ldxs + b] : 0.0f;
            const float32x4_t av = {a0, a1, a0, a1}, vv = {v0, v1, v0, v1};
            for (int w = 0; w < 8; ++w) {
                const float32x4_t s = {so[2 * w], so[2 * w], so[2 * w + 1], so[2 * w + 1]};
                const float32x4_t o = {so[16 + 2 * w], so[16 + 2 * w], so[17 + 2 * w],
                                       so[17 + 2 * w]};
                acc[w][h] = vfmaq_f32(acc[w][h], vcvtq_f32_s32(d[w][h]), vmulq_f32(s, av));
                acc[w][h] = vfmaq_f32(acc[w][h], o, vv);
            }
        }
    }
    for (int w = 0; w < 8; ++w) {
        for (int h = 0; h < 2; ++h) {
            float lanes[4];
            vst1q_f32(lanes, acc[w][h]);
            for (int l = 0; l < 4; ++l) {
                const int i = 2 * h + (l & 1), r = 2 * w + (l >> 1);
                if (i < m) c[i * ldc + r] = lanes[l];
            }
        }
    }
}

}  // namespace

void i8mm_int8_micro(int64_t g, int64_t m, int64_t nb, const uint8_t* panel, const int8_t* xq,
                     int64_t ldx, const float* xs, const float* xsv, int64_t ldxs, float* c,
                     int64_t ldc) {
    static_assert(kI8mmInt8MicroRows == 4 && kPanelRows == 16);
    // Rows past m read zeros (their products are dropped).
    thread_local std::vector<int8_t> zeros;
    if (zeros.size() < static_cast<size_t>(g * nb)) zeros.assign(static_cast<size_t>(g * nb), 0);
    const int8_t* x[4];
    for (int i = 0; i < 4; ++i) x[i] = i < m ? xq + i * ldx : zeros.data();
    const int rows = static_cast<int>(m);
    if (g == 16) return panel_rows4<16>(nb, panel, x, xs, xsv, ldxs, rows, c, ldc);
    panel_rows4<32>(nb, panel, x, xs, xsv, ldxs, rows, c, ldc);
}

}  // namespace flash::kernels::detail
