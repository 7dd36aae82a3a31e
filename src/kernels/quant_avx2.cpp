// AVX2 activation quantizers (the AVX2 dequantizers live in dequant_avx2.cpp). These must
// produce exactly the bytes of the scalar references, so every step mirrors them: the same
// scalar scale computation, one IEEE multiply per element, the same rounding rule, and no
// fused multiply-add where the reference rounds twice (built with -ffp-contract=off).
#include <cstring>

#include "core/dtype.h"
#include "core/fp16.h"
#include "kernels/avx2_common.h"
#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"
#include "kernels/type_kernels.h"

namespace flash::kernels {
namespace detail::act_avx2 {

using namespace avx2;

inline __m256 abs_ps(__m256 v) {
    return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v);
}

inline float hmax(__m256 v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

// roundf semantics (half away from zero): truncate, then step away from zero when the
// dropped fraction (exact) is at least one half. Clamped like round_away_i8.
inline __m256 round_away(__m256 v) {
    const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m256 frac = abs_ps(_mm256_sub_ps(v, t));
    const __m256 step = _mm256_or_ps(_mm256_set1_ps(1.0f), _mm256_and_ps(v, _mm256_set1_ps(-0.0f)));
    const __m256 up = _mm256_cmp_ps(frac, _mm256_set1_ps(0.5f), _CMP_GE_OQ);
    const __m256 r = _mm256_add_ps(t, _mm256_and_ps(up, step));
    return _mm256_min_ps(_mm256_max_ps(r, _mm256_set1_ps(-127.0f)), _mm256_set1_ps(127.0f));
}

// Four vectors of 8 integral floats -> 32 int8 in element order.
inline __m256i pack_i8(__m256i a, __m256i b, __m256i c, __m256i d) {
    const __m256i ab = _mm256_packs_epi32(a, b), cd = _mm256_packs_epi32(c, d);
    const __m256i v = _mm256_packs_epi16(ab, cd);
    return _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// One 32-element Q8_0/Q8_1 block: writes d and qs, returns sum(q) and d through `d_out`.
inline int quant_block32(const float* x, uint16_t* d_bits, int8_t* qs, float* d_out) {
    __m256 v[4];
    __m256 m = _mm256_setzero_ps();
    for (int k = 0; k < 4; ++k) {
        v[k] = _mm256_loadu_ps(x + 8 * k);
        m = _mm256_max_ps(m, abs_ps(v[k]));
    }
    const float amax = hmax(m);
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    *d_bits =
        _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);  // F16C: the reference's rounding, no branches
    *d_out = d;
    const __m256 vid = _mm256_set1_ps(id);
    __m256i q[4];
    for (int k = 0; k < 4; ++k) q[k] = _mm256_cvtps_epi32(round_away(_mm256_mul_ps(v[k], vid)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(qs), pack_i8(q[0], q[1], q[2], q[3]));
    return hsum_i32(_mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3])));
}

void quant_q8_0(const float* x, void* out, int64_t n) {
    auto* y = static_cast<BlockQ8_0*>(out);
    for (int64_t i = 0; i < n / QK8_0; ++i, x += QK8_0) {
        float d;
        uint16_t bits;
        quant_block32(x, &bits, y[i].qs, &d);
        y[i].d = bits;
    }
}

void quant_q8_1(const float* x, void* out, int64_t n) {
    auto* y = static_cast<BlockQ8_1*>(out);
    for (int64_t i = 0; i < n / QK8_1; ++i, x += QK8_1) {
        float d;
        uint16_t bits;
        const int sum = quant_block32(x, &bits, y[i].qs, &d);
        y[i].d = bits;
        y[i].s = f32_to_fp16(static_cast<float>(sum) * d);
    }
}

void quant_q8_k(const float* x, void* out, int64_t n) {
    auto* y = static_cast<BlockQ8_K*>(out);
    for (int64_t i = 0; i < n / QK_K; ++i, x += QK_K) {
        __m256 m = _mm256_setzero_ps();
        for (int k = 0; k < QK_K; k += 8) m = _mm256_max_ps(m, abs_ps(_mm256_loadu_ps(x + k)));
        const float amax = hmax(m);
        std::memset(&y[i], 0, sizeof(BlockQ8_K));
        if (amax == 0.0f) continue;
        // The reference keeps the first element of largest magnitude (its sign sets d's sign).
        const __m256 vmax = _mm256_set1_ps(amax);
        float max = 0.0f;
        for (int k = 0; k < QK_K; k += 8) {
            const int hit =
                _mm256_movemask_ps(_mm256_cmp_ps(abs_ps(_mm256_loadu_ps(x + k)), vmax, _CMP_EQ_OQ));
            if (hit) {
                max = x[k + __builtin_ctz(static_cast<unsigned>(hit))];
                break;
            }
        }
        const float iscale = -127.0f / max;
        const __m256 vs = _mm256_set1_ps(iscale);
        const __m256 lo = _mm256_set1_ps(-128.0f), hi = _mm256_set1_ps(127.0f);
        for (int k = 0; k < QK_K; k += 32) {
            __m256i q[4];
            for (int j = 0; j < 4; ++j) {
                __m256 v = _mm256_mul_ps(_mm256_loadu_ps(x + k + 8 * j), vs);
                v = _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
                q[j] = _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(v, lo), hi));
            }
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(y[i].qs + k),
                                pack_i8(q[0], q[1], q[2], q[3]));
            y[i].bsums[k / 16] = static_cast<int16_t>(hsum_i32(_mm256_add_epi32(q[0], q[1])));
            y[i].bsums[k / 16 + 1] = static_cast<int16_t>(hsum_i32(_mm256_add_epi32(q[2], q[3])));
        }
        y[i].d = 1.0f / iscale;
    }
}

}  // namespace detail::act_avx2

}  // namespace flash::kernels
