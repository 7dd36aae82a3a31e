// Small NEON helpers shared by the ARM64 kernel files (*_neon.cpp, *_dotprod.cpp). Static:
// vec_dot_dotprod.cpp is built with other target flags, so each file keeps its own copies.
#pragma once

#include <arm_neon.h>

#include <cstdint>
#include <cstring>

#include "core/dtype.h"

namespace flash::kernels::neon {

// One IEEE binary16 scale to float in one instruction (fcvt), exactly as fp16_to_f32.
static inline float half_to_float(uint16_t bits) {
    __fp16 h;
    std::memcpy(&h, &bits, sizeof(h));
    return static_cast<float>(h);
}

// A float to IEEE binary16 in one instruction (fcvt, rounding to nearest even), as
// f32_to_fp16 rounds.
static inline uint16_t float_to_half(float f) {
    const __fp16 h = static_cast<__fp16>(f);
    uint16_t bits;
    std::memcpy(&bits, &h, sizeof(bits));
    return bits;
}

// Eight halves (IEEE binary16, as stored in GGUF and the KV cache) to two float vectors.
static inline float32x4_t load_half4(const uint16_t* p) {
    return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p)));
}

// bfloat16 is the top half of a float: widen by shifting 16 bits up.
static inline float32x4_t bf16_low(uint16x8_t h) {
    return vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(h), 16));
}
static inline float32x4_t bf16_high(uint16x8_t h) {
    return vreinterpretq_f32_u32(vshll_n_u16(vget_high_u16(h), 16));
}

// Sum of the products of sixteen signed bytes, pairwise into four int32 lanes, without the
// dotprod extension: two widening multiplies and pairwise accumulating adds.
static inline int32x4_t dot_i8x16(int32x4_t acc, int8x16_t a, int8x16_t b) {
    const int16x8_t lo = vmull_s8(vget_low_s8(a), vget_low_s8(b));
    const int16x8_t hi = vmull_high_s8(a, b);
    return vpadalq_s16(vpadalq_s16(acc, lo), hi);
}

// A Q4 block's 16 bytes as 32 unsigned nibbles: low nibbles (elements 0..15), high (16..31).
static inline void nibbles(const uint8_t* qs, uint8x16_t& lo, uint8x16_t& hi) {
    const uint8x16_t b = vld1q_u8(qs);
    lo = vandq_u8(b, vdupq_n_u8(0x0F));
    hi = vshrq_n_u8(b, 4);
}

// Q5_0 / Q5_1: bit e of qh as 0x10 in byte e, for e < 32 (lo: elements 0..15, hi: 16..31).
static inline void q5_high_bits(const uint8_t* qh_bytes, uint8x16_t& lo, uint8x16_t& hi) {
    uint32_t qh;
    std::memcpy(&qh, qh_bytes, 4);
    // Byte k of the broadcast holds bits 8k..8k+7; test bit (e % 8) of byte e / 8.
    static const uint8_t kBit[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x16_t bit = vld1q_u8(kBit);
    const uint8x8_t b = vcreate_u8(qh);
    const uint8x16_t lo_bytes = vcombine_u8(vdup_lane_u8(b, 0), vdup_lane_u8(b, 1));
    const uint8x16_t hi_bytes = vcombine_u8(vdup_lane_u8(b, 2), vdup_lane_u8(b, 3));
    lo = vandq_u8(vtstq_u8(lo_bytes, bit), vdupq_n_u8(0x10));
    hi = vandq_u8(vtstq_u8(hi_bytes, bit), vdupq_n_u8(0x10));
}

// A Q5_0 / Q5_1 block's 32 five-bit values (0..31): nibbles plus the qh bits as 0x10.
static inline void q5_values(const uint8_t* qs, const uint8_t* qh, uint8x16_t& lo, uint8x16_t& hi) {
    uint8x16_t hlo, hhi;
    nibbles(qs, lo, hi);
    q5_high_bits(qh, hlo, hhi);
    lo = vorrq_u8(lo, hlo);
    hi = vorrq_u8(hi, hhi);
}

// Q2_K / Q3_K: the two-bit values at shift j (0..3) of sixteen bytes.
static inline uint8x16_t two_bits(uint8x16_t b, int j) {
    return vandq_u8(vshlq_u8(b, vdupq_n_s8(static_cast<int8_t>(-2 * j))), vdupq_n_u8(3));
}

// Q3_K: sixteen values in -4..3 from the two low bits at shift j and the hmask bit `bit`.
static inline int8x16_t q3k_values16(uint8x16_t q, uint8x16_t hmask, int j, int bit) {
    const uint8x16_t high =
        vandq_u8(vshlq_u8(hmask, vdupq_n_s8(static_cast<int8_t>(-bit))), vdupq_n_u8(1));
    return vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(two_bits(q, j), vshlq_n_u8(high, 2))),
                    vdupq_n_s8(4));
}

