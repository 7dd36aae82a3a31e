// The int8 GEMM micro-kernel body on 256-bit registers (see gemm_int8.cpp), written over the
// instruction that multiplies unsigned weight bytes with signed activation bytes into int32
// lanes; gemm_int8_avx2.cpp instances it with vpmaddubsw + vpmaddwd. (gemm_int8_vnni.cpp is the
// 512-bit version, with the same arithmetic per lane.)
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/kernels_internal.h"

namespace flash::kernels::detail::int8_micro {

// M activation rows times one 16-row panel over nb blocks of G elements; Dot(acc, w, v) adds to
// each int32 lane the four products of its bytes.
template <int G, int M, typename Dot>
void panel_rows(int64_t nb, const uint8_t* panel, const int8_t* xq, int64_t ldx, const float* xs,
                const float* xsv, int64_t ldxs, float* c, int64_t ldc, Dot dot) {
    __m256 acc[M][2];
    for (int i = 0; i < M; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        const uint8_t* p = panel + b * int8_panel_block_bytes(G);
        __m256i d[M][2];
        for (int i = 0; i < M; ++i) d[i][0] = d[i][1] = _mm256_setzero_si256();
#pragma GCC unroll 8
        for (int g = 0; g < G / 4; ++g) {
            const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64 * g));
            const __m256i w1 =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64 * g + 32));
#pragma GCC unroll 4
            for (int i = 0; i < M; ++i) {
                int32_t four;
                std::memcpy(&four, xq + i * ldx + G * b + 4 * g, 4);
                const __m256i v = _mm256_set1_epi32(four);
                d[i][0] = dot(d[i][0], w0, v);
                d[i][1] = dot(d[i][1], w1, v);
            }
        }
        const auto* so = reinterpret_cast<const float*>(p + 16 * G);
        const __m256 s0 = _mm256_loadu_ps(so), s1 = _mm256_loadu_ps(so + 8);
        const __m256 o0 = _mm256_loadu_ps(so + 16), o1 = _mm256_loadu_ps(so + 24);
#pragma GCC unroll 4
        for (int i = 0; i < M; ++i) {
            const __m256 a = _mm256_broadcast_ss(xs + i * ldxs + b);
            const __m256 av = _mm256_broadcast_ss(xsv + i * ldxs + b);
            acc[i][0] =
                _mm256_fmadd_ps(_mm256_cvtepi32_ps(d[i][0]), _mm256_mul_ps(s0, a), acc[i][0]);
            acc[i][1] =
                _mm256_fmadd_ps(_mm256_cvtepi32_ps(d[i][1]), _mm256_mul_ps(s1, a), acc[i][1]);
            acc[i][0] = _mm256_fmadd_ps(o0, av, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(o1, av, acc[i][1]);
        }
    }
    for (int i = 0; i < M; ++i) {
        _mm256_storeu_ps(c + i * ldc, acc[i][0]);
        _mm256_storeu_ps(c + i * ldc + 8, acc[i][1]);
    }
}

template <int G, int MaxM, typename Dot>
void dispatch_rows(int64_t m, int64_t nb, const uint8_t* panel, const int8_t* xq, int64_t ldx,
                   const float* xs, const float* xsv, int64_t ldxs, float* c, int64_t ldc,
                   Dot dot) {
    if constexpr (MaxM > 1) {
        if (m < MaxM) {
            return dispatch_rows<G, MaxM - 1>(m, nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc, dot);
        }
    }
    panel_rows<G, MaxM>(nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc, dot);
}

// The micro-kernel for blocks of g = 16 or 32 elements, up to MaxM activation rows.
template <int MaxM, typename Dot>
void run(int64_t g, int64_t m, int64_t nb, const uint8_t* panel, const int8_t* xq, int64_t ldx,
         const float* xs, const float* xsv, int64_t ldxs, float* c, int64_t ldc, Dot dot) {
    if (g == 16) return dispatch_rows<16, MaxM>(m, nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc, dot);
    dispatch_rows<32, MaxM>(m, nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc, dot);
}

}  // namespace flash::kernels::detail::int8_micro
