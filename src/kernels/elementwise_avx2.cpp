// AVX2 forms of the float reductions used per token (attention scores, value accumulation,
// rmsnorm's sum of squares).
#include "kernels/avx2_common.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels::detail {

using avx2::hsum;

float avx2_dot_f32(const float* a, const float* b, int64_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), acc1);
    }
    for (; i + 8 <= n; i += 8) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc0);
    }
    float sum = hsum(_mm256_add_ps(acc0, acc1));
    for (; i < n; ++i) sum += a[i] * b[i];
    return sum;
}

// Four rows against one x: x is loaded once per four FMAs instead of once per FMA, and two
// accumulators per row (eight chains) keep the FMA units busy. n a multiple of 16 only in the
// fast loop; the tail is scalar.
void avx2_dot_f32_x4(const float* w, int64_t stride, const float* x, int64_t n, float* out) {
    __m256 acc[8];
    for (__m256& a : acc) a = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256 x0 = _mm256_loadu_ps(x + i), x1 = _mm256_loadu_ps(x + i + 8);
        for (int r = 0; r < 4; ++r) {
            const float* wr = w + r * stride + i;
            acc[2 * r] = _mm256_fmadd_ps(_mm256_loadu_ps(wr), x0, acc[2 * r]);
            acc[2 * r + 1] = _mm256_fmadd_ps(_mm256_loadu_ps(wr + 8), x1, acc[2 * r + 1]);
        }
    }
    for (int r = 0; r < 4; ++r) {
        float sum = hsum(_mm256_add_ps(acc[2 * r], acc[2 * r + 1]));
        for (int64_t j = i; j < n; ++j) sum += w[r * stride + j] * x[j];
        out[r] = sum;
    }
}

void avx2_axpy_f32(float* y, float a, const float* x, int64_t n) {
    const __m256 va = _mm256_set1_ps(a);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm256_storeu_ps(y + i,
                         _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    }
    for (; i < n; ++i) y[i] += a * x[i];
}

// Squares in float (as the reference), accumulated in double lanes to keep long rows exact.
double avx2_sum_squares(const float* x, int64_t n) {
    __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256 sq = _mm256_mul_ps(v, v);
        acc0 = _mm256_add_pd(acc0, _mm256_cvtps_pd(_mm256_castps256_ps128(sq)));
        acc1 = _mm256_add_pd(acc1, _mm256_cvtps_pd(_mm256_extractf128_ps(sq, 1)));
    }
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, _mm256_add_pd(acc0, acc1));
    double sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for (; i < n; ++i) sum += static_cast<double>(x[i] * x[i]);
    return sum;
}

}  // namespace flash::kernels::detail
