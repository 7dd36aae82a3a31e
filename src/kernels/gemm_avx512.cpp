// The f32 GEMM micro-kernel on AVX-512 (see gemm.cpp): up to 12 activation rows times a 16-row
// k-major panel. The panel's 16 floats are one zmm, so each row has one accumulator and 12 rows
// keep 12 independent FMAs in flight (4 cycles of latency x 2 ports on CPUs with two 512-bit
// FMA units). Per k: one panel load, one broadcast per row, one FMA per row. Every output lane
// sums its products in k order, as the AVX2 kernel does, so the two give the same floats.
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

using MicroFn = void (*)(int64_t, const float*, int64_t, const float*, float*, int64_t, bool);

template <size_t... I>
constexpr std::array<MicroFn, sizeof...(I)> micro_table(std::index_sequence<I...>) {
    return {&micro<static_cast<int>(I) + 1>...};
}
// kMicros[m - 1] takes m rows.
constexpr auto kMicros = micro_table(std::make_index_sequence<kAvx512MicroRows>{});

}  // namespace

void avx512_gemm_micro(int64_t m, int64_t kc, const float* a, int64_t lda, const float* panel,
                       float* c, int64_t ldc, bool accumulate) {
    kMicros[std::clamp<int64_t>(m, 1, kAvx512MicroRows) - 1](kc, a, lda, panel, c, ldc, accumulate);
}

}  // namespace flash::kernels::detail
