// Scalar activation quantizers with llama.cpp's reference semantics (quantize_row_q8_0_ref,
// quantize_row_q8_1_ref, quantize_row_q8_K_ref). The SIMD quantizers must produce the same
// bytes, so every rounding step here is one they can reproduce exactly.
#include <cmath>
#include <cstring>

#include "core/fp16.h"
#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"
#include "kernels/quant_common.h"
#include "kernels/type_kernels.h"

namespace flash::kernels {
namespace detail::act_ref {

void quant_f32(const float* x, void* out, int64_t n) {
    std::memcpy(out, x, static_cast<size_t>(n) * sizeof(float));
}

// Q8_0: d = amax / 127, q = round-half-away(x * (1/d)).
void quant_q8_0(const float* x, void* out, int64_t n) {
    auto* y = static_cast<BlockQ8_0*>(out);
    for (int64_t i = 0; i < n / QK8_0; ++i, x += QK8_0) {
        float amax = 0.0f;
        for (int j = 0; j < QK8_0; ++j) amax = std::fmax(amax, std::fabs(x[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = f32_to_fp16(d);
        for (int j = 0; j < QK8_0; ++j) y[i].qs[j] = round_away_i8(x[j] * id);
    }
}

// Q8_1: as Q8_0, plus s = fp16(d * sum(q)) so Q4_1/Q5_1 dots can add the weight minimum once.
void quant_q8_1(const float* x, void* out, int64_t n) {
    auto* y = static_cast<BlockQ8_1*>(out);
    for (int64_t i = 0; i < n / QK8_1; ++i, x += QK8_1) {
        float amax = 0.0f;
        for (int j = 0; j < QK8_1; ++j) amax = std::fmax(amax, std::fabs(x[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = f32_to_fp16(d);
        int sum = 0;
        for (int j = 0; j < QK8_1; ++j) {
            y[i].qs[j] = round_away_i8(x[j] * id);
            sum += y[i].qs[j];
        }
        y[i].s = f32_to_fp16(static_cast<float>(sum) * d);
    }
}

// Q8_K: scale from the signed value of largest magnitude (first one on ties), iscale =
// -127/max, q = round-half-even(iscale * x) capped at 127, d = 1/iscale, and 16-wide sums.
void quant_q8_k(const float* x, void* out, int64_t n) {
    auto* y = static_cast<BlockQ8_K*>(out);
    for (int64_t i = 0; i < n / QK_K; ++i, x += QK_K) {
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < QK_K; ++j) {
            const float ax = std::fabs(x[j]);
            if (ax > amax) {
                amax = ax;
                max = x[j];
            }
        }
        std::memset(&y[i], 0, sizeof(BlockQ8_K));
        if (amax == 0.0f) continue;  // all zero: d = 0, q = 0 (bsums zeroed too)
        const float iscale = -127.0f / max;
        for (int j = 0; j < QK_K; ++j) y[i].qs[j] = round_even_q8k(iscale * x[j]);
        for (int g = 0; g < QK_K / 16; ++g) {
            int sum = 0;
            for (int l = 0; l < 16; ++l) sum += y[i].qs[16 * g + l];
            y[i].bsums[g] = static_cast<int16_t>(sum);
        }
        y[i].d = 1.0f / iscale;
    }
}

}  // namespace detail::act_ref

void ref::quantize_activation_row(DType weight, const float* x, void* out, int64_t n) {
    detail::check_weight_row(weight, n, "quantize_activation_row");
    detail::type_traits(weight).quantize(x, out, n);
}

}  // namespace flash::kernels
