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

}  // namespace flash::kernels::detail
