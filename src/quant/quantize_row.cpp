#include "quant/quantize_row.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <string>

#include "core/error.h"
#include "core/fp16.h"
#include "quant/k_quants.h"
#include "quant/scale_search.h"

// The arithmetic below follows ggml's reference quantizers step by step (float, not double;
// the same order of operations and casts): byte-identical output is the point, so
// "simplifications" that change a rounding are bugs here.
namespace flash::quant {
namespace {

void q8_0(const float* x, BlockQ8_0* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += QK8_0) {
        float amax = 0.0f;
        for (int j = 0; j < QK8_0; ++j) amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / ((1 << 7) - 1);
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = f32_to_fp16(d);
        for (int j = 0; j < QK8_0; ++j) y[i].qs[j] = static_cast<int8_t>(std::round(x[j] * id));
    }
}

void q4_0(const float* x, BlockQ4_0* y, int64_t nb) {
    constexpr int half = QK4_0 / 2;
    for (int64_t i = 0; i < nb; ++i, x += QK4_0) {
        const float d = signed_max(x, QK4_0) / -8;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = f32_to_fp16(d);
        for (int j = 0; j < half; ++j) {
            const uint8_t lo = std::min<int8_t>(15, static_cast<int8_t>(x[j] * id + 8.5f));
            const uint8_t hi = std::min<int8_t>(15, static_cast<int8_t>(x[half + j] * id + 8.5f));
            y[i].qs[j] = static_cast<uint8_t>(lo | (hi << 4));
        }
    }
}

void min_max(const float* x, int n, float& min, float& max) {
    min = FLT_MAX;
    max = -FLT_MAX;
    for (int j = 0; j < n; ++j) {
        min = std::min(min, x[j]);
        max = std::max(max, x[j]);
    }
}

void q4_1(const float* x, BlockQ4_1* y, int64_t nb) {
    constexpr int half = QK4_1 / 2;
    for (int64_t i = 0; i < nb; ++i, x += QK4_1) {
        float min, max;
        min_max(x, QK4_1, min, max);
        const float d = (max - min) / ((1 << 4) - 1);
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = f32_to_fp16(d);
        y[i].m = f32_to_fp16(min);
        for (int j = 0; j < half; ++j) {
            const uint8_t lo = std::min<int8_t>(15, static_cast<int8_t>((x[j] - min) * id + 0.5f));
            const uint8_t hi =
                std::min<int8_t>(15, static_cast<int8_t>((x[half + j] - min) * id + 0.5f));
            y[i].qs[j] = static_cast<uint8_t>(lo | (hi << 4));
        }
    }
}

// Low nibbles into qs, fifth bits into the 32-bit qh (value j at bit j, j + 16 at bit j + 16).
template <typename Block>
void pack5(Block& y, const uint8_t* q, int half) {
    uint32_t qh = 0;
    for (int j = 0; j < half; ++j) {
        y.qs[j] = static_cast<uint8_t>((q[j] & 0x0F) | ((q[half + j] & 0x0F) << 4));
        qh |= static_cast<uint32_t>((q[j] & 0x10u) >> 4) << j;
        qh |= static_cast<uint32_t>((q[half + j] & 0x10u) >> 4) << (j + half);
    }
    std::memcpy(y.qh, &qh, sizeof qh);
}

void q5_0(const float* x, BlockQ5_0* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += QK5_0) {
        const float d = signed_max(x, QK5_0) / -16;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = f32_to_fp16(d);
        uint8_t q[QK5_0];
        for (int j = 0; j < QK5_0; ++j)
            q[j] =
                static_cast<uint8_t>(std::min<int8_t>(31, static_cast<int8_t>(x[j] * id + 16.5f)));
        pack5(y[i], q, QK5_0 / 2);
    }
}

void q5_1(const float* x, BlockQ5_1* y, int64_t nb) {
    for (int64_t i = 0; i < nb; ++i, x += QK5_1) {
        float min, max;
        min_max(x, QK5_1, min, max);
        const float d = (max - min) / ((1 << 5) - 1);
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = f32_to_fp16(d);
        y[i].m = f32_to_fp16(min);
        uint8_t q[QK5_1];
        for (int j = 0; j < QK5_1; ++j) q[j] = static_cast<uint8_t>((x[j] - min) * id + 0.5f);
        pack5(y[i], q, QK5_1 / 2);
    }
}

// With an importance matrix, the legacy block types choose each block's scale (and min) by a
// weighted search as llama.cpp does, weights qw·sqrt(σ² + x²) with σ² the row's mean square.
void weighted_symmetric(const float* x, const float* qw, float sigma2, int n, int nmax, float* d,
                        uint8_t* q) {
    float w[QK5_0];
    int8_t L[QK5_0];
    for (int j = 0; j < n; ++j) w[j] = importance_weight(qw[j], sigma2, x[j]);
    *d = make_qx_quants(n, nmax, x, L, w);
    for (int j = 0; j < n; ++j) q[j] = static_cast<uint8_t>(L[j]);
}

void weighted_asymmetric(const float* x, const float* qw, float sigma2, int n, int nmax, float* d,
                         float* m, uint8_t* q) {
    float w[QK5_1];
    uint8_t Laux[QK5_1];
    for (int j = 0; j < n; ++j) w[j] = importance_weight(qw[j], sigma2, x[j]);
    float the_min = 0;
    *d = make_qkx2_quants(n, nmax, x, w, q, &the_min, Laux, -0.9f, 0.05f, 36, false);
    *m = -the_min;
}

