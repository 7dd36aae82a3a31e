// The int8 GEMM micro-kernel with AVX-512 VNNI on 256-bit registers (Zen 4, Ice Lake and
// later): vpdpbusd adds four byte products to each int32 lane in one instruction, without
// saturation. EVEX encoding gives 32 vector registers, room for four activation rows.
#include "kernels/gemm_int8_x86.h"

namespace flash::kernels::detail {

void vnni_int8_micro(int64_t g, int64_t m, int64_t nb, const uint8_t* panel, const int8_t* xq,
                     int64_t ldx, const float* xs, const float* xsv, int64_t ldxs, float* c,
                     int64_t ldc) {
    auto dot = [](__m256i acc, __m256i w, __m256i v) { return _mm256_dpbusd_epi32(acc, w, v); };
    int8_micro::run<kVnniMicroRows>(g, m, nb, panel, xq, ldx, xs, xsv, ldxs, c, ldc, dot);
}

}  // namespace flash::kernels::detail
