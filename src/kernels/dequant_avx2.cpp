// AVX2 dequantization of every weight type, bit-identical to dequant_ref.cpp. Dequantization is
// elementwise, so equality only needs each element to see the reference's operations in the
// reference's order: integer quants convert to float exactly, the per-(sub-)block scales are
// computed with the same scalar float expressions, and each element then gets one IEEE multiply
// (and one separate add / subtract where the reference has one; never a fused multiply-add —
// the file is built with -ffp-contract=off). Quants are widened 8 at a time to int32 lanes with
// vpmovzxbd straight from the block, where masks and shifts pick nibbles and bit fields.
#include <cstring>

#include "core/dtype.h"
#include "kernels/avx2_common.h"
#include "kernels/k_scales.h"
#include "kernels/kernels_internal.h"
#include "kernels/type_kernels.h"

namespace flash::kernels {
namespace detail::deq_avx2 {

using namespace avx2;

// Bytes p[0..7] as eight int32 lanes.
inline __m256i widen8(const uint8_t* p) {
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}

inline __m256 to_float(__m256i v) {
    return _mm256_cvtepi32_ps(v);
}

// y[0..7] = q * d
inline void store_mul(float* y, __m256i q, __m256 d) {
    _mm256_storeu_ps(y, _mm256_mul_ps(to_float(q), d));
}

// y[0..7] = q * d + m   (two roundings, as the reference)
inline void store_mul_add(float* y, __m256i q, __m256 d, __m256 m) {
    _mm256_storeu_ps(y, _mm256_add_ps(_mm256_mul_ps(to_float(q), d), m));
}

// y[0..7] = d * q - m   (two roundings, as the reference)
inline void store_mul_sub(float* y, __m256i q, __m256 d, __m256 m) {
    _mm256_storeu_ps(y, _mm256_sub_ps(_mm256_mul_ps(d, to_float(q)), m));
}

// ---- Float types ----------------------------------------------------------------------------

void deq_f16(const void* src, float* y, int64_t n) {
    const auto* s = static_cast<const uint8_t*>(src);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_cvtph_ps(load128(s + 2 * i)));
    for (; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, s + 2 * i, 2);
        y[i] = half(h);
    }
}

// bf16 is the top half of an f32: widening and shifting is the whole conversion.
void deq_bf16(const void* src, float* y, int64_t n) {
    const auto* s = static_cast<const uint8_t*>(src);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256i u = _mm256_cvtepu16_epi32(load128(s + 2 * i));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + i), _mm256_slli_epi32(u, 16));
    }
    for (; i < n; ++i) {
        const uint32_t bits = static_cast<uint32_t>(s[2 * i] | (s[2 * i + 1] << 8)) << 16;
        std::memcpy(y + i, &bits, 4);
    }
}

// ---- 32-element blocks ----------------------------------------------------------------------

void deq_q8_0(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ8_0*>(src);
    for (int64_t i = 0; i < n / QK8_0; ++i, y += QK8_0) {
        const __m256 d = _mm256_set1_ps(half(x[i].d));
        for (int k = 0; k < QK8_0; k += 8) {
            const __m256i q = _mm256_cvtepi8_epi32(
                _mm_loadl_epi64(reinterpret_cast<const __m128i*>(x[i].qs + k)));
            store_mul(y + k, q, d);
        }
    }
}

// The 32 values of a Q4/Q5 block as four int32 vectors in element order (0..7, 8..15, 16..23,
// 24..31). Q4: bytes 0..7 and 8..15 of qs give the low nibbles of the first half and the high
// nibbles of the second. Q5: q5_quants (avx2_common.h).
struct Quants32 {
    __m256i v[4];
};

inline Quants32 nibbles32(const uint8_t* qs) {
    const __m256i m4 = _mm256_set1_epi32(0x0F);
    const __m256i a = widen8(qs), b = widen8(qs + 8);
    return {{_mm256_and_si256(a, m4), _mm256_and_si256(b, m4), _mm256_srli_epi32(a, 4),
             _mm256_srli_epi32(b, 4)}};
}

void deq_q4_0(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ4_0*>(src);
    const __m256i eight = _mm256_set1_epi32(8);
    for (int64_t i = 0; i < n / QK4_0; ++i, y += QK4_0) {
        const __m256 d = _mm256_set1_ps(half(x[i].d));
        const Quants32 q = nibbles32(x[i].qs);
        for (int k = 0; k < 4; ++k) store_mul(y + 8 * k, _mm256_sub_epi32(q.v[k], eight), d);
    }
}

