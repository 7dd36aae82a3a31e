// Attention of one query head over the KV cache (F16 or Q8_0 rows), with an online softmax: a run
// of cached positions at a time updates the running maximum, the running sum of exp(score - max)
// and the exp-weighted sum of value rows, so positions split into runs (a sliding window's ring
// wraps once) give the softmax of them all. The AVX2 version (attention_avx2.cpp) scores eight keys
// at a time and keeps value accumulators in registers; this file holds the dispatcher and the
// scalar reference it is tested against, and the writing of cache rows.
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/fp16.h"
#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels {

namespace {

// Element d of one head's cache row of type t (F16 or Q8_0), as dequantize_row gives it.
float kv_element(DType t, const uint8_t* row, int64_t d) {
    if (t == DType::F16) return fp16_to_f32(reinterpret_cast<const uint16_t*>(row)[d]);
    const auto* block = reinterpret_cast<const BlockQ8_0*>(row) + d / QK8_0;
    return fp16_to_f32(block->d) * static_cast<float>(block->qs[d % QK8_0]);
}

}  // namespace

void ref::attention_add(AttentionRun& run, const AttentionRows& rows, const float* q, float scale,
                        float* scratch) {
    if (rows.n <= 0) return;
    const auto* keys = static_cast<const uint8_t*>(rows.k);
    const auto* values = static_cast<const uint8_t*>(rows.v);
    float seg_max = -INFINITY;
    for (int64_t j = 0; j < rows.n; ++j) {
        const uint8_t* k = keys + j * rows.k_stride;
        float dot = 0.0f;
        for (int64_t d = 0; d < run.head_dim; ++d) dot += q[d] * kv_element(rows.k_type, k, d);
        scratch[j] = dot * scale;
        seg_max = std::fmax(seg_max, scratch[j]);
    }
    const float new_max = std::fmax(run.max, seg_max);
    const float rescale = run.sum > 0.0f ? std::exp(run.max - new_max) : 0.0f;
    for (int64_t d = 0; d < run.head_dim_v; ++d) run.out[d] *= rescale;
    float seg_sum = 0.0f;
    for (int64_t j = 0; j < rows.n; ++j) {
        const float p = std::exp(scratch[j] - new_max);
        seg_sum += p;
        const uint8_t* v = values + j * rows.v_stride;
        for (int64_t d = 0; d < run.head_dim_v; ++d)
            run.out[d] += p * kv_element(rows.v_type, v, d);
    }
    run.sum = run.sum * rescale + seg_sum;
    run.max = new_max;
}

bool is_kv_type(DType t) {
    return t == DType::F16 || t == DType::Q8_0;
}

void store_kv_row(DType t, const float* x, void* out, int64_t n) {
    if (t == DType::F16) {
        f32_to_f16_row(x, static_cast<uint16_t*>(out), n);
        return;
    }
    if (t != DType::Q8_0 || n % QK8_0 != 0)
        throw Error("KV cache rows of " + std::string(dtype_name(t)) + " with " +
                    std::to_string(n) + " elements are not supported");
    // Q8_0 activations are llama.cpp's q8_0 blocks, which its q8_0 cache holds too.
    quantize_activation_row(DType::Q8_0, x, out, n);
}

void attention_begin(AttentionRun& run, float* out, int64_t head_dim, int64_t head_dim_v) {
    run.max = -INFINITY;
    run.sum = 0.0f;
    run.out = out;
    run.head_dim = head_dim;
    run.head_dim_v = head_dim_v;
    std::fill_n(out, head_dim_v, 0.0f);
}

