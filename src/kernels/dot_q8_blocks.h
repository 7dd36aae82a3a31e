// The 32-element formats whose activations are Q8_0 (Q8_0, Q4_0, Q5_0) against them, for any
// signed x signed byte dot product: vpmaddubsw + vpmaddwd on AVX2 (vec_dot_avx2.cpp), one
// vpdpbusd where AVX-512 VNNI is present (vec_dot_avx512.cpp). Each file instantiates them with
// its own and is compiled for its own ISA, so they have internal linkage: no copy built for one
// ISA can stand in for the other's. Only the float summation order differs from the scalar
// reference.
#pragma once

#include <cstring>

#include "core/dtype.h"
#include "kernels/avx2_common.h"

namespace flash::kernels::avx2 {
namespace {

// SignedDot(x, y): per int32 lane, the sum of four products x_i * y_i of int8 values.
template <__m256i (*SignedDot)(__m256i, __m256i)>
float dot_q8_0_blocks(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ8_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    return two_acc_loop(n / QK8_0, [&](int64_t i, __m256 acc) {
        const __m256 d = _mm256_broadcastss_ps(_mm_mul_ss(block_head(&x[i]), block_head(&y[i])));
        const __m256i p = SignedDot(load256(x[i].qs), load256(y[i].qs));
        return _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(p), acc);
    });
}

template <__m256i (*SignedDot)(__m256i, __m256i)>
float dot_q4_0_blocks(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    const __m256i eight = _mm256_set1_epi8(8);
    return two_acc_loop(n / QK4_0, [&](int64_t i, __m256 acc) {
        const __m256 d = _mm256_broadcastss_ps(_mm_mul_ss(block_head(&x[i]), block_head(&y[i])));
        const __m256i q = _mm256_sub_epi8(unpack_nibbles16(x[i].qs), eight);
        const __m256i p = SignedDot(q, load256(y[i].qs));
        return _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(p), acc);
    });
}

// A Q5_0 block's values minus 16 as int8, the fifth bits spread into bytes: a clear bit leaves
// nibble - 16 = 0xF0 | nibble.
inline __m256i q5_0_values_spread(const BlockQ5_0& b) {
    uint32_t qh;
    std::memcpy(&qh, b.qh, 4);
    return _mm256_or_si256(
        unpack_nibbles16(b.qs),
        _mm256_andnot_si256(bits_to_bytes(qh), _mm256_set1_epi8(static_cast<char>(0xF0))));
}

// Values(block): the block's 32 values minus 16 as int8 (the AVX-512 kernel builds them with a
// mask register).
template <__m256i (*SignedDot)(__m256i, __m256i),
          __m256i (*Values)(const BlockQ5_0&) = q5_0_values_spread>
float dot_q5_0_blocks(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    return two_acc_loop(n / QK5_0, [&](int64_t i, __m256 acc) {
        const __m256 d = _mm256_broadcastss_ps(_mm_mul_ss(block_head(&x[i]), block_head(&y[i])));
        const __m256i p = SignedDot(Values(x[i]), load256(y[i].qs));
        return _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(p), acc);
    });
}

}  // namespace
}  // namespace flash::kernels::avx2
