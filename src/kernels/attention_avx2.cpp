// AVX2+FMA+F16C attention_add (see attention.cpp), over F16 or Q8_0 cache rows. Scores: eight keys
// at a time, each with its own accumulator over the head dimension, reduced to one vector of eight
// scores by a transposing horizontal add. Values: the output is walked in blocks of 64 dimensions
// held in eight registers while every position's weighted value row is added.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/avx2_common.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels::detail {
namespace {

using avx2::exp_nonpositive;
using avx2::hsum;

// Eight elements [d, d + 8) of one head's cache row, as floats. F16 rows convert. Q8_0 rows
// widen eight int8 values; their block's f16 scale (`scale`, one per kGroup elements) is
// applied once per block and key in the scores and folded into the softmax weight for values.
struct HalfRow {
    static constexpr int64_t kGroup = 8;
    static constexpr bool kScaled = false;
    static __m256 load8(const uint8_t* row, int64_t d) {
        return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(row + 2 * d)));
    }
    static float scale(const uint8_t*, int64_t) { return 1.0f; }
};
struct Q8Row {
    static constexpr int64_t kGroup = QK8_0;
    static constexpr bool kScaled = true;
    static __m256 load8(const uint8_t* row, int64_t d) {
        const uint8_t* q = row + (d / QK8_0) * sizeof(BlockQ8_0) + 2 + d % QK8_0;
        return _mm256_cvtepi32_ps(
            _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(q))));
    }
    static float scale(const uint8_t* row, int64_t d) {
        uint16_t bits;
        std::memcpy(&bits, row + (d / QK8_0) * sizeof(BlockQ8_0), sizeof bits);
        return _cvtsh_ss(bits);
    }
};

// scale * q·k over one group of Row::kGroup elements starting at d, added to acc.
template <class Row>
inline __m256 group_dot(const __m256* qv, const uint8_t* k, int64_t d, __m256 acc) {
    if constexpr (!Row::kScaled) {
        return _mm256_fmadd_ps(Row::load8(k, d), qv[0], acc);
    } else {
        __m256 s = _mm256_mul_ps(Row::load8(k, d), qv[0]);
#pragma GCC unroll 4
        for (int c = 1; c < Row::kGroup / 8; ++c)
            s = _mm256_fmadd_ps(Row::load8(k, d + 8 * c), qv[c], s);
        return _mm256_fmadd_ps(s, _mm256_set1_ps(Row::scale(k, d)), acc);
    }
}

// scores[j] = scale * q·k_j for j < 8.
template <class Row>
void score8(const float* q, const uint8_t* k, size_t k_stride, int64_t hd, float scale,
            float* scores) {
    __m256 acc[8];
    for (__m256& a : acc) a = _mm256_setzero_ps();
    for (int64_t d = 0; d < hd; d += Row::kGroup) {
        __m256 qv[Row::kGroup / 8];
        for (int c = 0; c < Row::kGroup / 8; ++c) qv[c] = _mm256_loadu_ps(q + d + 8 * c);
#pragma GCC unroll 8
        for (int j = 0; j < 8; ++j) acc[j] = group_dot<Row>(qv, k + j * k_stride, d, acc[j]);
    }
    // Transpose-and-add: lane j of the result is the sum of acc[j]'s eight lanes.
    const __m256 t0 = _mm256_hadd_ps(acc[0], acc[1]), t1 = _mm256_hadd_ps(acc[2], acc[3]);
    const __m256 t2 = _mm256_hadd_ps(acc[4], acc[5]), t3 = _mm256_hadd_ps(acc[6], acc[7]);
    const __m256 u0 = _mm256_hadd_ps(t0, t1), u1 = _mm256_hadd_ps(t2, t3);
    const __m256 sum =
        _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
    _mm256_storeu_ps(scores, _mm256_mul_ps(sum, _mm256_set1_ps(scale)));
}

template <class Row>
float score1(const float* q, const uint8_t* k, int64_t hd, float scale) {
    __m256 acc = _mm256_setzero_ps();
    for (int64_t d = 0; d < hd; d += Row::kGroup) {
        __m256 qv[Row::kGroup / 8];
        for (int c = 0; c < Row::kGroup / 8; ++c) qv[c] = _mm256_loadu_ps(q + d + 8 * c);
        acc = group_dot<Row>(qv, k, d, acc);
    }
    return hsum(acc) * scale;
}

