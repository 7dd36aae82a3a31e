// AVX-512 dequantization of the 32-element block formats and Q4_K, bit-identical to dequant_ref.cpp
// as the AVX2 versions are (see dequant_avx2.cpp: exact integer-to-float conversion, the
// reference's scalar scales, one IEEE multiply per element and a separate add for the minimum;
// built with -ffp-contract=off). Sixteen elements per instruction. Exact matmuls with several
// activation rows (a server's decode steps, prompts) dequantize every weight once per call,
// which made these a fifth of a 16-stream server's time with the AVX2 versions.
#include "core/dtype.h"
#include "kernels/avx2_common.h"
#include "kernels/avx512_common.h"
#include "kernels/k_scales.h"
#include "kernels/kernels_internal.h"
#include "kernels/type_kernels.h"

namespace flash::kernels {
namespace detail::deq_avx512 {

using namespace avx2;
using namespace avx512;

namespace {

// y[0..31] = q * d (+ m): the two halves of a block, d and m taken from the block's head
// (block_head: lanes 0 and 1).
inline void store_block(float* y, Nibbles q, __m128 head) {
    const __m512 vd = _mm512_broadcastss_ps(head);
    _mm512_storeu_ps(y, _mm512_mul_ps(_mm512_cvtepi32_ps(q.lo), vd));
    _mm512_storeu_ps(y + 16, _mm512_mul_ps(_mm512_cvtepi32_ps(q.hi), vd));
}
inline void store_block_min(float* y, Nibbles q, __m128 head) {
    const __m512 vd = _mm512_broadcastss_ps(head);
    const __m512 vm = _mm512_broadcastss_ps(_mm_movehdup_ps(head));
    _mm512_storeu_ps(y, _mm512_add_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(q.lo), vd), vm));
    _mm512_storeu_ps(y + 16, _mm512_add_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(q.hi), vd), vm));
}

}  // namespace

void deq_q8_0(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ8_0*>(src);
    for (int64_t i = 0; i < n / QK8_0; ++i, y += QK8_0) {
        store_block(y, {widen16s(x[i].qs), widen16s(x[i].qs + 16)}, block_head(&x[i]));
    }
}

void deq_q4_0(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ4_0*>(src);
    for (int64_t i = 0; i < n / QK4_0; ++i, y += QK4_0) {
        store_block(y, minus(nibbles(x[i].qs), 8), block_head(&x[i]));
    }
}

void deq_q4_1(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ4_1*>(src);
    for (int64_t i = 0; i < n / QK4_1; ++i, y += QK4_1) {
        store_block_min(y, nibbles(x[i].qs), block_head(&x[i]));
    }
}

void deq_q5_0(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ5_0*>(src);
    for (int64_t i = 0; i < n / QK5_0; ++i, y += QK5_0) {
        store_block(y, q5_values_minus16(x[i].qs, x[i].qh), block_head(&x[i]));
    }
}

void deq_q5_1(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ5_1*>(src);
    for (int64_t i = 0; i < n / QK5_1; ++i, y += QK5_1) {
        store_block_min(y, q5_values(x[i].qs, x[i].qh), block_head(&x[i]));
    }
}

// Q4_K: per 64 elements (pair p), the 32 bytes qs[32p..] hold sub-block 2p in their low nibbles
// and 2p + 1 in their high ones; y = (d * sc) * q - dmin * m, as the reference rounds it.
void deq_q4_k(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ4_K*>(src);
    const __m512i m4 = _mm512_set1_epi32(0x0F);
    for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
        const float d = half(x[i].d), dmin = half(x[i].dmin);
        for (int p = 0; p < 4; ++p) {
            uint8_t sc0, m0, sc1, m1;
            k4_scale_min(2 * p, x[i].scales, sc0, m0);
            k4_scale_min(2 * p + 1, x[i].scales, sc1, m1);
            const __m512 d0 = _mm512_set1_ps(d * sc0), n0 = _mm512_set1_ps(dmin * m0);
            const __m512 d1 = _mm512_set1_ps(d * sc1), n1 = _mm512_set1_ps(dmin * m1);
            for (int k = 0; k < 2; ++k) {
                const __m512i b = widen16u(x[i].qs + 32 * p + 16 * k);
                const __m512 lo = _mm512_cvtepi32_ps(_mm512_and_si512(b, m4));
                const __m512 hi = _mm512_cvtepi32_ps(_mm512_srli_epi32(b, 4));
                _mm512_storeu_ps(y + 64 * p + 16 * k, _mm512_sub_ps(_mm512_mul_ps(d0, lo), n0));
                _mm512_storeu_ps(y + 64 * p + 32 + 16 * k,
                                 _mm512_sub_ps(_mm512_mul_ps(d1, hi), n1));
            }
        }
    }
}

}  // namespace detail::deq_avx512
}  // namespace flash::kernels
