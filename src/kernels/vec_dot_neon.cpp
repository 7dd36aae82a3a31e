// NEON dot products for every AArch64 CPU: float weights (F32, F16, BF16) against f32
// activations with FMA, and the quantized types with widening multiplies (no dotprod needed;
// vec_dot_dotprod.cpp has the sdot versions).
#include <arm_neon.h>

#include "core/fp16.h"
#include "kernels/kernels_internal.h"
#include "kernels/type_kernels.h"
#include "kernels/vec_dot_neon_impl.h"

namespace flash::kernels::detail::dot_neon {
namespace {

struct Widening {
    int32x4_t operator()(int32x4_t acc, int8x16_t a, int8x16_t b) const {
        return neon::dot_i8x16(acc, a, b);
    }
};

}  // namespace

float dot_f32w(int64_t n, const void* w, const void* a) {
    return neon_dot_f32(static_cast<const float*>(w), static_cast<const float*>(a), n);
}

float dot_f16w(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const uint16_t*>(w);
    const auto* y = static_cast<const float*>(a);
    float32x4_t acc0 = vdupq_n_f32(0), acc1 = vdupq_n_f32(0);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        acc0 = vfmaq_f32(acc0, neon::load_half4(x + i), vld1q_f32(y + i));
        acc1 = vfmaq_f32(acc1, neon::load_half4(x + i + 4), vld1q_f32(y + i + 4));
    }
    float sum = vaddvq_f32(vaddq_f32(acc0, acc1));
    for (; i < n; ++i) sum += fp16_to_f32(x[i]) * y[i];
    return sum;
}

float dot_bf16w(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const uint16_t*>(w);
    const auto* y = static_cast<const float*>(a);
    float32x4_t acc0 = vdupq_n_f32(0), acc1 = vdupq_n_f32(0);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const uint16x8_t h = vld1q_u16(x + i);
        acc0 = vfmaq_f32(acc0, neon::bf16_low(h), vld1q_f32(y + i));
        acc1 = vfmaq_f32(acc1, neon::bf16_high(h), vld1q_f32(y + i + 4));
    }
    float sum = vaddvq_f32(vaddq_f32(acc0, acc1));
    for (; i < n; ++i) sum += bf16_to_f32(x[i]) * y[i];
    return sum;
}

float dot_q2_k(int64_t n, const void* w, const void* a) {
    return neon::dot_q2_k(Widening{}, n, w, a);
}
float dot_q3_k(int64_t n, const void* w, const void* a) {
    return neon::dot_q3_k(Widening{}, n, w, a);
}
float dot_q4_0(int64_t n, const void* w, const void* a) {
    return neon::dot_q4_0(Widening{}, n, w, a);
}
float dot_q4_1(int64_t n, const void* w, const void* a) {
    return neon::dot_q4_1(Widening{}, n, w, a);
}
float dot_q4_k(int64_t n, const void* w, const void* a) {
    return neon::dot_q4_k(Widening{}, n, w, a);
}
float dot_q5_0(int64_t n, const void* w, const void* a) {
    return neon::dot_q5_0(Widening{}, n, w, a);
}
float dot_q5_1(int64_t n, const void* w, const void* a) {
    return neon::dot_q5_1(Widening{}, n, w, a);
}
float dot_q5_k(int64_t n, const void* w, const void* a) {
    return neon::dot_q5_k(Widening{}, n, w, a);
}
float dot_q6_k(int64_t n, const void* w, const void* a) {
    return neon::dot_q6_k(Widening{}, n, w, a);
}
float dot_q8_0(int64_t n, const void* w, const void* a) {
    return neon::dot_q8_0(Widening{}, n, w, a);
}

}  // namespace flash::kernels::detail::dot_neon