void attention_add(AttentionRun& run, const AttentionRows& rows, const float* q, float scale,
                   float* scratch) {
    const auto fits = [](DType t, int64_t dim) {
        return dim % (t == DType::Q8_0 ? QK8_0 : 8) == 0;
    };
    if (!fits(rows.k_type, run.head_dim) || !fits(rows.v_type, run.head_dim_v)) {
        if (rows.k_type == DType::Q8_0 || rows.v_type == DType::Q8_0)
            throw Error("attention: a Q8_0 cache needs head dimensions that are multiples of 32");
        ref::attention_add(run, rows, q, scale, scratch);
        return;
    }
#ifdef FLASH_KERNELS_X86
    if (detail::use_avx2()) {
        detail::avx2_attention_add(run, rows, q, scale, scratch);
        return;
    }
#endif
#ifdef FLASH_KERNELS_ARM
    if (detail::use_neon()) {
        detail::neon_attention_add(run, rows, q, scale, scratch);
        return;
    }
#endif
    ref::attention_add(run, rows, q, scale, scratch);
}

// Chunks of kAttentionChunk positions: at most 512 x 256 halves, 256 KiB, per K and V. Converting
// the rows to f32 once for all heads was measured slower on Zen 4 (the conversion is one
// instruction folded into each head's multiply-add; the f32 copy costs stores and cache).
void attention_add_group(AttentionRun* runs, int64_t g, const AttentionRows& rows, const float* q,
                         int64_t q_stride, float scale, float* scratch) {
    const auto* k = static_cast<const uint8_t*>(rows.k);
    const auto* v = static_cast<const uint8_t*>(rows.v);
    for (int64_t j0 = 0; j0 < rows.n; j0 += kAttentionChunk) {
        const AttentionRows chunk{k + j0 * rows.k_stride,
                                  v + j0 * rows.v_stride,
                                  rows.k_stride,
                                  rows.v_stride,
                                  std::min(kAttentionChunk, rows.n - j0),
                                  rows.k_type,
                                  rows.v_type};
        for (int64_t h = 0; h < g; ++h)
            attention_add(runs[h], chunk, q + h * q_stride, scale, scratch);
    }
}

float detail::exp_shifted(float* s, int64_t n, float max) {
#ifdef FLASH_KERNELS_X86
    if (detail::use_avx2()) return detail::avx2_exp_shifted(s, n, max);
#endif
#ifdef FLASH_KERNELS_ARM
    if (detail::use_neon()) return detail::neon_exp_shifted(s, n, max);
#endif
    float sum = 0.0f;
    for (int64_t j = 0; j < n; ++j) {
        s[j] = std::exp(s[j] - max);
        sum += s[j];
    }
    return sum;
}

float detail::scale_max(float* s, int64_t n, float scale) {
#ifdef FLASH_KERNELS_X86
    if (detail::use_avx2()) return detail::avx2_scale_max(s, n, scale);
#endif
#ifdef FLASH_KERNELS_ARM
    if (detail::use_neon()) return detail::neon_scale_max(s, n, scale);
#endif
    float max = -INFINITY;
    for (int64_t j = 0; j < n; ++j) {
        s[j] *= scale;
        max = std::fmax(max, s[j]);
    }
    return max;
}

void attention_merge(AttentionRun& run, const AttentionRun& part) {
    if (part.sum <= 0.0f) return;
    const float max = std::fmax(run.max, part.max);
    const float a = run.sum > 0.0f ? std::exp(run.max - max) : 0.0f;
    const float b = std::exp(part.max - max);
    for (int64_t d = 0; d < run.head_dim_v; ++d) run.out[d] = run.out[d] * a + part.out[d] * b;
    run.sum = run.sum * a + part.sum * b;
    run.max = max;
}

void attention_finish(AttentionRun& run) {
    if (run.sum <= 0.0f) throw Error("attention over no positions");
    const float inv = 1.0f / run.sum;
    for (int64_t d = 0; d < run.head_dim_v; ++d) run.out[d] *= inv;
}

void f32_to_f16_row(const float* x, uint16_t* out, int64_t n) {
#ifdef FLASH_KERNELS_X86
    if (detail::use_avx2()) {
        detail::avx2_f32_to_f16_row(x, out, n);
        return;
    }
#endif
#ifdef FLASH_KERNELS_ARM
    if (detail::use_neon()) {
        detail::neon_f32_to_f16_row(x, out, n);
        return;
    }
#endif
    for (int64_t i = 0; i < n; ++i) out[i] = f32_to_fp16(x[i]);
}

}  // namespace flash::kernels
