// Element accessors for the K-quant super-blocks (256 elements), shared by the scalar
// dequantizer and the scalar dot products. Written per element, in the layouts' own terms,
// so the references are easy to check against ggml-common.h; SIMD code unpacks in bulk. The
// CUDA kernels (src/cuda) read elements with these same functions in device code.
#pragma once

#include <cstdint>

#ifdef __CUDACC__
#define FLASH_HOST_DEVICE __host__ __device__
#else
#define FLASH_HOST_DEVICE
#endif

namespace flash::kernels {

// Q2_K / Q3_K low bits: each 128-element half uses 32 bytes; element (j*32 + l) of the half
// sits in bits 2j..2j+1 of byte l.
FLASH_HOST_DEVICE inline int k_quant2(const uint8_t* qs, int e) {
    const int half = e / 128, j = (e % 128) / 32, l = e % 32;
    return (qs[32 * half + l] >> (2 * j)) & 3;
}

// Q3_K: sixteen 6-bit scales packed in 12 bytes (low nibbles in bytes 0..7, high bit pairs in
// bytes 8..11), stored with an offset of 32.
FLASH_HOST_DEVICE inline int q3k_scale(const uint8_t* s, int j) {
    const int lo = j < 8 ? (s[j] & 0xF) : (s[j - 8] >> 4);
    const int hi = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
    return (lo | (hi << 4)) - 32;
}
inline void q3k_scales(const uint8_t* s, int8_t out[16]) {
    for (int j = 0; j < 16; ++j) out[j] = static_cast<int8_t>(q3k_scale(s, j));
}

// Q3_K value in [-4, 3]: the two low bits, minus 4 unless the element's hmask bit is set.
// hmask byte l holds bit (e / 32) for elements e with e % 32 == l.
FLASH_HOST_DEVICE inline int q3k_value(const uint8_t* qs, const uint8_t* hmask, int e) {
    const int high = (hmask[e % 32] >> (e / 32)) & 1;
    return k_quant2(qs, e) - (high ? 0 : 4);
}

// Q5_0 / Q5_1 value in [0, 31]: the Q4 nibble (bytes 0..15 hold elements 0..15 low, 16..31
// high) plus bit e of qh as the fifth bit.
FLASH_HOST_DEVICE inline int q5_value(const uint8_t* qs, uint32_t qh, int e) {
    const int lo = e < 16 ? (qs[e] & 0x0F) : (qs[e - 16] >> 4);
    return lo | static_cast<int>(((qh >> e) & 1u) << 4);
}

// Q4_K / Q5_K: eight 6-bit (scale, min) pairs in 12 bytes (llama.cpp's get_scale_min_k4).
FLASH_HOST_DEVICE inline void k4_scale_min(int j, const uint8_t* q, uint8_t& sc, uint8_t& m) {
    if (j < 4) {
        sc = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        sc = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        m = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

// Q4_K nibble: each 64 elements use 32 bytes, low nibbles first then high nibbles.
FLASH_HOST_DEVICE inline int q4k_value(const uint8_t* qs, int e) {
    const int p = e / 64, o = e % 64;
    return o < 32 ? (qs[32 * p + o] & 0xF) : (qs[32 * p + o - 32] >> 4);
}

// Q5_K: the Q4_K nibble plus 16 when bit (e / 32) of qh[e % 32] is set.
FLASH_HOST_DEVICE inline int q5k_value(const uint8_t* qs, const uint8_t* qh, int e) {
    return q4k_value(qs, e) + (((qh[e % 32] >> (e / 32)) & 1) ? 16 : 0);
}

// Q6_K value in [-32, 31]: per 128 elements, 64 bytes of ql and 32 of qh. Group g (32 elements)
// takes the low (g < 2) or high nibble of ql[l + 32 * (g & 1)] and bits 2g..2g+1 of qh[l].
FLASH_HOST_DEVICE inline int q6k_value(const uint8_t* ql, const uint8_t* qh, int e) {
    const int half = e / 128, o = e % 128, g = o / 32, l = o % 32;
    const uint8_t lb = ql[64 * half + l + 32 * (g & 1)];
    const int lo = g < 2 ? (lb & 0xF) : (lb >> 4);
    const int hi = (qh[32 * half + l] >> (2 * g)) & 3;
    return (lo | (hi << 4)) - 32;
}

}  // namespace flash::kernels
