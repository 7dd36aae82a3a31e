// NEON forms of the float kernels used per token and per prompt: dot products and axpy,
// rmsnorm's sum of squares, block sums for the exact quantized dots, f32 -> f16 rows for the KV
// cache, attention over the F16 or Q8_0 cache, and the f32 GEMM's panel packing and micro-kernel.
// Counterparts of elementwise_avx2.cpp, attention_avx2.cpp and gemm_avx2.cpp.
#include <arm_neon.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/kernels_internal.h"
#include "kernels/neon_common.h"

namespace flash::kernels::detail {

using neon::load_half4;

float neon_dot_f32(const float* a, const float* b, int64_t n) {
    float32x4_t acc[4] = {vdupq_n_f32(0), vdupq_n_f32(0), vdupq_n_f32(0), vdupq_n_f32(0)};
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        for (int k = 0; k < 4; ++k)
            acc[k] = vfmaq_f32(acc[k], vld1q_f32(a + i + 4 * k), vld1q_f32(b + i + 4 * k));
    }
    for (; i + 4 <= n; i += 4) acc[0] = vfmaq_f32(acc[0], vld1q_f32(a + i), vld1q_f32(b + i));
    float sum = vaddvq_f32(vaddq_f32(vaddq_f32(acc[0], acc[1]), vaddq_f32(acc[2], acc[3])));
    for (; i < n; ++i) sum += a[i] * b[i];
    return sum;
}

// Four rows against one x, x loaded once per four FMAs (see avx2_dot_f32_x4). Each row sums in
// neon_dot_f32's order (four accumulators over 16 columns, then 4, then the scalar tail), so a
// row of a tile and the same row alone give the same float.
void neon_dot_f32_x4(const float* w, int64_t stride, const float* x, int64_t n, float* out) {
    float32x4_t acc[4][4];
    for (auto& row : acc)
        for (float32x4_t& a : row) a = vdupq_n_f32(0);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        float32x4_t xv[4];
        for (int k = 0; k < 4; ++k) xv[k] = vld1q_f32(x + i + 4 * k);
        for (int r = 0; r < 4; ++r) {
            const float* wr = w + r * stride + i;
            for (int k = 0; k < 4; ++k)
                acc[r][k] = vfmaq_f32(acc[r][k], vld1q_f32(wr + 4 * k), xv[k]);
        }
    }
    for (; i + 4 <= n; i += 4) {
        const float32x4_t xv = vld1q_f32(x + i);
        for (int r = 0; r < 4; ++r)
            acc[r][0] = vfmaq_f32(acc[r][0], vld1q_f32(w + r * stride + i), xv);
    }
    for (int r = 0; r < 4; ++r) {
        float sum =
            vaddvq_f32(vaddq_f32(vaddq_f32(acc[r][0], acc[r][1]), vaddq_f32(acc[r][2], acc[r][3])));
        for (int64_t j = i; j < n; ++j) sum += w[r * stride + j] * x[j];
        out[r] = sum;
    }
}

void neon_axpy_f32(float* y, float a, const float* x, int64_t n) {
    const float32x4_t va = vdupq_n_f32(a);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vfmaq_f32(vld1q_f32(y + i), va, vld1q_f32(x + i)));
    for (; i < n; ++i) y[i] += a * x[i];
}

// Squares in float (as the reference), accumulated in double lanes.
double neon_sum_squares(const float* x, int64_t n) {
    float64x2_t acc0 = vdupq_n_f64(0), acc1 = vdupq_n_f64(0);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float32x4_t v = vld1q_f32(x + i);
        const float32x4_t sq = vmulq_f32(v, v);
        acc0 = vaddq_f64(acc0, vcvt_f64_f32(vget_low_f32(sq)));
        acc1 = vaddq_f64(acc1, vcvt_high_f64_f32(sq));
    }
    double sum = vaddvq_f64(vaddq_f64(acc0, acc1));
    for (; i < n; ++i) sum += static_cast<double>(x[i] * x[i]);
    return sum;
}

