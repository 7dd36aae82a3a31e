// AVX-512 fused exact dot products (quantized weight row, f32 activations) for the types decode
// spends its time on: Q4_K and Q6_K (Q4_K_M files), Q8_0, and the 32-element nibble formats
// (Q4_0, Q4_1; Q5_0 and Q5_1, which Q4_K_M falls back to on rows that are not a multiple of 256).
// The same arithmetic as vec_dot_exact_avx2.cpp on 16 lanes: quants widened to int32 straight from
// the block (vpmovzxbd / vpmovsxbd of 16 bytes), converted, multiply-added with x, one scale per
// block or sub-block applied to the partial sum; minimums (Q4_1, Q5_1, Q4_K) meet the caller's
// block sums of x. Only the float summation order differs from dot(dequantize_row(w), x). Chosen at
// run time with the VNNI kernels (dispatch.cpp), though it needs only AVX-512 F.
#include <cstring>

#include "core/dtype.h"
#include "kernels/avx2_common.h"
#include "kernels/avx512_common.h"
#include "kernels/kernels_internal.h"
#include "kernels/type_kernels.h"

namespace flash::kernels {
namespace detail::xdot_avx512 {

using namespace avx2;
using namespace avx512;

namespace {

// q[0..15] . x[0..15] as 16 lanes, then + q'[0..15] . x[16..31]: one 32-element block.
inline __m512 block_qx(__m512i q0, __m512i q1, const float* x) {
    return _mm512_fmadd_ps(_mm512_cvtepi32_ps(q1), _mm512_loadu_ps(x + 16),
                           _mm512_mul_ps(_mm512_cvtepi32_ps(q0), _mm512_loadu_ps(x)));
}

// Runs block(i) -> scaled 16-lane partial over nb blocks into two alternating accumulators.
template <typename Block>
float two_acc_blocks(int64_t nb, Block block) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 1 < nb; i += 2) {
        acc0 = block(i, acc0);
        acc1 = block(i + 1, acc1);
    }
    if (i < nb) acc0 = block(i, acc0);
    return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

}  // namespace

float xdot_q8_0(int64_t n, const void* w, const float* x, const float*) {
    const auto* b = static_cast<const BlockQ8_0*>(w);
    return two_acc_blocks(n / QK8_0, [&](int64_t i, __m512 acc) {
        const __m512 s = block_qx(widen16s(b[i].qs), widen16s(b[i].qs + 16), x + QK8_0 * i);
        return _mm512_fmadd_ps(_mm512_broadcastss_ps(block_head(&b[i])), s, acc);
    });
}

// sum over blocks of d * (q . x) (+ m * sum(x) for the formats with a minimum, from the caller's
// block sums); quants(block) gives a block's values.
template <typename Block, typename Quants>
float nibble_blocks(int64_t n, const void* w, const float* x, const float* sums, Quants quants) {
    const auto* b = static_cast<const Block*>(w);
    __m128 msum = _mm_setzero_ps();  // lane 1: sum of m * sum(x)
    const float qsum = two_acc_blocks(n / 32, [&](int64_t i, __m512 acc) {
        const Nibbles q = quants(b[i]);
        const __m128 dm = block_head(&b[i]);
        if constexpr (requires { b[i].m; }) msum = _mm_fmadd_ps(dm, _mm_set1_ps(sums[i]), msum);
        return _mm512_fmadd_ps(_mm512_broadcastss_ps(dm), block_qx(q.lo, q.hi, x + 32 * i), acc);
    });
    return qsum + _mm_cvtss_f32(_mm_movehdup_ps(msum));
}

float xdot_q4_0(int64_t n, const void* w, const float* x, const float* sums) {
    return nibble_blocks<BlockQ4_0>(n, w, x, sums,
                                    [](const BlockQ4_0& b) { return minus(nibbles(b.qs), 8); });
}

float xdot_q4_1(int64_t n, const void* w, const float* x, const float* sums) {
    return nibble_blocks<BlockQ4_1>(n, w, x, sums,
                                    [](const BlockQ4_1& b) { return nibbles(b.qs); });
}

float xdot_q5_0(int64_t n, const void* w, const float* x, const float* sums) {
    return nibble_blocks<BlockQ5_0>(
        n, w, x, sums, [](const BlockQ5_0& b) { return q5_values_minus16(b.qs, b.qh); });
}

float xdot_q5_1(int64_t n, const void* w, const float* x, const float* sums) {
    return nibble_blocks<BlockQ5_1>(n, w, x, sums,
                                    [](const BlockQ5_1& b) { return q5_values(b.qs, b.qh); });
}

// Q4_K: per 64 elements (pair p), the 32 bytes qs[32p..] give sub-block 2p in their low
// nibbles and 2p + 1 in their high ones; each sub-block's q . x is scaled by d * sc once.
float xdot_q4_k(int64_t n, const void* w, const float* x, const float* sums) {
    const auto* b = static_cast<const BlockQ4_K*>(w);
    const __m512i m4 = _mm512_set1_epi32(0x0F);
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    __m256 accm = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; ++i) {
        __m256 sc, mn;
        k4_scales_mins(b[i].scales, &sc, &mn);
        accm = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(half(b[i].dmin)), mn),
                               _mm256_loadu_ps(sums + 8 * i), accm);
        // Broadcasting scale j from memory is a plain load; from a register it takes a shuffle.
        alignas(32) float ds[8];
        _mm256_store_ps(ds, _mm256_mul_ps(_mm256_set1_ps(half(b[i].d)), sc));
        for (int p = 0; p < 4; ++p) {
            const uint8_t* qs = b[i].qs + 32 * p;
            const float* xp = x + QK_K * i + 64 * p;
            const __m512i v0 = widen16u(qs), v1 = widen16u(qs + 16);
            const __m512 lo = block_qx(_mm512_and_si512(v0, m4), _mm512_and_si512(v1, m4), xp);
            const __m512 hi = block_qx(_mm512_srli_epi32(v0, 4), _mm512_srli_epi32(v1, 4), xp + 32);
            acc0 = _mm512_fmadd_ps(_mm512_set1_ps(ds[2 * p]), lo, acc0);
            acc1 = _mm512_fmadd_ps(_mm512_set1_ps(ds[2 * p + 1]), hi, acc1);
        }
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1)) - hsum(accm);
}