void deq_q4_1(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ4_1*>(src);
    for (int64_t i = 0; i < n / QK4_1; ++i, y += QK4_1) {
        const __m256 d = _mm256_set1_ps(half(x[i].d)), m = _mm256_set1_ps(half(x[i].m));
        const Quants32 q = nibbles32(x[i].qs);
        for (int k = 0; k < 4; ++k) store_mul_add(y + 8 * k, q.v[k], d, m);
    }
}

void deq_q5_0(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ5_0*>(src);
    for (int64_t i = 0; i < n / QK5_0; ++i, y += QK5_0) {
        const __m256 d = _mm256_set1_ps(half(x[i].d));
        Quants32 q;
        q5_quants<true>(x[i].qs, x[i].qh, q.v);
        for (int k = 0; k < 4; ++k) store_mul(y + 8 * k, q.v[k], d);
    }
}

void deq_q5_1(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ5_1*>(src);
    for (int64_t i = 0; i < n / QK5_1; ++i, y += QK5_1) {
        const __m256 d = _mm256_set1_ps(half(x[i].d)), m = _mm256_set1_ps(half(x[i].m));
        Quants32 q;
        q5_quants<false>(x[i].qs, x[i].qh, q.v);
        for (int k = 0; k < 4; ++k) store_mul_add(y + 8 * k, q.v[k], d, m);
    }
}

// ---- K-quants (256-element super-blocks) ----------------------------------------------------

// Q2_K: element 128h + 32j + l is bits 2j..2j+1 of qs[32h + l]; sub-block (16 elements)
// scale/min nibbles in scales[].
void deq_q2_k(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ2_K*>(src);
    const __m256i m2 = _mm256_set1_epi32(3);
    for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
        const float d = half(x[i].d);
        const float dmin = half(x[i].dmin);
        for (int h = 0; h < 2; ++h) {
            __m256i q[4];
            for (int k = 0; k < 4; ++k) q[k] = widen8(x[i].qs + 32 * h + 8 * k);
            for (int j = 0; j < 4; ++j) {
                for (int k = 0; k < 4; ++k) {
                    const int e = 128 * h + 32 * j + 8 * k;
                    const uint8_t sc = x[i].scales[e / 16];
                    const __m256 dl = _mm256_set1_ps(d * (sc & 0xF));
                    const __m256 ml = _mm256_set1_ps(dmin * (sc >> 4));
                    const __m256i v = _mm256_and_si256(_mm256_srli_epi32(q[k], 2 * j), m2);
                    store_mul_sub(y + e, v, dl, ml);
                }
            }
        }
    }
}

// Q3_K: the Q2_K bit pairs, minus 4 where bit (e / 32) of hmask[e % 32] is clear.
void deq_q3_k(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ3_K*>(src);
    const __m256i m2 = _mm256_set1_epi32(3), one = _mm256_set1_epi32(1);
    const __m256i four = _mm256_set1_epi32(4);
    for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
        const float d_all = half(x[i].d);
        int8_t sc[16];
        q3k_scales(x[i].scales, sc);
        __m256i hm[4];
        for (int k = 0; k < 4; ++k) hm[k] = widen8(x[i].hmask + 8 * k);
        for (int h = 0; h < 2; ++h) {
            __m256i q[4];
            for (int k = 0; k < 4; ++k) q[k] = widen8(x[i].qs + 32 * h + 8 * k);
            for (int j = 0; j < 4; ++j) {
                for (int k = 0; k < 4; ++k) {
                    const int e = 128 * h + 32 * j + 8 * k;
                    const __m256 dl = _mm256_set1_ps(d_all * sc[e / 16]);
                    const __m256i lo = _mm256_and_si256(_mm256_srli_epi32(q[k], 2 * j), m2);
                    const __m256i hb = _mm256_and_si256(_mm256_srli_epi32(hm[k], 4 * h + j), one);
                    // lo - 4 + 4 * bit: the reference's lo - (bit ? 0 : 4), in [-4, 3].
                    const __m256i v =
                        _mm256_sub_epi32(_mm256_or_si256(lo, _mm256_slli_epi32(hb, 2)), four);
                    store_mul(y + e, v, dl);
                }
            }
        }
    }
}