void neon_block_sums32(const float* x, int64_t n, float* sums) {
    for (int64_t b = 0; b < n / 32; ++b, x += 32) {
        float32x4_t s = vaddq_f32(vld1q_f32(x), vld1q_f32(x + 4));
        for (int k = 8; k < 32; k += 4) s = vaddq_f32(s, vld1q_f32(x + k));
        sums[b] = vaddvq_f32(s);
    }
}

void neon_f32_to_f16_row(const float* x, uint16_t* out, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1_u16(out + i, vreinterpret_u16_f16(vcvt_f16_f32(vld1q_f32(x + i))));
    for (; i < n; ++i) {
        const float16x4_t h = vcvt_f16_f32(vdupq_n_f32(x[i]));
        out[i] = vget_lane_u16(vreinterpret_u16_f16(h), 0);
    }
}

namespace {

// exp(x) for x <= 0: the same Cephes polynomial as avx2_common.h's exp_nonpositive.
float32x4_t exp_nonpositive(float32x4_t x) {
    const uint32x4_t tiny = vcltq_f32(x, vdupq_n_f32(-87.0f));
    x = vmaxq_f32(x, vdupq_n_f32(-87.0f));
    const float32x4_t n = vrndnq_f32(vmulq_f32(x, vdupq_n_f32(1.44269504088896341f)));
    float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(0.693359375f));
    r = vfmsq_f32(r, n, vdupq_n_f32(-2.12194440e-4f));
    float32x4_t p = vdupq_n_f32(1.9875691500e-4f);
    p = vfmaq_f32(vdupq_n_f32(1.3981999507e-3f), p, r);
    p = vfmaq_f32(vdupq_n_f32(8.3334519073e-3f), p, r);
    p = vfmaq_f32(vdupq_n_f32(4.1665795894e-2f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.6666665459e-1f), p, r);
    p = vfmaq_f32(vdupq_n_f32(5.0000001201e-1f), p, r);
    p = vfmaq_f32(vaddq_f32(r, vdupq_n_f32(1.0f)), p, vmulq_f32(r, r));
    const int32x4_t e = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23);
    const float32x4_t y = vmulq_f32(p, vreinterpretq_f32_s32(e));
    return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(y), tiny));
}

// Eight elements [d, d + 8) of one head's cache row as two float vectors: F16 rows convert,
// Q8_0 rows widen eight of a block's int8 values and scale them by the block's f16 scale.
struct HalfRow {
    static float32x4x2_t load8(const uint8_t* row, int64_t d) {
        const auto* h = reinterpret_cast<const uint16_t*>(row) + d;
        return {load_half4(h), load_half4(h + 4)};
    }
};
struct Q8Row {
    static float32x4x2_t load8(const uint8_t* row, int64_t d) {
        const uint8_t* block = row + (d / 32) * sizeof(BlockQ8_0);
        uint16_t bits;
        std::memcpy(&bits, block, sizeof bits);
        const float32x4_t scale =
            vdupq_laneq_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(bits))), 0);
        const int16x8_t w = vmovl_s8(vld1_s8(reinterpret_cast<const int8_t*>(block + 2 + d % 32)));
        return {vmulq_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(w))), scale),
                vmulq_f32(vcvtq_f32_s32(vmovl_high_s16(w)), scale)};
    }
};

template <class Row>
float score1(const float* q, const uint8_t* k, int64_t hd, float scale) {
    float32x4_t acc0 = vdupq_n_f32(0), acc1 = vdupq_n_f32(0);
    for (int64_t d = 0; d < hd; d += 8) {
        const float32x4x2_t kv = Row::load8(k, d);
        acc0 = vfmaq_f32(acc0, kv.val[0], vld1q_f32(q + d));
        acc1 = vfmaq_f32(acc1, kv.val[1], vld1q_f32(q + d + 4));
    }
    return vaddvq_f32(vaddq_f32(acc0, acc1)) * scale;
}