// Q5_K: the nibble of byte vector b (high nibbles when `high`) plus 16 where bit j of qh is set.
static inline uint8x16_t q5k_values16(uint8x16_t b, uint8x16_t qh, bool high, int j) {
    const uint8x16_t nibble = high ? vshrq_n_u8(b, 4) : vandq_u8(b, vdupq_n_u8(0x0F));
    const uint8x16_t fifth =
        vandq_u8(vshlq_u8(qh, vdupq_n_s8(static_cast<int8_t>(-j))), vdupq_n_u8(1));
    return vorrq_u8(nibble, vshlq_n_u8(fifth, 4));
}

// The 32 values of a 32-element block as two signed byte vectors (elements 0..15, 16..31),
// with the type's offset applied (Q4_0: q - 8, Q5_0: q - 16); Q4_1 and Q5_1 keep their
// unsigned values, their minimum is added separately.
static inline void block_values(const BlockQ4_0& b, int8x16_t v[2]) {
    uint8x16_t lo, hi;
    nibbles(b.qs, lo, hi);
    v[0] = vsubq_s8(vreinterpretq_s8_u8(lo), vdupq_n_s8(8));
    v[1] = vsubq_s8(vreinterpretq_s8_u8(hi), vdupq_n_s8(8));
}
static inline void block_values(const BlockQ5_0& b, int8x16_t v[2]) {
    uint8x16_t lo, hi;
    q5_values(b.qs, b.qh, lo, hi);
    v[0] = vsubq_s8(vreinterpretq_s8_u8(lo), vdupq_n_s8(16));
    v[1] = vsubq_s8(vreinterpretq_s8_u8(hi), vdupq_n_s8(16));
}
static inline void block_values(const BlockQ8_0& b, int8x16_t v[2]) {
    v[0] = vld1q_s8(b.qs);
    v[1] = vld1q_s8(b.qs + 16);
}
static inline void block_values(const BlockQ4_1& b, int8x16_t v[2]) {
    uint8x16_t lo, hi;
    nibbles(b.qs, lo, hi);
    v[0] = vreinterpretq_s8_u8(lo);
    v[1] = vreinterpretq_s8_u8(hi);
}
static inline void block_values(const BlockQ5_1& b, int8x16_t v[2]) {
    uint8x16_t lo, hi;
    q5_values(b.qs, b.qh, lo, hi);
    v[0] = vreinterpretq_s8_u8(lo);
    v[1] = vreinterpretq_s8_u8(hi);
}

// Sixteen Q6_K values (-32..31) of group g (32 elements) of a 128-element half, bytes
// 16c..16c + 15: ql's low (g < 2) or high nibble of bytes 32 (g & 1) + l, and bits 2g..2g+1 of
// qh[l] as the top two bits.
static inline int8x16_t q6k_values16(const uint8_t* ql, const uint8_t* qh, int g, int c) {
    const uint8x16_t lb = vld1q_u8(ql + 32 * (g & 1) + 16 * c);
    const uint8x16_t lo = g < 2 ? vandq_u8(lb, vdupq_n_u8(0x0F)) : vshrq_n_u8(lb, 4);
    const uint8x16_t hb = vld1q_u8(qh + 16 * c);
    const uint8x16_t hi = vshlq_n_u8(
        vandq_u8(vshlq_u8(hb, vdupq_n_s8(static_cast<int8_t>(-2 * g))), vdupq_n_u8(3)), 4);
    return vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(lo, hi)), vdupq_n_s8(32));
}

}  // namespace flash::kernels::neon
