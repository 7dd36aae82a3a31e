// Scalar dot products of one weight row with one prepared activation row. Integer products are
// summed exactly per (sub-)block and scaled once, as llama.cpp's ggml_vec_dot_*_q8_* define
// the result; the SIMD versions differ only in the order float partial sums are added.
#include <cstring>

#include "core/fp16.h"
#include "kernels/k_scales.h"
#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"
#include "kernels/type_kernels.h"

namespace flash::kernels {
namespace detail::dot_ref {

float dot_f32w(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const float*>(w);
    const auto* y = static_cast<const float*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n; ++i) sum += x[i] * y[i];
    return sum;
}

float dot_f16w(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const uint8_t*>(w);
    const auto* y = static_cast<const float*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, x + 2 * i, 2);
        sum += fp16_to_f32(h) * y[i];
    }
    return sum;
}

float dot_bf16w(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const uint8_t*>(w);
    const auto* y = static_cast<const float*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, x + 2 * i, 2);
        sum += bf16_to_f32(h) * y[i];
    }
    return sum;
}

float dot_q4_0(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK4_0; ++i) {
        int sumi = 0;
        for (int j = 0; j < QK4_0 / 2; ++j) {
            sumi += ((x[i].qs[j] & 0x0F) - 8) * y[i].qs[j];
            sumi += ((x[i].qs[j] >> 4) - 8) * y[i].qs[j + QK4_0 / 2];
        }
        sum += static_cast<float>(sumi) * (fp16_to_f32(x[i].d) * fp16_to_f32(y[i].d));
    }
    return sum;
}

// Q4_1 / Q5_1 rows carry a minimum m: sum(m * y) is taken as m * s, with s = d_y * sum(q_y)
// stored (rounded to fp16) in the Q8_1 block.
float dot_q4_1(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_1*>(w);
    const auto* y = static_cast<const BlockQ8_1*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK4_1; ++i) {
        int sumi = 0;
        for (int j = 0; j < QK4_1 / 2; ++j) {
            sumi += (x[i].qs[j] & 0x0F) * y[i].qs[j];
            sumi += (x[i].qs[j] >> 4) * y[i].qs[j + QK4_1 / 2];
        }
        sum += (fp16_to_f32(x[i].d) * fp16_to_f32(y[i].d)) * static_cast<float>(sumi) +
               fp16_to_f32(x[i].m) * fp16_to_f32(y[i].s);
    }
    return sum;
}

inline int q5_bits(const uint8_t* qs, uint32_t qh, int e) {
    const int lo = e < 16 ? (qs[e] & 0x0F) : (qs[e - 16] >> 4);
    return lo | static_cast<int>(((qh >> e) & 1u) << 4);
}

float dot_q5_0(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK5_0; ++i) {
        uint32_t qh;
        std::memcpy(&qh, x[i].qh, 4);
        int sumi = 0;
        for (int e = 0; e < QK5_0; ++e) sumi += (q5_bits(x[i].qs, qh, e) - 16) * y[i].qs[e];
        sum += static_cast<float>(sumi) * (fp16_to_f32(x[i].d) * fp16_to_f32(y[i].d));
    }
    return sum;
}

float dot_q5_1(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_1*>(w);
    const auto* y = static_cast<const BlockQ8_1*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK5_1; ++i) {
        uint32_t qh;
        std::memcpy(&qh, x[i].qh, 4);
        int sumi = 0;
        for (int e = 0; e < QK5_1; ++e) sumi += q5_bits(x[i].qs, qh, e) * y[i].qs[e];
        sum += (fp16_to_f32(x[i].d) * fp16_to_f32(y[i].d)) * static_cast<float>(sumi) +
               fp16_to_f32(x[i].m) * fp16_to_f32(y[i].s);
    }
    return sum;
}

float dot_q8_0(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ8_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK8_0; ++i) {
        int sumi = 0;
        for (int j = 0; j < QK8_0; ++j) sumi += x[i].qs[j] * y[i].qs[j];
        sum += static_cast<float>(sumi) * (fp16_to_f32(x[i].d) * fp16_to_f32(y[i].d));
    }
    return sum;
}

