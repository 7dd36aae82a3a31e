// Small AVX-512 helpers shared by the *_avx512.cpp files (which alone are built with
// -mavx512f -mavx512bw -mavx512vl -mavx512vnni): 16 quants widened to int32 lanes, and the
// 32-element nibble formats (Q4_0, Q4_1, Q5_0, Q5_1) as two such vectors.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

namespace flash::kernels::avx512 {

// Bytes p[0..15] as sixteen int32 lanes, zero- or sign-extended.
inline __m512i widen16u(const void* p) {
    return _mm512_cvtepu8_epi32(_mm_loadu_si128(static_cast<const __m128i*>(p)));
}
inline __m512i widen16s(const void* p) {
    return _mm512_cvtepi8_epi32(_mm_loadu_si128(static_cast<const __m128i*>(p)));
}

// The 32-element nibble formats: byte l holds element l in its low nibble and l + 16 in its
// high one. Q5 adds bit e of qh as element e's fifth bit, applied through a lane mask.
struct Nibbles {
    __m512i lo, hi;  // elements 0..15 and 16..31 as int32
};
inline Nibbles nibbles(const uint8_t* qs) {
    const __m512i v = widen16u(qs);
    return {_mm512_and_si512(v, _mm512_set1_epi32(0x0F)), _mm512_srli_epi32(v, 4)};
}
inline Nibbles q5_values(const uint8_t* qs, const uint8_t* qh_bytes) {
    uint32_t qh;
    std::memcpy(&qh, qh_bytes, 4);
    const __m512i sixteen = _mm512_set1_epi32(16);
    Nibbles q = nibbles(qs);
    q.lo = _mm512_mask_add_epi32(q.lo, static_cast<__mmask16>(qh), q.lo, sixteen);
    q.hi = _mm512_mask_add_epi32(q.hi, static_cast<__mmask16>(qh >> 16), q.hi, sixteen);
    return q;
}
// Q5_0's signed values, q5 - 16: nibble - 16 where the fifth bit is clear (one masked
// subtraction per vector instead of an add and a subtraction).
inline Nibbles q5_values_minus16(const uint8_t* qs, const uint8_t* qh_bytes) {
    uint32_t qh;
    std::memcpy(&qh, qh_bytes, 4);
    const __m512i sixteen = _mm512_set1_epi32(16);
    Nibbles q = nibbles(qs);
    q.lo = _mm512_mask_sub_epi32(q.lo, static_cast<__mmask16>(~qh), q.lo, sixteen);
    q.hi = _mm512_mask_sub_epi32(q.hi, static_cast<__mmask16>(~qh >> 16), q.hi, sixteen);
    return q;
}
inline Nibbles minus(Nibbles q, int offset) {
    const __m512i off = _mm512_set1_epi32(offset);
    return {_mm512_sub_epi32(q.lo, off), _mm512_sub_epi32(q.hi, off)};
}

}  // namespace flash::kernels::avx512
