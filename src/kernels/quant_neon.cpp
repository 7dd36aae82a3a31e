// NEON activation quantizers. Like quant_avx2.cpp they must produce exactly the bytes of the
// scalar references (quantize_act.cpp): the same scalar scale computation, one IEEE multiply
// per element, the same rounding rule (vrndaq: half away from zero; vrndnq: half to even) and
// the same clamps, with maxnm/minnm so a NaN clamps as std::fmax/std::fmin do.
#include <arm_neon.h>

#include <cstring>

#include "core/dtype.h"
#include "kernels/kernels_internal.h"
#include "kernels/neon_common.h"
#include "kernels/type_kernels.h"

namespace flash::kernels {
namespace detail::act_neon {
namespace {

// Four vectors of integral floats in [-128, 127] -> sixteen int8 in element order.
inline int8x16_t pack_i8(float32x4_t a, float32x4_t b, float32x4_t c, float32x4_t d) {
    const int16x8_t ab = vcombine_s16(vmovn_s32(vcvtq_s32_f32(a)), vmovn_s32(vcvtq_s32_f32(b)));
    const int16x8_t cd = vcombine_s16(vmovn_s32(vcvtq_s32_f32(c)), vmovn_s32(vcvtq_s32_f32(d)));
    return vcombine_s8(vmovn_s16(ab), vmovn_s16(cd));
}

// One 32-element Q8_0/Q8_1 block: writes d (fp16) and qs, returns sum(q) and d.
inline int quant_block32(const float* x, uint16_t* d_bits, int8_t* qs, float* d_out) {
    float32x4_t v[8];
    float32x4_t m = vdupq_n_f32(0);
    for (int k = 0; k < 8; ++k) {
        v[k] = vld1q_f32(x + 4 * k);
        m = vmaxnmq_f32(m, vabsq_f32(v[k]));
    }
    const float amax = vmaxnmvq_f32(m);
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    *d_bits = neon::float_to_half(d);
    *d_out = d;
    const float32x4_t lo = vdupq_n_f32(-127.0f), hi = vdupq_n_f32(127.0f);
    float32x4_t r[8];
    for (int k = 0; k < 8; ++k)
        r[k] = vminnmq_f32(vmaxnmq_f32(vrndaq_f32(vmulq_n_f32(v[k], id)), lo), hi);
    const int8x16_t q0 = pack_i8(r[0], r[1], r[2], r[3]), q1 = pack_i8(r[4], r[5], r[6], r[7]);
    vst1q_s8(qs, q0);
    vst1q_s8(qs + 16, q1);
    return vaddlvq_s8(q0) + vaddlvq_s8(q1);
}

}  // namespace

void quant_q8_0(const float* x, void* out, int64_t n) {
    auto* y = static_cast<BlockQ8_0*>(out);
    for (int64_t i = 0; i < n / QK8_0; ++i, x += QK8_0) {
        float d;
        uint16_t bits;
        quant_block32(x, &bits, y[i].qs, &d);
        y[i].d = bits;
    }
}

void quant_q8_1(const float* x, void* out, int64_t n) {
    auto* y = static_cast<BlockQ8_1*>(out);
    for (int64_t i = 0; i < n / QK8_1; ++i, x += QK8_1) {
        float d;
        uint16_t bits;
        const int sum = quant_block32(x, &bits, y[i].qs, &d);
        y[i].d = bits;
        y[i].s = neon::float_to_half(static_cast<float>(sum) * d);
    }
}

void quant_q8_k(const float* x, void* out, int64_t n) {
    auto* y = static_cast<BlockQ8_K*>(out);
    for (int64_t i = 0; i < n / QK_K; ++i, x += QK_K) {
        float32x4_t m = vdupq_n_f32(0);
        for (int k = 0; k < QK_K; k += 4) m = vmaxnmq_f32(m, vabsq_f32(vld1q_f32(x + k)));
        const float amax = vmaxnmvq_f32(m);
        std::memset(&y[i], 0, sizeof(BlockQ8_K));
        if (amax == 0.0f) continue;
        // The reference keeps the first element of largest magnitude (its sign sets d's sign).
        float max = 0.0f;
        const float32x4_t vamax = vdupq_n_f32(amax);
        for (int k = 0; k < QK_K; k += 4) {
            if (vmaxvq_u32(vceqq_f32(vabsq_f32(vld1q_f32(x + k)), vamax)) == 0) continue;
            int l = 0;
            while (__builtin_fabsf(x[k + l]) != amax) ++l;  // the first of the four that hits
            max = x[k + l];
            break;
        }
        const float iscale = -127.0f / max;
        const float32x4_t lo = vdupq_n_f32(-128.0f), hi = vdupq_n_f32(127.0f);
        for (int k = 0; k < QK_K; k += 16) {
            float32x4_t r[4];
            for (int j = 0; j < 4; ++j) {
                const float32x4_t v = vrndnq_f32(vmulq_n_f32(vld1q_f32(x + k + 4 * j), iscale));
                r[j] = vminnmq_f32(vmaxnmq_f32(v, lo), hi);
            }
            const int8x16_t q = pack_i8(r[0], r[1], r[2], r[3]);
            vst1q_s8(y[i].qs + k, q);
            y[i].bsums[k / 16] = static_cast<int16_t>(vaddlvq_s8(q));
        }
        y[i].d = 1.0f / iscale;
    }
}

}  // namespace detail::act_neon
}  // namespace flash::kernels
