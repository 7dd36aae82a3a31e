// AVX2 forms of the float reductions used per token (attention scores, value accumulation,
// rmsnorm's sum of squares) and of the gated activations (SwiGLU, GeGLU).
#include <algorithm>

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

namespace {

using avx2::exp_nonpositive;

// silu(x) = x * sigmoid(x), with e = exp(-|x|) <= 1 so nothing overflows: x / (1 + e) for
// x >= 0, x * e / (1 + e) below.
inline __m256 silu8(__m256 x) {
    const __m256 e = exp_nonpositive(_mm256_or_ps(_mm256_set1_ps(-0.0f), x));
    const __m256 negative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
    const __m256 num = _mm256_blendv_ps(x, _mm256_mul_ps(x, e), negative);
    return _mm256_div_ps(num, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

// GELU's tanh form, 0.5 x (1 + tanh(y)), y = sqrt(2/pi) x (1 + 0.044715 x^2), with
// tanh(|y|) = (1 - e) / (1 + e), e = exp(-2|y|), and y's sign restored.
inline __m256 gelu8(__m256 x) {
    const __m256 sign = _mm256_set1_ps(-0.0f), one = _mm256_set1_ps(1.0f);
    const __m256 x2 = _mm256_mul_ps(x, x);
    const __m256 y =
        _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.79788456080286535587989211986876f), x),
                      _mm256_fmadd_ps(_mm256_set1_ps(0.044715f), x2, one));
    const __m256 e =
        exp_nonpositive(_mm256_mul_ps(_mm256_set1_ps(-2.0f), _mm256_andnot_ps(sign, y)));
    const __m256 t = _mm256_div_ps(_mm256_sub_ps(one, e), _mm256_add_ps(one, e));
    const __m256 tanh_y = _mm256_or_ps(t, _mm256_and_ps(sign, y));
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), _mm256_add_ps(one, tanh_y));
}

// gate[i] = act(gate[i]) * up[i], eight at a time; the last few go through a padded copy so every
// element is computed the same way wherever it falls (the thread split of rows relies on it).
template <__m256 (*Act)(__m256)>
void glu8(float* gate, const float* up, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(gate + i,
                         _mm256_mul_ps(Act(_mm256_loadu_ps(gate + i)), _mm256_loadu_ps(up + i)));
    if (i == n) return;
    alignas(32) float g[8] = {}, u[8] = {};
    std::copy(gate + i, gate + n, g);
    std::copy(up + i, up + n, u);
    _mm256_store_ps(g, _mm256_mul_ps(Act(_mm256_load_ps(g)), _mm256_load_ps(u)));
    std::copy(g, g + (n - i), gate + i);
}

}  // namespace

void avx2_swiglu(float* gate, const float* up, int64_t n) {
    glu8<silu8>(gate, up, n);
}

void avx2_geglu(float* gate, const float* up, int64_t n) {
    glu8<gelu8>(gate, up, n);
}

}  // namespace flash::kernels::detail