// out[0 .. 4B) = out * rescale + sum_i p[i] * v_i[d0 .. d0 + 4B), the accumulators in
// registers (B even).
template <class Row, int B>
void add_values(const float* p, int64_t n, const uint8_t* v, size_t v_stride, int64_t d0,
                float* out, float rescale) {
    float32x4_t acc[B];
#pragma GCC unroll 16
    for (int b = 0; b < B; ++b) acc[b] = vmulq_n_f32(vld1q_f32(out + 4 * b), rescale);
    for (int64_t i = 0; i < n; ++i, v += v_stride) {
        const float32x4_t pi = vdupq_n_f32(p[i]);
#pragma GCC unroll 8
        for (int b = 0; b < B; b += 2) {
            const float32x4x2_t vv = Row::load8(v, d0 + 4 * b);
            acc[b] = vfmaq_f32(acc[b], pi, vv.val[0]);
            acc[b + 1] = vfmaq_f32(acc[b + 1], pi, vv.val[1]);
        }
    }
#pragma GCC unroll 16
    for (int b = 0; b < B; ++b) vst1q_f32(out + 4 * b, acc[b]);
}

template <class Row>
void add_all_values(const AttentionRows& rows, const float* p, AttentionRun& run, float rescale) {
    const auto* v = static_cast<const uint8_t*>(rows.v);
    int64_t d = 0;
    for (; d + 64 <= run.head_dim_v; d += 64)
        add_values<Row, 16>(p, rows.n, v, rows.v_stride, d, run.out + d, rescale);
    for (; d < run.head_dim_v; d += 8)
        add_values<Row, 2>(p, rows.n, v, rows.v_stride, d, run.out + d, rescale);
}

}  // namespace

// attention_add for head dimensions that are multiples of 8 (32 for Q8_0 rows): scores one key
// at a time (two accumulators over the head dimension), an online softmax, values 64
// dimensions per pass.
float neon_scale_max(float* s, int64_t n, float scale) {
    float32x4_t vmax = vdupq_n_f32(-INFINITY);
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {
        const float32x4_t x = vmulq_n_f32(vld1q_f32(s + j), scale);
        vst1q_f32(s + j, x);
        vmax = vmaxq_f32(vmax, x);
    }
    float max = vmaxvq_f32(vmax);
    for (; j < n; ++j) {
        s[j] *= scale;
        max = s[j] > max ? s[j] : max;
    }
    return max;
}

float neon_exp_shifted(float* s, int64_t n, float max) {
    const float32x4_t vmax = vdupq_n_f32(max);
    float32x4_t vsum = vdupq_n_f32(0);
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {
        const float32x4_t p = exp_nonpositive(vsubq_f32(vld1q_f32(s + j), vmax));
        vst1q_f32(s + j, p);
        vsum = vaddq_f32(vsum, p);
    }
    float sum = vaddvq_f32(vsum);
    for (; j < n; ++j) {
        s[j] = std::exp(s[j] - max);
        sum += s[j];
    }
    return sum;
}

void neon_attention_add(AttentionRun& run, const AttentionRows& rows, const float* q, float scale,
                        float* scratch) {
    const int64_t n = rows.n;
    if (n <= 0) return;
    const auto* k = static_cast<const uint8_t*>(rows.k);
    for (int64_t j = 0; j < n; ++j)
        scratch[j] = rows.k_type == DType::Q8_0
                         ? score1<Q8Row>(q, k + j * rows.k_stride, run.head_dim, scale)
                         : score1<HalfRow>(q, k + j * rows.k_stride, run.head_dim, scale);
    float seg_max = -INFINITY;
    for (int64_t j = 0; j < n; ++j) seg_max = std::fmax(seg_max, scratch[j]);

    const float new_max = std::fmax(run.max, seg_max);
    const float rescale = run.sum > 0.0f ? std::exp(run.max - new_max) : 0.0f;
    const float seg_sum = neon_exp_shifted(scratch, n, new_max);

    if (rows.v_type == DType::Q8_0)
        add_all_values<Q8Row>(rows, scratch, run, rescale);
    else
        add_all_values<HalfRow>(rows, scratch, run, rescale);
    run.sum = run.sum * rescale + seg_sum;
    run.max = new_max;
}

