// AVX2 fused exact dot products: a quantized weight row against f32 activations, without
// materialising the dequantized row. Per block the quants are widened to int32 lanes (straight
// from the block with vpmovzxbd / vpmovsxbd, or for Q5 after assembling 32 bytes), converted to
// f32 and multiply-added with x in f32 registers; the block's scale is applied once to that
// partial sum. Per-block minimums (Q4_1, Q5_1, Q4_K, Q5_K) contribute m * sum(x over the
// block), from the block sums the caller computed once per activation row; Q2_K's 16-element
// minimums sum x inline. Only the float summation order differs from
// dot(dequantize_row(w), x); tests bound the difference.
#include <cstring>

#include "core/dtype.h"
#include "kernels/avx2_common.h"
#include "kernels/kernels_internal.h"
#include "kernels/type_kernels.h"

namespace flash::kernels {
namespace detail::xdot_avx2 {

using namespace avx2;

inline __m256i widen8u(const void* p) {
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64(static_cast<const __m128i*>(p)));
}
inline __m256i widen8s(const void* p) {
    return _mm256_cvtepi8_epi32(_mm_loadl_epi64(static_cast<const __m128i*>(p)));
}

// acc + q * x[0..7]
inline __m256 fma_qx(__m256i q, const float* x, __m256 acc) {
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(q), _mm256_loadu_ps(x), acc);
}
inline __m256 mul_qx(__m256i q, const float* x) {
    return _mm256_mul_ps(_mm256_cvtepi32_ps(q), _mm256_loadu_ps(x));
}

// sum_k q_k * x_k over one 32-element block given as four int32 vectors in element order;
// two short chains so consecutive blocks overlap.
inline __m256 block_qx(const __m256i q[4], const float* x) {
    const __m256 s0 = fma_qx(q[2], x + 16, mul_qx(q[0], x));
    const __m256 s1 = fma_qx(q[3], x + 24, mul_qx(q[1], x + 8));
    return _mm256_add_ps(s0, s1);
}

// ---- 32-element blocks ----------------------------------------------------------------------

// The Q4 nibbles of a block: bytes 0..7 / 8..15 hold elements 0..7 / 8..15 in their low
// nibbles and 16..23 / 24..31 in their high nibbles.
inline void nibbles(const uint8_t* qs, __m256i q[4]) {
    const __m256i m4 = _mm256_set1_epi32(0x0F);
    const __m256i a = widen8u(qs), b = widen8u(qs + 8);
    q[0] = _mm256_and_si256(a, m4);
    q[1] = _mm256_and_si256(b, m4);
    q[2] = _mm256_srli_epi32(a, 4);
    q[3] = _mm256_srli_epi32(b, 4);
}

inline void sub_all(__m256i q[4], __m256i off) {
    for (int k = 0; k < 4; ++k) q[k] = _mm256_sub_epi32(q[k], off);
}

float xdot_q8_0(int64_t n, const void* w, const float* x, const float*) {
    const auto* b = static_cast<const BlockQ8_0*>(w);
    return two_acc_loop(n / QK8_0, [&](int64_t i, __m256 acc) {
        const __m256i q[4] = {widen8s(b[i].qs), widen8s(b[i].qs + 8), widen8s(b[i].qs + 16),
                              widen8s(b[i].qs + 24)};
        return _mm256_fmadd_ps(_mm256_broadcastss_ps(block_head(&b[i])), block_qx(q, x + QK8_0 * i),
                               acc);
    });
}

float xdot_q4_0(int64_t n, const void* w, const float* x, const float*) {
    const auto* b = static_cast<const BlockQ4_0*>(w);
    const __m256i eight = _mm256_set1_epi32(8);
    return two_acc_loop(n / QK4_0, [&](int64_t i, __m256 acc) {
        __m256i q[4];
        nibbles(b[i].qs, q);
        sub_all(q, eight);
        return _mm256_fmadd_ps(_mm256_broadcastss_ps(block_head(&b[i])), block_qx(q, x + QK4_0 * i),
                               acc);
    });
}

float xdot_q5_0(int64_t n, const void* w, const float* x, const float*) {
    const auto* b = static_cast<const BlockQ5_0*>(w);
    return two_acc_loop(n / QK5_0, [&](int64_t i, __m256 acc) {
        __m256i q[4];
        q5_quants<true>(b[i].qs, b[i].qh, q);
        return _mm256_fmadd_ps(_mm256_broadcastss_ps(block_head(&b[i])), block_qx(q, x + QK5_0 * i),
                               acc);
    });
}