// K-quants: per super-block, isum = sum_j scale_j * sum(q * y) over each sub-block (exact in
// int32), mins enter through the Q8_K block's 16-element sums.
float dot_q2_k(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ2_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; ++i) {
        int isum = 0, summs = 0;
        for (int j = 0; j < QK_K / 16; ++j) {
            int s = 0;
            for (int l = 0; l < 16; ++l) s += k_quant2(x[i].qs, 16 * j + l) * y[i].qs[16 * j + l];
            isum += (x[i].scales[j] & 0xF) * s;
            summs += (x[i].scales[j] >> 4) * y[i].bsums[j];
        }
        const float dall = y[i].d * fp16_to_f32(x[i].d);
        const float dmin = y[i].d * fp16_to_f32(x[i].dmin);
        sum += dall * static_cast<float>(isum) - dmin * static_cast<float>(summs);
    }
    return sum;
}

float dot_q3_k(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ3_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; ++i) {
        int8_t sc[16];
        q3k_scales(x[i].scales, sc);
        int isum = 0;
        for (int j = 0; j < QK_K / 16; ++j) {
            int s = 0;
            for (int l = 0; l < 16; ++l) {
                s += q3k_value(x[i].qs, x[i].hmask, 16 * j + l) * y[i].qs[16 * j + l];
            }
            isum += sc[j] * s;
        }
        sum += fp16_to_f32(x[i].d) * y[i].d * static_cast<float>(isum);
    }
    return sum;
}

float dot_q4_k(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; ++i) {
        int isum = 0, summs = 0;
        for (int j = 0; j < QK_K / 32; ++j) {
            uint8_t sc, m;
            k4_scale_min(j, x[i].scales, sc, m);
            int s = 0;
            for (int l = 0; l < 32; ++l) s += q4k_value(x[i].qs, 32 * j + l) * y[i].qs[32 * j + l];
            isum += sc * s;
            summs += m * (y[i].bsums[2 * j] + y[i].bsums[2 * j + 1]);
        }
        const float d = fp16_to_f32(x[i].d) * y[i].d;
        const float dmin = fp16_to_f32(x[i].dmin) * y[i].d;
        sum += d * static_cast<float>(isum) - dmin * static_cast<float>(summs);
    }
    return sum;
}

float dot_q5_k(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; ++i) {
        int isum = 0, summs = 0;
        for (int j = 0; j < QK_K / 32; ++j) {
            uint8_t sc, m;
            k4_scale_min(j, x[i].scales, sc, m);
            int s = 0;
            for (int l = 0; l < 32; ++l) {
                s += q5k_value(x[i].qs, x[i].qh, 32 * j + l) * y[i].qs[32 * j + l];
            }
            isum += sc * s;
            summs += m * (y[i].bsums[2 * j] + y[i].bsums[2 * j + 1]);
        }
        const float d = fp16_to_f32(x[i].d) * y[i].d;
        const float dmin = fp16_to_f32(x[i].dmin) * y[i].d;
        sum += d * static_cast<float>(isum) - dmin * static_cast<float>(summs);
    }
    return sum;
}

float dot_q6_k(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ6_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (int64_t i = 0; i < n / QK_K; ++i) {
        int isum = 0;
        for (int j = 0; j < QK_K / 16; ++j) {
            int s = 0;
            for (int l = 0; l < 16; ++l) {
                s += q6k_value(x[i].ql, x[i].qh, 16 * j + l) * y[i].qs[16 * j + l];
            }
            isum += x[i].scales[j] * s;
        }
        sum += fp16_to_f32(x[i].d) * y[i].d * static_cast<float>(isum);
    }
    return sum;
}

}  // namespace detail::dot_ref

float ref::vec_dot(DType weight, int64_t n, const void* w_row, const void* act_row) {
    detail::check_weight_row(weight, n, "vec_dot");
    return detail::type_traits(weight).dot(n, w_row, act_row);
}

}  // namespace flash::kernels
