// Small AVX2 helpers shared by the *_avx2.cpp files (which alone are built with -mavx2 -mfma
// -mf16c). All loads are unaligned: GGUF blocks are 18..292 bytes and sit at any address.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace flash::kernels::avx2 {

inline __m256i load256(const void* p) {
    return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}
inline __m128i load128(const void* p) {
    return _mm_loadu_si128(static_cast<const __m128i*>(p));
}

inline float half(uint16_t h) {
    return _cvtsh_ss(h);
}

// The first four halves of a block as floats: d (and m, for the formats with a minimum, which
// store it next) in lanes 0 and 1. One vcvtph2ps from memory, where a 16-bit insert and a
// conversion per half took two shuffle-port slots each (the widening of quants needs that port
// too). Every block is at least 8 bytes long.
inline __m128 block_head(const void* block) {
    return _mm_cvtph_ps(_mm_loadl_epi64(static_cast<const __m128i*>(block)));
}

// exp(x) for x <= 0 (a softmax's scores minus their maximum, a sigmoid's exp(-|x|)): Cephes' expf,
// x = n ln2 + r with |r| <= ln2/2 and a degree-7 polynomial for e^r; within 2 ulp of std::exp, 0
// below -87.
inline __m256 exp_nonpositive(__m256 x) {
    const __m256 tiny = _mm256_cmp_ps(x, _mm256_set1_ps(-87.0f), _CMP_LT_OQ);
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.0f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i e =
        _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    const __m256 y = _mm256_mul_ps(p, _mm256_castsi256_ps(e));
    return _mm256_andnot_ps(tiny, y);
}

inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline float hsum128(__m128 s) {
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline int hsum_i32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

// Runs block(i, acc) over nb blocks alternating two accumulators (halves the FMA dependency
// chain), then sums them.
template <typename Block>
float two_acc_loop(int64_t nb, Block block) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 1 < nb; i += 2) {
        acc0 = block(i, acc0);
        acc1 = block(i + 1, acc1);
    }
    if (i < nb) acc0 = block(i, acc0);
    return hsum(_mm256_add_ps(acc0, acc1));
}

// 16 packed bytes -> 32 nibbles: low nibbles in bytes 0..15, high nibbles in bytes 16..31,
// the element order of Q4_0/Q4_1/Q5_x blocks.
inline __m256i unpack_nibbles16(const uint8_t* qs) {
    const __m128i b = load128(qs);
    const __m256i v = _mm256_set_m128i(_mm_srli_epi16(b, 4), b);
    return _mm256_and_si256(v, _mm256_set1_epi8(0x0F));
}

// 32 bits -> 32 bytes, byte i = 0xFF where bit i is set (the Q5_x fifth bits).
inline __m256i bits_to_bytes(uint32_t bits) {
    const __m256i spread = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202,
                                             0x0101010101010101, 0x0000000000000000);
    const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ull));
    __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)), spread);
    v = _mm256_and_si256(v, bit);
    return _mm256_cmpeq_epi8(v, bit);
}

