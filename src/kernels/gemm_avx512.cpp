// The f32 GEMM micro-kernel on AVX-512 (see gemm.cpp): up to 12 activation rows times a 16-row
// k-major panel. The panel's 16 floats are one zmm, so each row has one accumulator and 12 rows
// keep 12 independent FMAs in flight (4 cycles of latency x 2 ports on CPUs with two 512-bit
// FMA units). Per k: one panel load, one broadcast per row, one FMA per row. Every output lane
// sums its products in k order, as the AVX2 kernel does, so the two give the same floats.
// Also here: avx512_dot_tile, matmul_exact's dot of a few dequantized weight rows with a few
// activation rows, which needs no k-major panel.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <utility>

#include "kernels/kernels_internal.h"

namespace flash::kernels::detail {
namespace {

template <int M>
void micro(int64_t kc, const float* a, int64_t lda, const float* panel, float* c, int64_t ldc,
           bool accumulate) {
    static_assert(kPanelRows == 16 && M <= kAvx512MicroRows);
    __m512 acc[M];
#pragma GCC unroll 12
    for (int i = 0; i < M; ++i)
        acc[i] = accumulate ? _mm512_loadu_ps(c + i * ldc) : _mm512_setzero_ps();
    for (int64_t k = 0; k < kc; ++k) {
        const __m512 p = _mm512_loadu_ps(panel + k * 16);
#pragma GCC unroll 12
        for (int i = 0; i < M; ++i)
            acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(a[i * lda + k]), p, acc[i]);
    }
#pragma GCC unroll 12
    for (int i = 0; i < M; ++i) _mm512_storeu_ps(c + i * ldc, acc[i]);
}

// Two adjacent panels (32 weight rows; the second at panel + kc * 16) times M rows: per k, two
// panel loads and one broadcast serve two FMAs. The one-panel kernel needs a load per FMA and
// waits on the load ports (about 70% of the FMA peak, against 95% here). Each lane still sums
// in k order, so the floats are micro's.
template <int M>
void micro_pair(int64_t kc, const float* a, int64_t lda, const float* panel, float* c, int64_t ldc,
                bool accumulate) {
    static_assert(kPanelRows == 16 && M <= kAvx512PairRows);
    const float* panel1 = panel + kc * 16;
    __m512 acc[M][2];
#pragma GCC unroll 8
    for (int i = 0; i < M; ++i) {
        acc[i][0] = accumulate ? _mm512_loadu_ps(c + i * ldc) : _mm512_setzero_ps();
        acc[i][1] = accumulate ? _mm512_loadu_ps(c + i * ldc + 16) : _mm512_setzero_ps();
    }
    for (int64_t k = 0; k < kc; ++k) {
        const __m512 p0 = _mm512_loadu_ps(panel + k * 16);
        const __m512 p1 = _mm512_loadu_ps(panel1 + k * 16);
#pragma GCC unroll 8
        for (int i = 0; i < M; ++i) {
            const __m512 av = _mm512_set1_ps(a[i * lda + k]);
            acc[i][0] = _mm512_fmadd_ps(av, p0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(av, p1, acc[i][1]);
        }
    }
#pragma GCC unroll 8
    for (int i = 0; i < M; ++i) {
        _mm512_storeu_ps(c + i * ldc, acc[i][0]);
        _mm512_storeu_ps(c + i * ldc + 16, acc[i][1]);
    }
}

// ---- Dequantized weight rows against a few activation rows (matmul_exact's tiles) -----------

// The 16 horizontal sums of v[0..15], lane j holding v[j]'s: halves and quarters of pairs are
// added first (lane-parallel), then the four lanes of each quarter.
inline __m512 sum16(const __m512 v[16]) {
    __m512 a[8], b[4];
    for (int i = 0; i < 8; ++i) {
        a[i] = _mm512_add_ps(_mm512_shuffle_f32x4(v[2 * i], v[2 * i + 1], 0x44),
                             _mm512_shuffle_f32x4(v[2 * i], v[2 * i + 1], 0xEE));
    }
    // a[i]'s quarters: two partial quarters of v[2i], then two of v[2i + 1].
    for (int i = 0; i < 4; ++i) {
        b[i] = _mm512_add_ps(_mm512_shuffle_f32x4(a[2 * i], a[2 * i + 1], 0x88),
                             _mm512_shuffle_f32x4(a[2 * i], a[2 * i + 1], 0xDD));
    }
    // b[i]'s quarter q: four partial sums of v[4i + q].
    const __m512 c0 = _mm512_add_ps(_mm512_unpacklo_ps(b[0], b[1]), _mm512_unpackhi_ps(b[0], b[1]));
    const __m512 c1 = _mm512_add_ps(_mm512_unpacklo_ps(b[2], b[3]), _mm512_unpackhi_ps(b[2], b[3]));
    const __m512 e =
        _mm512_add_ps(_mm512_shuffle_ps(c0, c1, 0x44), _mm512_shuffle_ps(c0, c1, 0xEE));
    // e's lane 4q + i holds v[4i + q]'s sum.
    const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    return _mm512_permutexvar_ps(order, e);
}

// y[b * ldy + r] = w[r] . x[b] for the tile's kTileRows (4) rows and B <= 4 activation rows:
// 4B accumulators, 4 + B loads per 16 columns for 4B fused multiply-adds. n is a multiple of 16
// (quantized rows are whole 32-element blocks). Lane j sums the columns j mod 16 in order and
// sum16 adds the lanes as avx2_dot_f32 does, so a tile row equals dot_f32 of that row bit for
// bit (the rows left over at the end of a thread's range take dot_f32).
template <int B>
void tile_rows(const float* w, int64_t n, const float* x, float* y, int64_t ldy) {
    __m512 acc[16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) acc[i] = _mm512_setzero_ps();
    for (int64_t k = 0; k < n; k += 16) {
        __m512 wv[4];
#pragma GCC unroll 4
        for (int r = 0; r < 4; ++r) wv[r] = _mm512_loadu_ps(w + r * n + k);
#pragma GCC unroll 4
        for (int b = 0; b < B; ++b) {
            const __m512 xv = _mm512_loadu_ps(x + b * n + k);
#pragma GCC unroll 4
            for (int r = 0; r < 4; ++r) acc[4 * b + r] = _mm512_fmadd_ps(wv[r], xv, acc[4 * b + r]);
        }
    }
    alignas(64) float sums[16];
    _mm512_store_ps(sums, sum16(acc));
    for (int b = 0; b < B; ++b) std::copy_n(sums + 4 * b, 4, y + b * ldy);
}

using MicroFn = void (*)(int64_t, const float*, int64_t, const float*, float*, int64_t, bool);

template <size_t... I>
constexpr std::array<MicroFn, sizeof...(I)> micro_table(std::index_sequence<I...>) {
    return {&micro<static_cast<int>(I) + 1>...};
}
// kMicros[m - 1] takes m rows.
constexpr auto kMicros = micro_table(std::make_index_sequence<kAvx512MicroRows>{});

template <size_t... I>
constexpr std::array<MicroFn, sizeof...(I)> pair_table(std::index_sequence<I...>) {
    return {&micro_pair<static_cast<int>(I) + 1>...};
}
constexpr auto kPairMicros = pair_table(std::make_index_sequence<kAvx512PairRows>{});

}  // namespace

void avx512_gemm_micro(int64_t m, int64_t kc, const float* a, int64_t lda, const float* panel,
                       float* c, int64_t ldc, bool accumulate) {
    kMicros[std::clamp<int64_t>(m, 1, kAvx512MicroRows) - 1](kc, a, lda, panel, c, ldc, accumulate);
}

void avx512_gemm_micro_pair(int64_t m, int64_t kc, const float* a, int64_t lda, const float* panel,
                            float* c, int64_t ldc, bool accumulate) {
    kPairMicros[std::clamp<int64_t>(m, 1, kAvx512PairRows) - 1](kc, a, lda, panel, c, ldc,
                                                                accumulate);
}

void avx512_dot_tile(const float* w, int64_t n, const float* x, int64_t batch, float* y,
                     int64_t ldy) {
    int64_t b = 0;
    for (; b + 4 <= batch; b += 4) tile_rows<4>(w, n, x + b * n, y + b * ldy, ldy);
    switch (batch - b) {
        case 3:
            return tile_rows<3>(w, n, x + b * n, y + b * ldy, ldy);
        case 2:
            return tile_rows<2>(w, n, x + b * n, y + b * ldy, ldy);
        case 1:
            return tile_rows<1>(w, n, x + b * n, y + b * ldy, ldy);
        default:
            return;
    }
}

}  // namespace flash::kernels::detail