// Q4_K / Q5_K: 64 elements per 32 bytes of qs, low nibbles (sub-block 2p) then high (2p + 1);
// Q5_K adds 16 where bit (e / 32) of qh[e % 32] is set. `qh` is null for Q4_K.
inline void deq_k4_block(const uint8_t* scales, const uint8_t* qs, const uint8_t* qh, float d,
                         float dmin, float* y) {
    const __m256i m4 = _mm256_set1_epi32(0x0F), bit4 = _mm256_set1_epi32(0x10);
    __m256i hb[4];
    if (qh) {
        for (int k = 0; k < 4; ++k) hb[k] = widen8(qh + 8 * k);
    }
    for (int p = 0; p < 4; ++p) {
        uint8_t sc0, m0, sc1, m1;
        k4_scale_min(2 * p, scales, sc0, m0);
        k4_scale_min(2 * p + 1, scales, sc1, m1);
        const __m256 d0 = _mm256_set1_ps(d * sc0), n0 = _mm256_set1_ps(dmin * m0);
        const __m256 d1 = _mm256_set1_ps(d * sc1), n1 = _mm256_set1_ps(dmin * m1);
        for (int k = 0; k < 4; ++k) {
            const __m256i b = widen8(qs + 32 * p + 8 * k);
            __m256i lo = _mm256_and_si256(b, m4), hi = _mm256_srli_epi32(b, 4);
            if (qh) {
                // Bit 2p (sub-block 2p) and 2p + 1 moved to bit 4.
                const __m256i h0 = 2 * p <= 4 ? _mm256_slli_epi32(hb[k], 4 - 2 * p)
                                              : _mm256_srli_epi32(hb[k], 2 * p - 4);
                const __m256i h1 = 2 * p + 1 <= 4 ? _mm256_slli_epi32(hb[k], 3 - 2 * p)
                                                  : _mm256_srli_epi32(hb[k], 2 * p - 3);
                lo = _mm256_or_si256(lo, _mm256_and_si256(h0, bit4));
                hi = _mm256_or_si256(hi, _mm256_and_si256(h1, bit4));
            }
            store_mul_sub(y + 64 * p + 8 * k, lo, d0, n0);
            store_mul_sub(y + 64 * p + 32 + 8 * k, hi, d1, n1);
        }
    }
}

void deq_q4_k(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ4_K*>(src);
    for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
        deq_k4_block(x[i].scales, x[i].qs, nullptr, half(x[i].d), half(x[i].dmin), y);
    }
}

void deq_q5_k(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ5_K*>(src);
    for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
        deq_k4_block(x[i].scales, x[i].qs, x[i].qh, half(x[i].d), half(x[i].dmin), y);
    }
}

// Q6_K: per 128 elements, group g of 32 takes the low (g < 2) or high nibble of
// ql[l + 32 * (g & 1)] and bits 2g..2g+1 of qh[l]; value minus 32, times (d * scale).
void deq_q6_k(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ6_K*>(src);
    const __m256i m4 = _mm256_set1_epi32(0x0F), m30 = _mm256_set1_epi32(0x30);
    const __m256i off = _mm256_set1_epi32(32);
    for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
        const float d = half(x[i].d);
        for (int h = 0; h < 2; ++h) {
            const uint8_t* ql = x[i].ql + 64 * h;
            const uint8_t* qh = x[i].qh + 32 * h;
            for (int k = 0; k < 4; ++k) {
                const __m256i a = widen8(ql + 8 * k), b = widen8(ql + 32 + 8 * k);
                const __m256i hb = widen8(qh + 8 * k);
                const __m256i g[4] = {
                    _mm256_or_si256(_mm256_and_si256(a, m4),
                                    _mm256_and_si256(_mm256_slli_epi32(hb, 4), m30)),
                    _mm256_or_si256(_mm256_and_si256(b, m4),
                                    _mm256_and_si256(_mm256_slli_epi32(hb, 2), m30)),
                    _mm256_or_si256(_mm256_srli_epi32(a, 4), _mm256_and_si256(hb, m30)),
                    _mm256_or_si256(_mm256_srli_epi32(b, 4),
                                    _mm256_and_si256(_mm256_srli_epi32(hb, 2), m30)),
                };
                for (int j = 0; j < 4; ++j) {
                    const int e = 128 * h + 32 * j + 8 * k;
                    // (d * scale) rounded first, then * q: the reference's left-to-right order.
                    const __m256 ds = _mm256_set1_ps(d * x[i].scales[e / 16]);
                    store_mul(y + e, _mm256_sub_epi32(g[j], off), ds);
                }
            }
        }
    }
}

}  // namespace detail::deq_avx2

}  // namespace flash::kernels