// (q * d + m) . x = d * (q . x) + m * sum(x): the minimums go to a scalar sum.
template <typename Block, typename Quants>
float dot_with_min(int64_t n, const Block* b, const float* x, const float* sums, Quants quants) {
    __m128 msum = _mm_setzero_ps();  // lane 1: sum of m * sum(x)
    const float qsum = two_acc_loop(n / 32, [&](int64_t i, __m256 acc) {
        __m256i q[4];
        quants(b[i], q);
        const __m128 dm = block_head(&b[i]);
        msum = _mm_fmadd_ps(dm, _mm_set1_ps(sums[i]), msum);
        return _mm256_fmadd_ps(_mm256_broadcastss_ps(dm), block_qx(q, x + 32 * i), acc);
    });
    return qsum + _mm_cvtss_f32(_mm_movehdup_ps(msum));
}

float xdot_q4_1(int64_t n, const void* w, const float* x, const float* sums) {
    return dot_with_min(n, static_cast<const BlockQ4_1*>(w), x, sums,
                        [](const BlockQ4_1& blk, __m256i* q) { nibbles(blk.qs, q); });
}

float xdot_q5_1(int64_t n, const void* w, const float* x, const float* sums) {
    return dot_with_min(
        n, static_cast<const BlockQ5_1*>(w), x, sums,
        [](const BlockQ5_1& blk, __m256i* q) { q5_quants<false>(blk.qs, blk.qh, q); });
}

// ---- K-quants -------------------------------------------------------------------------------

// One Q4_K / Q5_K super-block: sum over the 8 sub-blocks of (d * sc_j) * (q . x)_j, with the
// minimums' dmin * m_j * sum(x)_j added to `accm`. `qh` is null for Q4_K.
inline __m256 k4_superblock(const uint8_t* scales, const uint8_t* qs, const uint8_t* qh, float d,
                            float dmin, const float* x, const float* sums, __m256 acc,
                            __m256& accm) {
    __m256 sc, mn;
    k4_scales_mins(scales, &sc, &mn);
    accm = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(dmin), mn), _mm256_loadu_ps(sums), accm);
    // Broadcasting scale j from memory is a plain load; from a register it takes a shuffle.
    alignas(32) float ds[8];
    _mm256_store_ps(ds, _mm256_mul_ps(_mm256_set1_ps(d), sc));
    const __m256i m4 = _mm256_set1_epi32(0x0F), bit4 = _mm256_set1_epi32(0x10);
    __m256i hb[4];
    if (qh) {
        for (int k = 0; k < 4; ++k) hb[k] = widen8u(qh + 8 * k);
    }
    __m256 acc1 = _mm256_setzero_ps();
    for (int p = 0; p < 4; ++p) {
        const float* xp = x + 64 * p;
        __m256 lo0 = _mm256_setzero_ps(), lo1 = _mm256_setzero_ps();
        __m256 hi0 = _mm256_setzero_ps(), hi1 = _mm256_setzero_ps();
        for (int k = 0; k < 4; ++k) {
            const __m256i b = widen8u(qs + 32 * p + 8 * k);
            __m256i lo = _mm256_and_si256(b, m4), hi = _mm256_srli_epi32(b, 4);
            if (qh) {
                // Fifth bits: bit 2p of qh[l] for sub-block 2p, bit 2p + 1 for 2p + 1.
                const __m256i h = hb[k];
                const __m256i h0 =
                    2 * p <= 4 ? _mm256_slli_epi32(h, 4 - 2 * p) : _mm256_srli_epi32(h, 2 * p - 4);
                const __m256i h1 = 2 * p + 1 <= 4 ? _mm256_slli_epi32(h, 3 - 2 * p)
                                                  : _mm256_srli_epi32(h, 2 * p - 3);
                lo = _mm256_or_si256(lo, _mm256_and_si256(h0, bit4));
                hi = _mm256_or_si256(hi, _mm256_and_si256(h1, bit4));
            }
            if (k & 1) {
                lo1 = fma_qx(lo, xp + 8 * k, lo1);
                hi1 = fma_qx(hi, xp + 32 + 8 * k, hi1);
            } else {
                lo0 = fma_qx(lo, xp + 8 * k, lo0);
                hi0 = fma_qx(hi, xp + 32 + 8 * k, hi0);
            }
        }
        acc = _mm256_fmadd_ps(_mm256_broadcast_ss(ds + 2 * p), _mm256_add_ps(lo0, lo1), acc);
        acc1 = _mm256_fmadd_ps(_mm256_broadcast_ss(ds + 2 * p + 1), _mm256_add_ps(hi0, hi1), acc1);
    }
    return _mm256_add_ps(acc, acc1);
}

