// The int8 GEMM micro-kernel for AVX2 without VNNI: vpmaddubsw multiplies byte pairs into
// saturating int16 sums (exact while weight bytes stay below 128), vpmaddwd adds the pairs
// into int32 lanes. Three activation rows: 6 integer and 6 float accumulators, with the
// weights, the broadcast and the ones, fill the 16 registers.
#include "kernels/gemm_int8_x86.h"

namespace flash::kernels::detail {

void avx2_int8_micro(int64_t g, int64_t m, int64_t nb, const uint8_t* panel, const int8_t* xq,
                     int64_t ldx, const float* xs, const float* xsv, int64_t ldxs, float* c,
                     int64_t ldc) {
    const __m256i ones = _mm256_set1_epi16(1);
    auto dot = [ones](__m256i acc, __m256i w, __m256i v) {
        return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(w, v), ones));
    };
    int8_micro::run<kAvx2Int8MicroRows>(g, m, nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc, dot);
}

namespace {

__m256i load8(const uint8_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// Eight rows of eight 4-byte groups (row i at rows + i * stride) transposed: group q of the
// eight rows lands at out + q * 64, as 32 bytes.
void transpose8x8(const uint8_t* rows, size_t stride, uint8_t* out) {
    __m256i r[8], t[8], s[8];
    for (int i = 0; i < 8; ++i) r[i] = load8(rows + i * stride);
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);      // groups 0 1 | 4 5 of rows i, i+1
        t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);  // groups 2 3 | 6 7
    }
    for (int i = 0; i < 8; i += 4) {  // group q | q + 4 of four rows, q = 0..3
        s[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);
        s[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);
        s[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]);
        s[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int q = 0; q < 4; ++q) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + q * 64),
                            _mm256_permute2x128_si256(s[q], s[q + 4], 0x20));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + (q + 4) * 64),
                            _mm256_permute2x128_si256(s[q], s[q + 4], 0x31));
    }
}

// Four rows of four 4-byte groups: group q of the four rows lands at out + q * 64, 16 bytes.
void transpose4x4(const uint8_t* rows, size_t stride, uint8_t* out) {
    __m128i r[4];
    for (int i = 0; i < 4; ++i)
        r[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows + i * stride));
    const __m128i t0 = _mm_unpacklo_epi32(r[0], r[1]), t1 = _mm_unpackhi_epi32(r[0], r[1]);
    const __m128i t2 = _mm_unpacklo_epi32(r[2], r[3]), t3 = _mm_unpackhi_epi32(r[2], r[3]);
    const __m128i q[4] = {_mm_unpacklo_epi64(t0, t2), _mm_unpackhi_epi64(t0, t2),
                          _mm_unpacklo_epi64(t1, t3), _mm_unpackhi_epi64(t1, t3)};
    for (int i = 0; i < 4; ++i) _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i * 64), q[i]);
}

}  // namespace

void avx2_int8_interleave(int64_t g, const uint8_t* rows, size_t stride, uint8_t* p) {
    static_assert(kPanelRows == 16);
    if (g == 32) {
        transpose8x8(rows, stride, p);
        transpose8x8(rows + 8 * stride, stride, p + 32);
        return;
    }
    for (int i = 0; i < 4; ++i) transpose4x4(rows + 4 * i * stride, stride, p + 16 * i);
}

}  // namespace flash::kernels::detail
