// Private to the kernels layer: every per-type kernel, by implementation — the scalar
// references (deq_ref, dot_ref, act_ref), the AVX2 versions (deq_avx2, dot_avx2, xdot_avx2,
// act_avx2) and AVX-512 ones (deq_avx512, dot_avx512, xdot_avx512), compiled only with
// FLASH_KERNELS_X86, and the NEON ones (deq_neon, dot_neon, dot_dotprod, xdot_neon, act_neon; only
// with FLASH_KERNELS_ARM). The traits table (types.cpp) is their one user: a new type is a row
// there plus its functions here.
#pragma once

#include <cstdint>

namespace flash::kernels::detail {

namespace deq_ref {
void deq_bf16(const void* src, float* y, int64_t n);
void deq_f16(const void* src, float* y, int64_t n);
void deq_f32(const void* src, float* y, int64_t n);
void deq_q2_k(const void* src, float* y, int64_t n);
void deq_q3_k(const void* src, float* y, int64_t n);
void deq_q4_0(const void* src, float* y, int64_t n);
void deq_q4_1(const void* src, float* y, int64_t n);
void deq_q4_k(const void* src, float* y, int64_t n);
void deq_q5_0(const void* src, float* y, int64_t n);
void deq_q5_1(const void* src, float* y, int64_t n);
void deq_q5_k(const void* src, float* y, int64_t n);
void deq_q6_k(const void* src, float* y, int64_t n);
void deq_q8_0(const void* src, float* y, int64_t n);
void deq_q8_1(const void* src, float* y, int64_t n);
void deq_q8_k(const void* src, float* y, int64_t n);
}  // namespace deq_ref

namespace dot_ref {
float dot_bf16w(int64_t n, const void* w, const void* a);
float dot_f16w(int64_t n, const void* w, const void* a);
float dot_f32w(int64_t n, const void* w, const void* a);
float dot_q2_k(int64_t n, const void* w, const void* a);
float dot_q3_k(int64_t n, const void* w, const void* a);
float dot_q4_0(int64_t n, const void* w, const void* a);
float dot_q4_1(int64_t n, const void* w, const void* a);
float dot_q4_k(int64_t n, const void* w, const void* a);
float dot_q5_0(int64_t n, const void* w, const void* a);
float dot_q5_1(int64_t n, const void* w, const void* a);
float dot_q5_k(int64_t n, const void* w, const void* a);
float dot_q6_k(int64_t n, const void* w, const void* a);
float dot_q8_0(int64_t n, const void* w, const void* a);
}  // namespace dot_ref

namespace act_ref {
void quant_f32(const float* x, void* out, int64_t n);
void quant_q8_0(const float* x, void* out, int64_t n);
void quant_q8_1(const float* x, void* out, int64_t n);
void quant_q8_k(const float* x, void* out, int64_t n);
}  // namespace act_ref

#ifdef FLASH_KERNELS_X86
namespace deq_avx2 {
void deq_bf16(const void* src, float* y, int64_t n);
void deq_f16(const void* src, float* y, int64_t n);
void deq_q2_k(const void* src, float* y, int64_t n);
void deq_q3_k(const void* src, float* y, int64_t n);
void deq_q4_0(const void* src, float* y, int64_t n);
void deq_q4_1(const void* src, float* y, int64_t n);
void deq_q4_k(const void* src, float* y, int64_t n);
void deq_q5_0(const void* src, float* y, int64_t n);
void deq_q5_1(const void* src, float* y, int64_t n);
void deq_q5_k(const void* src, float* y, int64_t n);
void deq_q6_k(const void* src, float* y, int64_t n);
void deq_q8_0(const void* src, float* y, int64_t n);
}  // namespace deq_avx2

namespace dot_avx2 {
float dot_bf16w(int64_t n, const void* w, const void* a);
float dot_f16w(int64_t n, const void* w, const void* a);
float dot_f32w(int64_t n, const void* w, const void* a);
float dot_q2_k(int64_t n, const void* w, const void* a);
float dot_q3_k(int64_t n, const void* w, const void* a);
float dot_q4_0(int64_t n, const void* w, const void* a);
float dot_q4_1(int64_t n, const void* w, const void* a);
float dot_q4_k(int64_t n, const void* w, const void* a);
float dot_q5_0(int64_t n, const void* w, const void* a);
float dot_q5_1(int64_t n, const void* w, const void* a);
float dot_q5_k(int64_t n, const void* w, const void* a);
float dot_q6_k(int64_t n, const void* w, const void* a);
float dot_q8_0(int64_t n, const void* w, const void* a);
}  // namespace dot_avx2

namespace xdot_avx2 {
float xdot_q2_k(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q3_k(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q4_0(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q4_1(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q4_k(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q5_0(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q5_1(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q5_k(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q6_k(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q8_0(int64_t n, const void* w, const float* x, const float* sums);
}  // namespace xdot_avx2

namespace act_avx2 {
void quant_q8_0(const float* x, void* out, int64_t n);
void quant_q8_1(const float* x, void* out, int64_t n);
void quant_q8_k(const float* x, void* out, int64_t n);
}  // namespace act_avx2
// AVX-512 (F, BW, VL, VNNI) versions of the decode-time types; the rest keep the AVX2 ones.
namespace deq_avx512 {
void deq_q4_0(const void* src, float* y, int64_t n);
void deq_q4_1(const void* src, float* y, int64_t n);
void deq_q5_0(const void* src, float* y, int64_t n);
void deq_q5_1(const void* src, float* y, int64_t n);
void deq_q8_0(const void* src, float* y, int64_t n);
void deq_q4_k(const void* src, float* y, int64_t n);
}  // namespace deq_avx512

namespace dot_avx512 {
float dot_q4_k(int64_t n, const void* w, const void* a);
float dot_q6_k(int64_t n, const void* w, const void* a);
float dot_q4_1(int64_t n, const void* w, const void* a);
float dot_q8_0(int64_t n, const void* w, const void* a);
float dot_q4_0(int64_t n, const void* w, const void* a);
float dot_q5_0(int64_t n, const void* w, const void* a);
}  // namespace dot_avx512

namespace xdot_avx512 {
float xdot_q4_0(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q4_1(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q5_0(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q5_1(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q4_k(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q6_k(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q8_0(int64_t n, const void* w, const float* x, const float* sums);
}  // namespace xdot_avx512
#endif  // FLASH_KERNELS_X86

#ifdef FLASH_KERNELS_ARM
namespace deq_neon {
void deq_bf16(const void* src, float* y, int64_t n);
void deq_f16(const void* src, float* y, int64_t n);
void deq_q4_0(const void* src, float* y, int64_t n);
void deq_q4_1(const void* src, float* y, int64_t n);
void deq_q2_k(const void* src, float* y, int64_t n);
void deq_q3_k(const void* src, float* y, int64_t n);
void deq_q4_k(const void* src, float* y, int64_t n);
void deq_q5_0(const void* src, float* y, int64_t n);
void deq_q5_1(const void* src, float* y, int64_t n);
void deq_q5_k(const void* src, float* y, int64_t n);
void deq_q6_k(const void* src, float* y, int64_t n);
void deq_q8_0(const void* src, float* y, int64_t n);
}  // namespace deq_neon

// Integer products through vmull_s8 and pairwise adds: every AArch64 CPU.
namespace dot_neon {
float dot_bf16w(int64_t n, const void* w, const void* a);
float dot_f16w(int64_t n, const void* w, const void* a);
float dot_f32w(int64_t n, const void* w, const void* a);
float dot_q2_k(int64_t n, const void* w, const void* a);
float dot_q3_k(int64_t n, const void* w, const void* a);
float dot_q4_0(int64_t n, const void* w, const void* a);
float dot_q4_1(int64_t n, const void* w, const void* a);
float dot_q4_k(int64_t n, const void* w, const void* a);
float dot_q5_0(int64_t n, const void* w, const void* a);
float dot_q5_k(int64_t n, const void* w, const void* a);
float dot_q5_1(int64_t n, const void* w, const void* a);
float dot_q6_k(int64_t n, const void* w, const void* a);
float dot_q8_0(int64_t n, const void* w, const void* a);
}  // namespace dot_neon

// The same with sdot (vdotq_s32): four byte products summed per lane in one instruction.
namespace dot_dotprod {
float dot_q2_k(int64_t n, const void* w, const void* a);
float dot_q3_k(int64_t n, const void* w, const void* a);
float dot_q4_0(int64_t n, const void* w, const void* a);
float dot_q4_1(int64_t n, const void* w, const void* a);
float dot_q4_k(int64_t n, const void* w, const void* a);
float dot_q5_0(int64_t n, const void* w, const void* a);
float dot_q5_k(int64_t n, const void* w, const void* a);
float dot_q5_1(int64_t n, const void* w, const void* a);
float dot_q6_k(int64_t n, const void* w, const void* a);
float dot_q8_0(int64_t n, const void* w, const void* a);
}  // namespace dot_dotprod

// Fused exact dots (f32 activations), as xdot_avx2.
namespace xdot_neon {
float xdot_q4_0(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q4_1(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q2_k(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q3_k(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q4_k(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q5_0(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q5_1(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q5_k(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q6_k(int64_t n, const void* w, const float* x, const float* sums);
float xdot_q8_0(int64_t n, const void* w, const float* x, const float* sums);
}  // namespace xdot_neon

namespace act_neon {
void quant_q8_0(const float* x, void* out, int64_t n);
void quant_q8_1(const float* x, void* out, int64_t n);
void quant_q8_k(const float* x, void* out, int64_t n);
}  // namespace act_neon
#endif  // FLASH_KERNELS_ARM

}  // namespace flash::kernels::detail
