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

// The 8x8 block of floats at rows[j * ld + k], j, k < 8, transposed into out[k * 16 + j].
inline void transpose8x8(const float* rows, int64_t ld, float* out) {
    __m256 r[8];
    for (int j = 0; j < 8; ++j) r[j] = _mm256_loadu_ps(rows + j * ld);
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps(out + 0 * 16, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(out + 1 * 16, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(out + 2 * 16, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(out + 3 * 16, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(out + 4 * 16, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(out + 5 * 16, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(out + 6 * 16, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(out + 7 * 16, _mm256_permute2f128_ps(u3, u7, 0x31));
}

}  // namespace

void avx2_pack_transpose(const float* rows, int64_t kc, float* panel) {
    int64_t k = 0;
    for (; k + 8 <= kc; k += 8) {
        transpose8x8(rows + k, kc, panel + k * 16);
        transpose8x8(rows + 8 * kc + k, kc, panel + k * 16 + 8);
    }
    for (; k < kc; ++k) {
        for (int64_t j = 0; j < kPanelRows; ++j) panel[k * kPanelRows + j] = rows[j * kc + k];
    }
}

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