template <typename Block>
void pack4(Block& y, const uint8_t* q, int half) {
    for (int j = 0; j < half; ++j) y.qs[j] = static_cast<uint8_t>(q[j] | (q[half + j] << 4));
}

void legacy_weighted(DType type, const float* x, void* out, int64_t n, const float* qw) {
    const float sigma2 = sum_squares(x, static_cast<int>(n)) / static_cast<float>(n);
    uint8_t q[32];
    float d = 0, m = 0;
    for (int64_t i = 0; i < n / 32; ++i) {
        const float* xb = x + 32 * i;
        const float* wb = qw + 32 * i;
        switch (type) {
            case DType::Q4_0: {
                auto& y = static_cast<BlockQ4_0*>(out)[i];
                weighted_symmetric(xb, wb, sigma2, 32, 8, &d, q);
                y.d = f32_to_fp16(d);
                pack4(y, q, 16);
                break;
            }
            case DType::Q5_0: {
                auto& y = static_cast<BlockQ5_0*>(out)[i];
                weighted_symmetric(xb, wb, sigma2, 32, 16, &d, q);
                y.d = f32_to_fp16(d);
                pack5(y, q, 16);
                break;
            }
            case DType::Q4_1: {
                auto& y = static_cast<BlockQ4_1*>(out)[i];
                weighted_asymmetric(xb, wb, sigma2, 32, 15, &d, &m, q);
                y.d = f32_to_fp16(d);
                y.m = f32_to_fp16(m);
                pack4(y, q, 16);
                break;
            }
            default: {  // Q5_1
                auto& y = static_cast<BlockQ5_1*>(out)[i];
                weighted_asymmetric(xb, wb, sigma2, 32, 31, &d, &m, q);
                y.d = f32_to_fp16(d);
                y.m = f32_to_fp16(m);
                pack5(y, q, 16);
                break;
            }
        }
    }
}

}  // namespace

bool can_quantize(DType type) {
    switch (type) {
        case DType::F32:
        case DType::F16:
        case DType::BF16:
        case DType::Q8_0:
        case DType::Q4_0:
        case DType::Q4_1:
        case DType::Q5_0:
        case DType::Q5_1:
        case DType::Q2_K:
        case DType::Q3_K:
        case DType::Q4_K:
        case DType::Q5_K:
        case DType::Q6_K:
            return true;
        default:
            return false;
    }
}

void quantize_row(DType type, const float* x, void* out, int64_t n, const float* importance) {
    if (!can_quantize(type))
        throw Error(std::string("quantizing to ") + std::string(dtype_name(type)) +
                    " is not supported yet");
    const int64_t block = dtype_info(type).block_elems;
    if (n < 0 || n % block != 0)
        throw Error("a row of " + std::to_string(n) + " values is not a multiple of " +
                    std::string(dtype_name(type)) + "'s block of " + std::to_string(block));
    const int64_t nb = n / block;
    // Q8_0 and the float types have nothing to weight (llama.cpp ignores the imatrix there too).
    if (importance && (type == DType::Q4_0 || type == DType::Q5_0 || type == DType::Q4_1 ||
                       type == DType::Q5_1)) {
        legacy_weighted(type, x, out, n, importance);
        return;
    }
    switch (type) {
        case DType::F32:
            std::memcpy(out, x, static_cast<size_t>(n) * sizeof(float));
            break;
        case DType::F16: {
            auto* h = static_cast<uint16_t*>(out);
            for (int64_t i = 0; i < n; ++i) h[i] = f32_to_fp16(x[i]);
            break;
        }
        case DType::BF16: {
            auto* h = static_cast<uint16_t*>(out);
            for (int64_t i = 0; i < n; ++i) h[i] = f32_to_bf16(x[i]);
            break;
        }
        case DType::Q8_0:
            q8_0(x, static_cast<BlockQ8_0*>(out), nb);
            break;
        case DType::Q4_0:
            q4_0(x, static_cast<BlockQ4_0*>(out), nb);
            break;
        case DType::Q4_1:
            q4_1(x, static_cast<BlockQ4_1*>(out), nb);
            break;
        case DType::Q5_0:
            q5_0(x, static_cast<BlockQ5_0*>(out), nb);
            break;
        case DType::Q5_1:
            q5_1(x, static_cast<BlockQ5_1*>(out), nb);
            break;
        case DType::Q2_K:
            quantize_q2_k(x, static_cast<BlockQ2_K*>(out), nb, importance);
            break;
        case DType::Q3_K:
            quantize_q3_k(x, static_cast<BlockQ3_K*>(out), nb, importance);
            break;
        case DType::Q4_K:
            quantize_q4_k(x, static_cast<BlockQ4_K*>(out), nb, importance);
            break;
        case DType::Q5_K:
            quantize_q5_k(x, static_cast<BlockQ5_K*>(out), nb, importance);
            break;
        case DType::Q6_K:
            quantize_q6_k(x, static_cast<BlockQ6_K*>(out), nb, importance);
            break;
        default:
            break;
    }
}

}  // namespace flash::quant
