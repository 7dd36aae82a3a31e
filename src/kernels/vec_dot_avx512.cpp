// AVX-512 VNNI dot products of a weight row with a prepared activation row, for Q4_K and Q6_K
// (the bulk of Q4_K_M files). Chosen at run time where the CPU has AVX-512 F/BW/VL and VNNI
// (dispatch.cpp); the AVX2 versions stay the floor. Against the AVX2 kernels each instruction
// covers 64 bytes instead of 32, and vpdpwssd fuses the multiply-add-and-accumulate that AVX2
// spends three instructions on. For the 32-element formats (Q8_0, Q4_0, Q5_0, Q4_1), whose AVX2
// kernels are short, 512-bit versions (two blocks per register) measured no faster: the per-block
// scales cost as much as the integer work saved. They keep the AVX2 arithmetic with a 256-bit
// vpdpbusd for vpmaddubsw + vpmaddwd (one thread, 576x1536 and 1536x576: Q8_0 8-14%, Q5_0 ~10%,
// Q4_0 6-10% faster). Integer sums are exact (no step saturates), so as on AVX2 only the order
// of the float partial sums differs from the scalar reference.
#include <cstring>

#include "core/dtype.h"
#include "kernels/avx2_common.h"
#include "kernels/dot_q8_blocks.h"
#include "kernels/kernels_internal.h"
#include "kernels/type_kernels.h"

namespace flash::kernels {
namespace detail::dot_avx512 {

using namespace avx2;

namespace {

inline __m512i load512(const void* p) {
    return _mm512_loadu_si512(p);
}

// vpermw indices that spread int16 scales over the 32 lanes of a maddubs result: table k,
// lane m takes scale k * (32 / span) + m / span, for scales covering `span` lanes.
template <int Span>
struct ScaleSpread {
    alignas(64) int16_t idx[4][32];
    constexpr ScaleSpread() : idx{} {
        for (int k = 0; k < 4; ++k) {
            for (int m = 0; m < 32; ++m)
                idx[k][m] = static_cast<int16_t>(k * (32 / Span) + m / Span);
        }
    }
    __m512i operator[](int k) const { return load512(idx[k]); }
};

// Q4_K: a 32-element sub-block is 16 maddubs lanes; Q6_K: a 16-element one is 8.
constexpr ScaleSpread<16> kSpread16;
constexpr ScaleSpread<8> kSpread8;

}  // namespace

// ---- K-quants with Q8_K activations ---------------------------------------------------------

// Q4_K: the 32 bytes of pair p hold sub-block 2p in their low nibbles and 2p + 1 in their high
// ones; [low | high] in one register lines up with the 64 activations of the pair. maddubs
// sums element pairs (at most 15 * 128 * 2, no saturation) and vpdpwssd multiplies by the
// sub-block's scale and accumulates.
float dot_q4_k(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    __m512 acc = _mm512_setzero_ps();
    __m128 accm = _mm_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; ++i) {
        const K4Scales k = unpack_k4_scales(x[i].scales);
        const __m512i sc = _mm512_castsi256_si512(
            _mm256_cvtepu8_epi16(_mm_cvtsi64_si128(static_cast<long long>(k.sc))));
        __m512i sum0 = _mm512_setzero_si512(), sum1 = _mm512_setzero_si512();
        for (int p = 0; p < 4; ++p) {
            const __m256i q = load256(x[i].qs + 32 * p);
            const __m512i nib = _mm512_and_si512(
                _mm512_inserti64x4(_mm512_castsi256_si512(q), _mm256_srli_epi16(q, 4), 1), m4);
            const __m512i prod = _mm512_maddubs_epi16(nib, load512(y[i].qs + 64 * p));
            const __m512i s = _mm512_permutexvar_epi16(kSpread16[p], sc);
            // Two chains, so consecutive pairs do not wait on each other.
            if (p & 1) {
                sum1 = _mm512_dpwssd_epi32(sum1, prod, s);
            } else {
                sum0 = _mm512_dpwssd_epi32(sum0, prod, s);
            }
        }
        const float d = half(x[i].d) * y[i].d, dmin = half(x[i].dmin) * y[i].d;
        acc = _mm512_fmadd_ps(_mm512_set1_ps(d), _mm512_cvtepi32_ps(_mm512_add_epi32(sum0, sum1)),
                              acc);
        const __m128 ms = _mm_cvtepi32_ps(k4_min_sums(k.mn, y[i].bsums));
        accm = _mm_fmadd_ps(_mm_set1_ps(dmin), ms, accm);
    }
    return _mm512_reduce_add_ps(acc) - hsum128(accm);
}

// Q6_K: per 128-element half, ql's 64 bytes give groups 0 / 1 (low nibbles of bytes 0..31 /
// 32..63) and 2 / 3 (high nibbles); qh byte l gives each group's top two bits. [qh | qh >> 2]
// in one register serves groups 0 and 1 (bits 0-1 and 2-3) and, shifted, 2 and 3 (4-5, 6-7).
// The quants are taken unsigned (q + 32); 32 * sum(scale * bsums) removes the offset.
float dot_q6_k(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ6_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const __m512i m4 = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30);
    __m512 acc = _mm512_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; ++i) {
        const __m128i sc8 = load128(x[i].scales);
        const __m512i sc = _mm512_castsi256_si512(_mm256_cvtepi8_epi16(sc8));
        __m512i sum0 = _mm512_setzero_si512(), sum1 = _mm512_setzero_si512();
        for (int h = 0; h < 2; ++h) {
            const __m512i ql = load512(x[i].ql + 64 * h);
            const __m256i qh = load256(x[i].qh + 32 * h);
            const __m512i hb =
                _mm512_inserti64x4(_mm512_castsi256_si512(qh), _mm256_srli_epi16(qh, 2), 1);
            const __m512i g01 = _mm512_or_si512(_mm512_and_si512(ql, m4),
                                                _mm512_and_si512(_mm512_slli_epi16(hb, 4), m30));
            const __m512i g23 = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), m4),
                                                _mm512_and_si512(hb, m30));
            const int8_t* q8 = y[i].qs + 128 * h;
            const __m512i p01 = _mm512_maddubs_epi16(g01, load512(q8));
            const __m512i p23 = _mm512_maddubs_epi16(g23, load512(q8 + 64));
            sum0 = _mm512_dpwssd_epi32(sum0, p01, _mm512_permutexvar_epi16(kSpread8[2 * h], sc));
            sum1 =
                _mm512_dpwssd_epi32(sum1, p23, _mm512_permutexvar_epi16(kSpread8[2 * h + 1], sc));
        }
        const __m256i offset = _mm256_slli_epi32(scaled_bsums(sc8, y[i].bsums), 5);
        const __m512i sumi =
            _mm512_sub_epi32(_mm512_add_epi32(sum0, sum1), _mm512_zextsi256_si512(offset));
        acc = _mm512_fmadd_ps(_mm512_set1_ps(half(x[i].d) * y[i].d), _mm512_cvtepi32_ps(sumi), acc);
    }
    return _mm512_reduce_add_ps(acc);
}