// out[0 .. 8B) = out * rescale + sum_i p[i] * v_i[d0 .. d0 + 8B), the accumulators in
// registers. A Q8_0 row's scale joins p[i] once per block.
template <class Row, int B>
void add_values(const float* p, int64_t n, const uint8_t* v, size_t v_stride, int64_t d0,
                float* out, float rescale) {
    constexpr int kPerGroup = static_cast<int>(Row::kGroup / 8) < B ? Row::kGroup / 8 : B;
    const __m256 r = _mm256_set1_ps(rescale);
    __m256 acc[B];
#pragma GCC unroll 8
    for (int b = 0; b < B; ++b) acc[b] = _mm256_mul_ps(_mm256_loadu_ps(out + 8 * b), r);
    for (int64_t i = 0; i < n; ++i, v += v_stride) {
#pragma GCC unroll 8
        for (int b = 0; b < B; b += kPerGroup) {
            const __m256 pi =
                _mm256_set1_ps(Row::kScaled ? p[i] * Row::scale(v, d0 + 8 * b) : p[i]);
#pragma GCC unroll 4
            for (int c = 0; c < kPerGroup; ++c)
                acc[b + c] = _mm256_fmadd_ps(pi, Row::load8(v, d0 + 8 * (b + c)), acc[b + c]);
        }
    }
#pragma GCC unroll 8
    for (int b = 0; b < B; ++b) _mm256_storeu_ps(out + 8 * b, acc[b]);
}

// Scores of the n keys into scratch, then their maximum.
template <class Row>
float score_keys(const AttentionRows& rows, const float* q, int64_t hd, float scale,
                 float* scratch) {
    const int64_t n = rows.n;
    const auto* k = static_cast<const uint8_t*>(rows.k);
    int64_t j = 0;
    for (; j + 8 <= n; j += 8)
        score8<Row>(q, k + j * rows.k_stride, rows.k_stride, hd, scale, scratch + j);
    for (; j < n; ++j) scratch[j] = score1<Row>(q, k + j * rows.k_stride, hd, scale);

    __m256 vmax = _mm256_set1_ps(-INFINITY);
    j = 0;
    for (; j + 8 <= n; j += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(scratch + j));
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, vmax);
    float seg_max = lanes[0];
    for (int i = 1; i < 8; ++i) seg_max = std::fmax(seg_max, lanes[i]);
    for (; j < n; ++j) seg_max = std::fmax(seg_max, scratch[j]);
    return seg_max;
}

// Values, 64 dimensions (eight registers) per pass over the positions, then 8 at a time.
template <class Row>
void add_all_values(const AttentionRows& rows, const float* p, AttentionRun& run, float rescale) {
    const auto* v = static_cast<const uint8_t*>(rows.v);
    int64_t d = 0;
    for (; d + 64 <= run.head_dim_v; d += 64)
        add_values<Row, 8>(p, rows.n, v, rows.v_stride, d, run.out + d, rescale);
    for (; d < run.head_dim_v; d += 8)
        add_values<Row, 1>(p, rows.n, v, rows.v_stride, d, run.out + d, rescale);
}

}  // namespace

void avx2_attention_add(AttentionRun& run, const AttentionRows& rows, const float* q, float scale,
                        float* scratch) {
    const int64_t n = rows.n, hd = run.head_dim;
    if (n <= 0) return;
    const float seg_max = rows.k_type == DType::Q8_0
                              ? score_keys<Q8Row>(rows, q, hd, scale, scratch)
                              : score_keys<HalfRow>(rows, q, hd, scale, scratch);

    const float new_max = std::fmax(run.max, seg_max);
    const float rescale = run.sum > 0.0f ? std::exp(run.max - new_max) : 0.0f;
    const float seg_sum = avx2_exp_shifted(scratch, n, new_max);

    if (rows.v_type == DType::Q8_0)
        add_all_values<Q8Row>(rows, scratch, run, rescale);
    else
        add_all_values<HalfRow>(rows, scratch, run, rescale);
    run.sum = run.sum * rescale + seg_sum;
    run.max = new_max;
}

float avx2_scale_max(float* s, int64_t n, float scale) {
    const __m256 vscale = _mm256_set1_ps(scale);
    __m256 vmax = _mm256_set1_ps(-INFINITY);
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) {
        const __m256 x = _mm256_mul_ps(_mm256_loadu_ps(s + j), vscale);
        _mm256_storeu_ps(s + j, x);
        vmax = _mm256_max_ps(vmax, x);
    }
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, vmax);
    float max = lanes[0];
    for (int i = 1; i < 8; ++i) max = lanes[i] > max ? lanes[i] : max;
    for (; j < n; ++j) {
        s[j] *= scale;
        max = s[j] > max ? s[j] : max;
    }
    return max;
}

float avx2_exp_shifted(float* s, int64_t n, float max) {
    const __m256 vmax = _mm256_set1_ps(max);
    __m256 vsum = _mm256_setzero_ps();
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) {
        const __m256 p = exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(s + j), vmax));
        _mm256_storeu_ps(s + j, p);
        vsum = _mm256_add_ps(vsum, p);
    }
    float sum = hsum(vsum);
    for (; j < n; ++j) {
        s[j] = std::exp(s[j] - max);
        sum += s[j];
    }
    return sum;
}

void avx2_f32_to_f16_row(const float* x, uint16_t* out, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), h);
    }
    for (; i < n; ++i) out[i] = static_cast<uint16_t>(_cvtss_sh(x[i], _MM_FROUND_TO_NEAREST_INT));
}

}  // namespace flash::kernels::detail