float xdot_q4_k(int64_t n, const void* w, const float* x, const float* sums) {
    const auto* b = static_cast<const BlockQ4_K*>(w);
    __m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; ++i) {
        acc = k4_superblock(b[i].scales, b[i].qs, nullptr, half(b[i].d), half(b[i].dmin),
                            x + QK_K * i, sums + 8 * i, acc, accm);
    }
    return hsum(acc) - hsum(accm);
}

float xdot_q5_k(int64_t n, const void* w, const float* x, const float* sums) {
    const auto* b = static_cast<const BlockQ5_K*>(w);
    __m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; ++i) {
        acc = k4_superblock(b[i].scales, b[i].qs, b[i].qh, half(b[i].d), half(b[i].dmin),
                            x + QK_K * i, sums + 8 * i, acc, accm);
    }
    return hsum(acc) - hsum(accm);
}

// Q6_K: per 128 elements, group g of 32 takes the low (g < 2) or high nibble of
// ql[l + 32 * (g & 1)] and bits 2g..2g+1 of qh[l]; value - 32. g[j] gets elements
// 32j + 8k .. 32j + 8k + 7 of the half.
inline void q6_groups(const uint8_t* ql, const uint8_t* qh, int k, __m256i g[4]) {
    const __m256i m4 = _mm256_set1_epi32(0x0F), m30 = _mm256_set1_epi32(0x30);
    const __m256i off = _mm256_set1_epi32(32);
    const __m256i a = widen8u(ql + 8 * k), c = widen8u(ql + 32 + 8 * k);
    const __m256i hb = widen8u(qh + 8 * k);
    g[0] =
        _mm256_or_si256(_mm256_and_si256(a, m4), _mm256_and_si256(_mm256_slli_epi32(hb, 4), m30));
    g[1] =
        _mm256_or_si256(_mm256_and_si256(c, m4), _mm256_and_si256(_mm256_slli_epi32(hb, 2), m30));
    g[2] = _mm256_or_si256(_mm256_srli_epi32(a, 4), _mm256_and_si256(hb, m30));
    g[3] =
        _mm256_or_si256(_mm256_srli_epi32(c, 4), _mm256_and_si256(_mm256_srli_epi32(hb, 2), m30));
    for (int j = 0; j < 4; ++j) g[j] = _mm256_sub_epi32(g[j], off);
}

// One scale per 16 elements: each pair of 8-lane products is summed, then scaled by d * sc.
float xdot_q6_k(int64_t n, const void* w, const float* x, const float*) {
    const auto* b = static_cast<const BlockQ6_K*>(w);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; ++i) {
        const __m256 d = _mm256_set1_ps(half(b[i].d));
        // Broadcasting scale j from memory is a plain load; from a register it takes a shuffle.
        alignas(32) float ds[16];
        _mm256_store_ps(ds, _mm256_mul_ps(d, _mm256_cvtepi32_ps(widen8s(b[i].scales))));
        _mm256_store_ps(ds + 8, _mm256_mul_ps(d, _mm256_cvtepi32_ps(widen8s(b[i].scales + 8))));
        for (int h = 0; h < 2; ++h) {
            const uint8_t* ql = b[i].ql + 64 * h;
            const uint8_t* qh = b[i].qh + 32 * h;
            const float* xh = x + QK_K * i + 128 * h;
            // kk: the first (l < 16) or second half of each 32-element group: one scale each.
            for (int kk = 0; kk < 2; ++kk) {
                __m256i g0[4], g1[4];
                q6_groups(ql, qh, 2 * kk, g0);
                q6_groups(ql, qh, 2 * kk + 1, g1);
                for (int j = 0; j < 4; ++j) {
                    const float* xe = xh + 32 * j + 16 * kk;
                    const __m256 s = fma_qx(g1[j], xe + 8, mul_qx(g0[j], xe));
                    const __m256 sc = _mm256_broadcast_ss(ds + 8 * h + 2 * j + kk);
                    if (j & 1) {
                        acc1 = _mm256_fmadd_ps(sc, s, acc1);
                    } else {
                        acc0 = _mm256_fmadd_ps(sc, s, acc0);
                    }
                }
            }
        }
    }
    return hsum(_mm256_add_ps(acc0, acc1));
}