// Signed x signed as avx2::dot_i8_i8 (|x| * (y with x's sign)) with one 256-bit vpdpbusd for
// vpmaddubsw + vpmaddwd: the same four products per int32 lane, none saturating.
inline __m256i dot_i8_i8_vnni(__m256i x, __m256i y) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(x, x),
                               _mm256_sign_epi8(y, x));
}

// The 32-element formats against Q8_0: their AVX2 kernels with dot_i8_i8_vnni.
float dot_q8_0(int64_t n, const void* w, const void* a) {
    return dot_q8_0_blocks<dot_i8_i8_vnni>(n, w, a);
}

float dot_q4_0(int64_t n, const void* w, const void* a) {
    return dot_q4_0_blocks<dot_i8_i8_vnni>(n, w, a);
}

// Q5_0's values minus 16 with the fifth bits as a mask register: the nibble, minus 16 where the
// bit is clear, one masked byte subtract where AVX2 spreads the bits into bytes first (four
// operations). The same int8 values as q5_0_values_spread. Most of SmolLM2 Q4_K_M's matrices are
// Q5_0 (rows of 576 are no whole K-quant super-blocks), and its decode is bound by these
// instructions.
inline __m256i q5_0_values_masked(const BlockQ5_0& b) {
    uint32_t qh;
    std::memcpy(&qh, b.qh, 4);
    const __m256i nib = unpack_nibbles16(b.qs);
    return _mm256_mask_sub_epi8(nib, _cvtu32_mask32(~qh), nib, _mm256_set1_epi8(16));
}

float dot_q5_0(int64_t n, const void* w, const void* a) {
    return dot_q5_0_blocks<dot_i8_i8_vnni, q5_0_values_masked>(n, w, a);
}

// Q4_1 against Q8_1: the AVX2 kernel's arithmetic (dot_min_blocks) with one 256-bit vpdpbusd
// (AVX-512 VL) for vpmaddubsw + vpmaddwd, so each int32 lane holds the same four products. The
// default model's file is Q4_1, and its decode is bound by these instructions where the model
// fits in the cache.
float dot_q4_1(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_1*>(w);
    const auto* y = static_cast<const BlockQ8_1*>(a);
    __m128 accm = _mm_setzero_ps();  // lane 1: sum of m_x * s_y
    const float qsum = two_acc_loop(n / QK4_1, [&](int64_t i, __m256 acc) {
        const __m128 dm = _mm_mul_ps(block_head(&x[i]), block_head(&y[i]));  // d_x d_y, m_x s_y
        accm = _mm_add_ps(accm, dm);
        const __m256i p = _mm256_dpbusd_epi32(_mm256_setzero_si256(), unpack_nibbles16(x[i].qs),
                                              load256(y[i].qs));
        return _mm256_fmadd_ps(_mm256_broadcastss_ps(dm), _mm256_cvtepi32_ps(p), acc);
    });
    return qsum + _mm_cvtss_f32(_mm_movehdup_ps(accm));
}

}  // namespace detail::dot_avx512
}  // namespace flash::kernels
