// AVX-512 dequantization of the 32-element block formats, bit-identical to dequant_ref.cpp as
// the AVX2 versions are (see dequant_avx2.cpp: exact integer-to-float conversion, the
// reference's scalar scales, one IEEE multiply per element and a separate add for the minimum;
// built with -ffp-contract=off). Sixteen elements per instruction. Exact matmuls with several
// activation rows (a server's decode steps, prompts) dequantize every weight once per call,
// which made these a fifth of a 16-stream server's time with the AVX2 versions.
#include "core/dtype.h"
#include "kernels/avx2_common.h"
#include "kernels/avx512_common.h"
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
        store_block(y, minus(q5_values(x[i].qs, x[i].qh), 16), block_head(&x[i]));
    }
}

void deq_q5_1(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ5_1*>(src);
    for (int64_t i = 0; i < n / QK5_1; ++i, y += QK5_1) {
        store_block_min(y, q5_values(x[i].qs, x[i].qh), block_head(&x[i]));
    }
}

}  // namespace detail::deq_avx512
}  // namespace flash::kernels