namespace {

// Up to 6 activation rows times the 16-row k-major panel: 24 accumulators of NEON's 32
// registers, four panel loads and one scalar per row per k.
template <int M>
void micro(int64_t kc, const float* a, int64_t lda, const float* panel, float* c, int64_t ldc,
           bool accumulate) {
    static_assert(kPanelRows == 16);
    float32x4_t acc[M][4];
#pragma GCC unroll 6
    for (int i = 0; i < M; ++i) {
        for (int q = 0; q < 4; ++q)
            acc[i][q] = accumulate ? vld1q_f32(c + i * ldc + 4 * q) : vdupq_n_f32(0);
    }
    for (int64_t k = 0; k < kc; ++k) {
        const float32x4_t p0 = vld1q_f32(panel + k * 16), p1 = vld1q_f32(panel + k * 16 + 4);
        const float32x4_t p2 = vld1q_f32(panel + k * 16 + 8), p3 = vld1q_f32(panel + k * 16 + 12);
#pragma GCC unroll 6
        for (int i = 0; i < M; ++i) {
            const float av = a[i * lda + k];
            acc[i][0] = vfmaq_n_f32(acc[i][0], p0, av);
            acc[i][1] = vfmaq_n_f32(acc[i][1], p1, av);
            acc[i][2] = vfmaq_n_f32(acc[i][2], p2, av);
            acc[i][3] = vfmaq_n_f32(acc[i][3], p3, av);
        }
    }
#pragma GCC unroll 6
    for (int i = 0; i < M; ++i) {
        for (int q = 0; q < 4; ++q) vst1q_f32(c + i * ldc + 4 * q, acc[i][q]);
    }
}

}  // namespace

// panel[k * 16 + j] = rows[j * kc + k]: 4x4 blocks transposed with two rounds of trn.
void neon_pack_transpose(const float* rows, int64_t kc, float* panel) {
    int64_t k = 0;
    for (; k + 4 <= kc; k += 4) {
        for (int64_t j = 0; j < kPanelRows; j += 4) {
            const float* r = rows + j * kc + k;
            const float32x4x2_t t01 = vtrnq_f32(vld1q_f32(r), vld1q_f32(r + kc));
            const float32x4x2_t t23 = vtrnq_f32(vld1q_f32(r + 2 * kc), vld1q_f32(r + 3 * kc));
            float* out = panel + k * kPanelRows + j;
            vst1q_f32(out, vcombine_f32(vget_low_f32(t01.val[0]), vget_low_f32(t23.val[0])));
            vst1q_f32(out + kPanelRows,
                      vcombine_f32(vget_low_f32(t01.val[1]), vget_low_f32(t23.val[1])));
            vst1q_f32(out + 2 * kPanelRows,
                      vcombine_f32(vget_high_f32(t01.val[0]), vget_high_f32(t23.val[0])));
            vst1q_f32(out + 3 * kPanelRows,
                      vcombine_f32(vget_high_f32(t01.val[1]), vget_high_f32(t23.val[1])));
        }
    }
    for (; k < kc; ++k) {
        for (int64_t j = 0; j < kPanelRows; ++j) panel[k * kPanelRows + j] = rows[j * kc + k];
    }
}

void neon_gemm_micro(int64_t m, int64_t kc, const float* a, int64_t lda, const float* panel,
                     float* c, int64_t ldc, bool accumulate) {
    static_assert(kMicroRows == 6);
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