// Sum of u8 x s8 products, 32 pairs -> 8 int32 lanes. maddubs saturates at int16: callers
// keep |u| * 127 * 2 < 32768 (u <= 128).
inline __m256i dot_u8_i8(__m256i u, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

// Signed x signed through the sign trick: |x| * (y with x's sign). y must not be -128.
inline __m256i dot_i8_i8(__m256i x, __m256i y) {
    return dot_u8_i8(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
}

// Q3_K's sixteen 6-bit scales, four at a time from 32-bit words: low nibbles come from bytes
// 0..7 (scales 0..7 low halves, 8..15 high halves), bit pairs from bytes 8..11 (pair k of
// byte b belongs to scale 4k + b). Same values as q3k_scales, without the per-scale branches.
inline __m128i unpack_q3k_scales(const uint8_t* s) {
    uint32_t a, b, c;
    std::memcpy(&a, s, 4);
    std::memcpy(&b, s + 4, 4);
    std::memcpy(&c, s + 8, 4);
    const uint32_t lo4 = 0x0f0f0f0fu, hi2 = 0x03030303u;
    const __m128i v = _mm_setr_epi32(static_cast<int>((a & lo4) | ((c & hi2) << 4)),
                                     static_cast<int>((b & lo4) | (((c >> 2) & hi2) << 4)),
                                     static_cast<int>(((a >> 4) & lo4) | (((c >> 4) & hi2) << 4)),
                                     static_cast<int>(((b >> 4) & lo4) | (((c >> 6) & hi2) << 4)));
    return _mm_sub_epi8(v, _mm_set1_epi8(32));
}

// sum_j scale_j * bsums_j over the 16 sub-blocks, as 8 int32 lanes.
inline __m256i scaled_bsums(__m128i sc, const int16_t* bsums) {
    return _mm256_madd_epi16(_mm256_cvtepi8_epi16(sc), load256(bsums));
}

// Q4_K / Q5_K: 8 (scale, min) pairs of 6 bits in 12 bytes, unpacked four at a time from
// 32-bit words: bytes 0..3 hold scales 0..3 (+ top bits of 4..7), 4..7 mins 0..3 (+ top bits),
// 8..11 the low nibbles of scales/mins 4..7.
// Kept in registers (byte j of `sc` / `mn` is scale / min j): storing them as bytes and
// reloading wider would stall on store-to-load forwarding.
struct K4Scales {
    uint64_t sc, mn;
    int scale(int j) const { return static_cast<int>((sc >> (8 * j)) & 0xFF); }
};

inline K4Scales unpack_k4_scales(const uint8_t* s) {
    uint32_t a, b, c;
    std::memcpy(&a, s, 4);
    std::memcpy(&b, s + 4, 4);
    std::memcpy(&c, s + 8, 4);
    const uint32_t sc_lo = a & 0x3f3f3f3fu, mn_lo = b & 0x3f3f3f3fu;
    const uint32_t sc_hi = (c & 0x0f0f0f0fu) | (((a >> 6) & 0x03030303u) << 4);
    const uint32_t mn_hi = ((c >> 4) & 0x0f0f0f0fu) | (((b >> 6) & 0x03030303u) << 4);
    return {sc_lo | (static_cast<uint64_t>(sc_hi) << 32),
            mn_lo | (static_cast<uint64_t>(mn_hi) << 32)};
}

// sum_j mins_j * (bsums_2j + bsums_2j+1): pairwise-add the 16 bsums, multiply by 8 mins.
inline __m128i k4_min_sums(uint64_t mn, const int16_t* bsums) {
    const __m128i pairs = _mm_hadd_epi16(load128(bsums), load128(bsums + 8));
    const __m128i m16 = _mm_cvtepu8_epi16(_mm_cvtsi64_si128(static_cast<long long>(mn)));
    return _mm_madd_epi16(pairs, m16);
}

// Q4_K / Q5_K: eight 6-bit (scale, min) pairs in 12 bytes (see k4_scale_min), unpacked from
// 32-bit words: scales 0..3 / mins 0..3 in the low 6 bits of bytes 0..3 / 4..7, scales and
// mins 4..7 from the nibbles of bytes 8..11 plus the top two bits of bytes 0..3 / 4..7.
inline void k4_scales_mins(const uint8_t* s, __m256* sc, __m256* mn) {
    uint32_t a, b, c;
    std::memcpy(&a, s, 4);
    std::memcpy(&b, s + 4, 4);
    std::memcpy(&c, s + 8, 4);
    const uint32_t sc_hi = (c & 0x0f0f0f0fu) | (((a >> 6) & 0x03030303u) << 4);
    const uint32_t mn_hi = ((c >> 4) & 0x0f0f0f0fu) | (((b >> 6) & 0x03030303u) << 4);
    const __m128i scs =
        _mm_setr_epi32(static_cast<int>(a & 0x3f3f3f3fu), static_cast<int>(sc_hi), 0, 0);
    const __m128i mns =
        _mm_setr_epi32(static_cast<int>(b & 0x3f3f3f3fu), static_cast<int>(mn_hi), 0, 0);
    *sc = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(scs));
    *mn = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(mns));
}

// The 32 bytes of a block, in element order, as four int32 vectors (sign- or zero-extended).
template <bool Signed>
inline void widen32(__m256i v, __m256i q[4]) {
    const __m128i lo = _mm256_castsi256_si128(v), hi = _mm256_extracti128_si256(v, 1);
    const __m128i parts[4] = {lo, _mm_unpackhi_epi64(lo, lo), hi, _mm_unpackhi_epi64(hi, hi)};
    for (int k = 0; k < 4; ++k) {
        q[k] = Signed ? _mm256_cvtepi8_epi32(parts[k]) : _mm256_cvtepu8_epi32(parts[k]);
    }
}

// Q5 values: the nibbles plus 16 where bit e of qh is set. Built as 32 bytes first (one op
// covers 32 elements), then widened. Q5_0 wants value - 16, which in int8 is the nibble with
// 0xF0 or-ed in where the fifth bit is clear.
template <bool MinusSixteen>
inline void q5_quants(const uint8_t* qs, const uint8_t* qh_bytes, __m256i q[4]) {
    uint32_t qh;
    std::memcpy(&qh, qh_bytes, 4);
    const __m256i bits = bits_to_bytes(qh), nib = unpack_nibbles16(qs);
    if (MinusSixteen) {
        const __m256i high = _mm256_set1_epi8(static_cast<char>(0xF0));
        widen32<true>(_mm256_or_si256(nib, _mm256_andnot_si256(bits, high)), q);
    } else {
        const __m256i bit4 = _mm256_set1_epi8(0x10);
        widen32<false>(_mm256_or_si256(nib, _mm256_and_si256(bits, bit4)), q);
    }
}

}  // namespace flash::kernels::avx2
