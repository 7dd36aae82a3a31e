// The GEMM micro-kernel for AVX2+FMA (see gemm.cpp): up to 6 activation rows times a 16-row
// k-major panel, 12 accumulators held in registers across the whole chunk. Per k: two panel
// loads, one broadcast per row, two FMAs per row. Zen 4 and recent Intel cores issue two FMAs
// per cycle, so 12 independent accumulators also cover the FMA latency (4 cycles x 2 ports).
#include <immintrin.h>

#include "kernels/kernels_internal.h"

namespace flash::kernels::detail {
namespace {

template <int M>
void micro(int64_t kc, const float* a, int64_t lda, const float* panel, float* c, int64_t ldc,
           bool accumulate) {
    static_assert(kPanelRows == 16);
    __m256 lo[M], hi[M];
#pragma GCC unroll 6
    for (int i = 0; i < M; ++i) {
        lo[i] = accumulate ? _mm256_loadu_ps(c + i * ldc) : _mm256_setzero_ps();
        hi[i] = accumulate ? _mm256_loadu_ps(c + i * ldc + 8) : _mm256_setzero_ps();
    }
    for (int64_t k = 0; k < kc; ++k) {
        const __m256 p0 = _mm256_loadu_ps(panel + k * 16);
        const __m256 p1 = _mm256_loadu_ps(panel + k * 16 + 8);
#pragma GCC unroll 6
        for (int i = 0; i < M; ++i) {
            const __m256 av = _mm256_broadcast_ss(a + i * lda + k);
            lo[i] = _mm256_fmadd_ps(av, p0, lo[i]);
            hi[i] = _mm256_fmadd_ps(av, p1, hi[i]);
        }
    }
#pragma GCC unroll 6
    for (int i = 0; i < M; ++i) {
        _mm256_storeu_ps(c + i * ldc, lo[i]);
        _mm256_storeu_ps(c + i * ldc + 8, hi[i]);
    }
}

}  // namespace

void avx2_gemm_micro(int64_t m, int64_t kc, const float* a, int64_t lda, const float* panel,
                     float* c, int64_t ldc, bool accumulate) {
    switch (m) {
        case 1:
            return micro<1>(kc, a, lda, panel, c, ldc, accumulate);
        case 2:
            return micro<2>(kc, a, lda, panel, c, ldc, accumulate);
        case 3:
            return micro<3>(kc, a, lda, panel, c, ldc, accumulate);
        case 4:
            return micro<4>(kc, a, lda, panel, c, ldc, accumulate);
        case 5:
            return micro<5>(kc, a, lda, panel, c, ldc, accumulate);
        default:
            return micro<6>(kc, a, lda, panel, c, ldc, accumulate);
    }
}

}  // namespace flash::kernels::detail