// Q6_K: per 128-element half h and 16-element run kk of l, group j takes the low (j < 2) or
// high nibble of ql[64h + 32(j & 1) + l] and bits 2j..2j+1 of qh[32h + l]; value - 32. Each
// 16-lane vector is one scale's worth (scale 8h + 2j + kk).
float xdot_q6_k(int64_t n, const void* w, const float* x, const float*) {
    const auto* b = static_cast<const BlockQ6_K*>(w);
    const __m512i m4 = _mm512_set1_epi32(0x0F), m30 = _mm512_set1_epi32(0x30);
    const __m512i off = _mm512_set1_epi32(32);
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; ++i) {
        const __m512 d = _mm512_set1_ps(half(b[i].d));
        alignas(64) float ds[16];
        _mm512_store_ps(ds, _mm512_mul_ps(d, _mm512_cvtepi32_ps(widen16s(b[i].scales))));
        for (int h = 0; h < 2; ++h) {
            for (int kk = 0; kk < 2; ++kk) {
                const uint8_t* ql = b[i].ql + 64 * h + 16 * kk;
                const __m512i a = widen16u(ql), c = widen16u(ql + 32);
                const __m512i hb = widen16u(b[i].qh + 32 * h + 16 * kk);
                const __m512i g[4] = {
                    _mm512_or_si512(_mm512_and_si512(a, m4),
                                    _mm512_and_si512(_mm512_slli_epi32(hb, 4), m30)),
                    _mm512_or_si512(_mm512_and_si512(c, m4),
                                    _mm512_and_si512(_mm512_slli_epi32(hb, 2), m30)),
                    _mm512_or_si512(_mm512_srli_epi32(a, 4), _mm512_and_si512(hb, m30)),
                    _mm512_or_si512(_mm512_srli_epi32(c, 4),
                                    _mm512_and_si512(_mm512_srli_epi32(hb, 2), m30)),
                };
                const float* xh = x + QK_K * i + 128 * h + 16 * kk;
                for (int j = 0; j < 4; ++j) {
                    const __m512 q = _mm512_cvtepi32_ps(_mm512_sub_epi32(g[j], off));
                    const __m512 s = _mm512_mul_ps(q, _mm512_loadu_ps(xh + 32 * j));
                    const __m512 sc = _mm512_set1_ps(ds[8 * h + 2 * j + kk]);
                    if (j & 1) {
                        acc1 = _mm512_fmadd_ps(sc, s, acc1);
                    } else {
                        acc0 = _mm512_fmadd_ps(sc, s, acc0);
                    }
                }
            }
        }
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

}  // namespace detail::xdot_avx512
}  // namespace flash::kernels
