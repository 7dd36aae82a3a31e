// The int8 GEMM micro-kernel with AVX-512 VNNI (Zen 4, Ice Lake and later). A panel's k-group of
// 16 rows x 4 weight bytes is exactly one 512-bit register, so one vpdpbusd adds four byte
// products to every row's int32 lane for one activation row, without saturation; the per-block
// scales and offsets are one register each. Each lane does the arithmetic of the 256-bit
// kernels (gemm_int8_x86.h) in the same order, so the results are the same to the bit; the
// wider registers halve the weight loads, multiply-adds and conversions per activation row
// (on Zen 4, whose 512-bit units are double-pumped, the instruction count is what shrinks).
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/kernels_internal.h"

namespace flash::kernels::detail {
namespace {

// M activation rows times P adjacent panels (P = 2: the second panel's blocks follow the
// first's), over nb blocks of G elements. With two panels one broadcast of activation bytes
// serves two vpdpbusd: one panel needed a load per vpdpbusd and waited on the load ports.
template <int G, int M, int P>
void panel_rows(int64_t nb, const uint8_t* panel, const int8_t* xq, int64_t ldx, const float* xs,
                const float* xsv, int64_t ldxs, float* c, int64_t ldc) {
    const int64_t panel_bytes = nb * int8_panel_block_bytes(G);
    __m512 acc[M][P];
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < P; ++j) acc[i][j] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* p = panel + b * int8_panel_block_bytes(G);
        __m512i d[M][P];
        for (int i = 0; i < M; ++i)
            for (int j = 0; j < P; ++j) d[i][j] = _mm512_setzero_si512();
#pragma GCC unroll 8
        for (int g = 0; g < G / 4; ++g) {
            __m512i w[P];
            for (int j = 0; j < P; ++j) w[j] = _mm512_loadu_si512(p + j * panel_bytes + 64 * g);
#pragma GCC unroll 8
            for (int i = 0; i < M; ++i) {
                int32_t four;
                std::memcpy(&four, xq + i * ldx + G * b + 4 * g, 4);
                const __m512i v = _mm512_set1_epi32(four);
                for (int j = 0; j < P; ++j) d[i][j] = _mm512_dpbusd_epi32(d[i][j], w[j], v);
            }
        }
        // maskz with every lane set is the plain conversion; GCC 12 warns that the plain form's
        // _mm512_undefined_ps() "may be used uninitialized".
        for (int j = 0; j < P; ++j) {
            const auto* so = reinterpret_cast<const float*>(p + j * panel_bytes + 16 * G);
            const __m512 s = _mm512_loadu_ps(so), o = _mm512_loadu_ps(so + 16);
#pragma GCC unroll 8
            for (int i = 0; i < M; ++i) {
                const __m512 a = _mm512_set1_ps(xs[i * ldxs + b]);
                const __m512 av = _mm512_set1_ps(xsv[i * ldxs + b]);
                acc[i][j] = _mm512_fmadd_ps(_mm512_maskz_cvtepi32_ps(0xFFFF, d[i][j]),
                                            _mm512_mul_ps(s, a), acc[i][j]);
                acc[i][j] = _mm512_fmadd_ps(o, av, acc[i][j]);
            }
        }
    }
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < P; ++j) _mm512_storeu_ps(c + i * ldc + 16 * j, acc[i][j]);
}

template <int G, int MaxM, int P>
void dispatch_rows(int64_t m, int64_t nb, const uint8_t* panel, const int8_t* xq, int64_t ldx,
                   const float* xs, const float* xsv, int64_t ldxs, float* c, int64_t ldc) {
    if constexpr (MaxM > 1) {
        if (m < MaxM)
            return dispatch_rows<G, MaxM - 1, P>(m, nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc);
    }
    panel_rows<G, MaxM, P>(nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc);
}

}  // namespace

void vnni_int8_micro(int64_t g, int64_t m, int64_t nb, const uint8_t* panel, const int8_t* xq,
                     int64_t ldx, const float* xs, const float* xsv, int64_t ldxs, float* c,
                     int64_t ldc) {
    static_assert(kPanelRows == 16);
    if (g == 16)
        return dispatch_rows<16, kVnniMicroRows, 1>(m, nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc);
    dispatch_rows<32, kVnniMicroRows, 1>(m, nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc);
}

void vnni_int8_micro_pair(int64_t g, int64_t m, int64_t nb, const uint8_t* panel, const int8_t* xq,
                          int64_t ldx, const float* xs, const float* xsv, int64_t ldxs, float* c,
                          int64_t ldc) {
    if (g == 16)
        return dispatch_rows<16, kVnniPairRows, 2>(m, nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc);
    dispatch_rows<32, kVnniPairRows, 2>(m, nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc);
}

}  // namespace flash::kernels::detail
