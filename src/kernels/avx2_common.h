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
