// The quantized dot products with sdot (vdotq_s32, the dotprod extension): this file is built
// with +dotprod and its functions are chosen only where the CPU reports it (dispatch.cpp).
#include <arm_neon.h>

#include "kernels/type_kernels.h"
#include "kernels/vec_dot_neon_impl.h"

namespace flash::kernels::detail::dot_dotprod {
namespace {

struct Sdot {
    int32x4_t operator()(int32x4_t acc, int8x16_t a, int8x16_t b) const {
        return vdotq_s32(acc, a, b);
    }
};

}  // namespace

float dot_q2_k(int64_t n, const void* w, const void* a) {
    return neon::dot_q2_k(Sdot{}, n, w, a);
}
float dot_q3_k(int64_t n, const void* w, const void* a) {
    return neon::dot_q3_k(Sdot{}, n, w, a);
}
float dot_q4_0(int64_t n, const void* w, const void* a) {
    return neon::dot_q4_0(Sdot{}, n, w, a);
}
float dot_q4_1(int64_t n, const void* w, const void* a) {
    return neon::dot_q4_1(Sdot{}, n, w, a);
}
float dot_q4_k(int64_t n, const void* w, const void* a) {
    return neon::dot_q4_k(Sdot{}, n, w, a);
}
float dot_q5_0(int64_t n, const void* w, const void* a) {
    return neon::dot_q5_0(Sdot{}, n, w, a);
}
float dot_q5_1(int64_t n, const void* w, const void* a) {
    return neon::dot_q5_1(Sdot{}, n, w, a);
}
float dot_q5_k(int64_t n, const void* w, const void* a) {
    return neon::dot_q5_k(Sdot{}, n, w, a);
}
float dot_q6_k(int64_t n, const void* w, const void* a) {
    return neon::dot_q6_k(Sdot{}, n, w, a);
}
float dot_q8_0(int64_t n, const void* w, const void* a) {
    return neon::dot_q8_0(Sdot{}, n, w, a);
}

}  // namespace flash::kernels::detail::dot_dotprod