// Q2_K / Q3_K: element 128h + 32j + l of a super-block is bits 2j..2j+1 of qs[32h + l] (Q3_K
// then subtracts 4 where bit 4h + j of hmask[l] is clear); one scale per 16 elements, and for
// Q2_K a minimum per 16 elements too, met with sum(x) over those 16 computed here.
// ds[s] / dm[s]: scale / minimum of sub-block s, already multiplied by d / dmin.
template <bool Q3>
inline void k2_superblock(const uint8_t* qs, const uint8_t* hmask, const float* ds, const float* dm,
                          const float* x, __m256 acc[2], __m256& accm) {
    const __m256i m2 = _mm256_set1_epi32(3), one = _mm256_set1_epi32(1);
    const __m256i four = _mm256_set1_epi32(4);
    __m256i hm[4];
    if (Q3) {
        for (int k = 0; k < 4; ++k) hm[k] = widen8u(hmask + 8 * k);
    }
    for (int h = 0; h < 2; ++h) {
        __m256i qv[4];
        for (int k = 0; k < 4; ++k) qv[k] = widen8u(qs + 32 * h + 8 * k);
        for (int j = 0; j < 4; ++j) {
            __m256i v[4];
            for (int k = 0; k < 4; ++k) {
                v[k] = _mm256_and_si256(_mm256_srli_epi32(qv[k], 2 * j), m2);
                if (Q3) {
                    const __m256i hb = _mm256_and_si256(_mm256_srli_epi32(hm[k], 4 * h + j), one);
                    v[k] = _mm256_sub_epi32(_mm256_or_si256(v[k], _mm256_slli_epi32(hb, 2)), four);
                }
            }
            for (int kk = 0; kk < 2; ++kk) {
                const float* xe = x + 128 * h + 32 * j + 16 * kk;
                const int sb = 8 * h + 2 * j + kk;
                const __m256 s = fma_qx(v[2 * kk + 1], xe + 8, mul_qx(v[2 * kk], xe));
                acc[kk] = _mm256_fmadd_ps(_mm256_broadcast_ss(ds + sb), s, acc[kk]);
                if (!Q3) {
                    const __m256 sx = _mm256_add_ps(_mm256_loadu_ps(xe), _mm256_loadu_ps(xe + 8));
                    accm = _mm256_fmadd_ps(_mm256_broadcast_ss(dm + sb), sx, accm);
                }
            }
        }
    }
}

// 16 bytes -> 16 floats times d, stored.
inline void scale16(__m128i v, bool is_signed, float d, float* out) {
    const __m256 vd = _mm256_set1_ps(d);
    const __m256i a = is_signed ? _mm256_cvtepi8_epi32(v) : _mm256_cvtepu8_epi32(v);
    const __m128i hi = _mm_unpackhi_epi64(v, v);
    const __m256i b = is_signed ? _mm256_cvtepi8_epi32(hi) : _mm256_cvtepu8_epi32(hi);
    _mm256_store_ps(out, _mm256_mul_ps(vd, _mm256_cvtepi32_ps(a)));
    _mm256_store_ps(out + 8, _mm256_mul_ps(vd, _mm256_cvtepi32_ps(b)));
}

float xdot_q2_k(int64_t n, const void* w, const float* x, const float*) {
    const auto* b = static_cast<const BlockQ2_K*>(w);
    const __m128i m4 = _mm_set1_epi8(0x0F);
    __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    __m256 accm = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; ++i) {
        alignas(32) float ds[16], dm[16];
        const __m128i packed = load128(b[i].scales);
        scale16(_mm_and_si128(packed, m4), false, half(b[i].d), ds);
        scale16(_mm_and_si128(_mm_srli_epi16(packed, 4), m4), false, half(b[i].dmin), dm);
        k2_superblock<false>(b[i].qs, nullptr, ds, dm, x + QK_K * i, acc, accm);
    }
    return hsum(_mm256_add_ps(acc[0], acc[1])) - hsum(accm);
}

float xdot_q3_k(int64_t n, const void* w, const float* x, const float*) {
    const auto* b = static_cast<const BlockQ3_K*>(w);
    __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    __m256 unused = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; ++i) {
        alignas(32) float ds[16];
        scale16(unpack_q3k_scales(b[i].scales), true, half(b[i].d), ds);
        k2_superblock<true>(b[i].qs, b[i].hmask, ds, nullptr, x + QK_K * i, acc, unused);
    }
    return hsum(_mm256_add_ps(acc[0], acc[1]));
}

}  // namespace detail::xdot_avx2

namespace detail {

void avx2_block_sums32(const float* x, int64_t n, float* sums) {
    for (int64_t i = 0; i < n / 32; ++i, x += 32) {
        const __m256 a = _mm256_add_ps(_mm256_loadu_ps(x), _mm256_loadu_ps(x + 8));
        const __m256 b = _mm256_add_ps(_mm256_loadu_ps(x + 16), _mm256_loadu_ps(x + 24));
        sums[i] = avx2::hsum(_mm256_add_ps(a, b));
    }
}

}  // namespace detail
}  // namespace flash::kernels
