// Scalar dequantization of every supported block type. The arithmetic (operand order, one
// rounding per multiply and add, no fused multiply-add) follows llama.cpp's dequantize_row_*
// so the floats come out bit-identical to what llama.cpp produces from the same file.
#include <cstring>

#include "core/fp16.h"
#include "kernels/k_scales.h"
#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"
#include "kernels/type_kernels.h"

namespace flash::kernels {
namespace detail::deq_ref {

void deq_f32(const void* src, float* y, int64_t n) {
    std::memcpy(y, src, static_cast<size_t>(n) * sizeof(float));
}

void deq_f16(const void* src, float* y, int64_t n) {
    const auto* s = static_cast<const uint8_t*>(src);
    for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, s + 2 * i, 2);
        y[i] = fp16_to_f32(h);
    }
}

void deq_bf16(const void* src, float* y, int64_t n) {
    const auto* s = static_cast<const uint8_t*>(src);
    for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, s + 2 * i, 2);
        y[i] = bf16_to_f32(h);
    }
}

void deq_q4_0(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ4_0*>(src);
    for (int64_t i = 0; i < n / QK4_0; ++i, y += QK4_0) {
        const float d = fp16_to_f32(x[i].d);
        for (int j = 0; j < QK4_0 / 2; ++j) {
            y[j] = ((x[i].qs[j] & 0x0F) - 8) * d;
            y[j + QK4_0 / 2] = ((x[i].qs[j] >> 4) - 8) * d;
        }
    }
}

void deq_q4_1(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ4_1*>(src);
    for (int64_t i = 0; i < n / QK4_1; ++i, y += QK4_1) {
        const float d = fp16_to_f32(x[i].d);
        const float m = fp16_to_f32(x[i].m);
        for (int j = 0; j < QK4_1 / 2; ++j) {
            y[j] = (x[i].qs[j] & 0x0F) * d + m;
            y[j + QK4_1 / 2] = (x[i].qs[j] >> 4) * d + m;
        }
    }
}

// Q5: element j < 16 takes its fifth bit from qh bit j, element j + 16 from bit j + 16.
void deq_q5_0(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ5_0*>(src);
    for (int64_t i = 0; i < n / QK5_0; ++i, y += QK5_0) {
        const float d = fp16_to_f32(x[i].d);
        uint32_t qh;
        std::memcpy(&qh, x[i].qh, 4);
        for (int e = 0; e < QK5_0; ++e) y[e] = (q5_value(x[i].qs, qh, e) - 16) * d;
    }
}

void deq_q5_1(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ5_1*>(src);
    for (int64_t i = 0; i < n / QK5_1; ++i, y += QK5_1) {
        const float d = fp16_to_f32(x[i].d);
        const float m = fp16_to_f32(x[i].m);
        uint32_t qh;
        std::memcpy(&qh, x[i].qh, 4);
        for (int e = 0; e < QK5_1; ++e) y[e] = q5_value(x[i].qs, qh, e) * d + m;
    }
}

void deq_q8_0(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ8_0*>(src);
    for (int64_t i = 0; i < n / QK8_0; ++i, y += QK8_0) {
        const float d = fp16_to_f32(x[i].d);
        for (int j = 0; j < QK8_0; ++j) y[j] = x[i].qs[j] * d;
    }
}

// Activation types: dequantizable too, so tests can pin the dot products' semantics.
void deq_q8_1(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ8_1*>(src);
    for (int64_t i = 0; i < n / QK8_1; ++i, y += QK8_1) {
        const float d = fp16_to_f32(x[i].d);
        for (int j = 0; j < QK8_1; ++j) y[j] = x[i].qs[j] * d;
    }
}

void deq_q8_k(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ8_K*>(src);
    for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
        for (int j = 0; j < QK_K; ++j) y[j] = x[i].d * x[i].qs[j];
    }
}

void deq_q2_k(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ2_K*>(src);
    for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
        const float d = fp16_to_f32(x[i].d);
        const float dmin = fp16_to_f32(x[i].dmin);
        for (int e = 0; e < QK_K; ++e) {
            const uint8_t sc = x[i].scales[e / 16];
            const float dl = d * (sc & 0xF);
            const float ml = dmin * (sc >> 4);
            y[e] = dl * k_quant2(x[i].qs, e) - ml;
        }
    }
}

void deq_q3_k(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ3_K*>(src);
    for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
        const float d_all = fp16_to_f32(x[i].d);
        int8_t sc[16];
        q3k_scales(x[i].scales, sc);
        for (int e = 0; e < QK_K; ++e) {
            const float dl = d_all * sc[e / 16];
            y[e] = dl * q3k_value(x[i].qs, x[i].hmask, e);
        }
    }
}

void deq_q4_k(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ4_K*>(src);
    for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
        const float d = fp16_to_f32(x[i].d);
        const float dmin = fp16_to_f32(x[i].dmin);
        for (int e = 0; e < QK_K; ++e) {
            uint8_t sc, m;
            k4_scale_min(e / 32, x[i].scales, sc, m);
            const float d1 = d * sc;
            const float m1 = dmin * m;
            y[e] = d1 * q4k_value(x[i].qs, e) - m1;
        }
    }
}

void deq_q5_k(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ5_K*>(src);
    for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
        const float d = fp16_to_f32(x[i].d);
        const float dmin = fp16_to_f32(x[i].dmin);
        for (int e = 0; e < QK_K; ++e) {
            uint8_t sc, m;
            k4_scale_min(e / 32, x[i].scales, sc, m);
            const float d1 = d * sc;
            const float m1 = dmin * m;
            y[e] = d1 * q5k_value(x[i].qs, x[i].qh, e) - m1;
        }
    }
}

void deq_q6_k(const void* src, float* y, int64_t n) {
    const auto* x = static_cast<const BlockQ6_K*>(src);
    for (int64_t i = 0; i < n / QK_K; ++i, y += QK_K) {
        const float d = fp16_to_f32(x[i].d);
        for (int e = 0; e < QK_K; ++e) {
            // llama.cpp evaluates d * sc * q left to right: (d * sc) rounded, then * q.
            y[e] = d * x[i].scales[e / 16] * q6k_value(x[i].ql, x[i].qh, e);
        }
    }
}

}  // namespace detail::deq_ref

void ref::dequantize_row(DType t, const void* src, float* dst, int64_t n) {
    detail::check_dequant_row(t, n);
    detail::type_traits(t).dequant(src, dst, n);
}

}  // namespace flash::kernels
