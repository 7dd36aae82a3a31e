// Attention of one query head over an f16 KV cache, with an online softmax: a run of cached
// positions at a time updates the running maximum, the running sum of exp(score - max) and the
// exp-weighted sum of value rows, so positions split into runs (a sliding window's ring wraps
// once) give the softmax of them all. The AVX2 version (attention_avx2.cpp) scores eight keys
// at a time and keeps value accumulators in registers; this file holds the dispatcher and the
// scalar reference it is tested against.
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/fp16.h"
#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels {

void ref::attention_add(AttentionRun& run, const AttentionRows& rows, const float* q, float scale,
                        float* scratch) {
    if (rows.n <= 0) return;
    float seg_max = -INFINITY;
    for (int64_t j = 0; j < rows.n; ++j) {
        const uint16_t* k = rows.k + j * rows.k_stride;
        float dot = 0.0f;
        for (int64_t d = 0; d < run.head_dim; ++d) dot += q[d] * fp16_to_f32(k[d]);
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
        const uint16_t* v = rows.v + j * rows.v_stride;
        for (int64_t d = 0; d < run.head_dim_v; ++d) run.out[d] += p * fp16_to_f32(v[d]);
    }
    run.sum = run.sum * rescale + seg_sum;
    run.max = new_max;
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
#ifdef FLASH_KERNELS_X86
    if (detail::use_avx2() && run.head_dim % 8 == 0 && run.head_dim_v % 8 == 0) {
        detail::avx2_attention_add(run, rows, q, scale, scratch);
        return;
    }
#endif
#ifdef FLASH_KERNELS_ARM
    if (detail::use_neon() && run.head_dim % 8 == 0 && run.head_dim_v % 8 == 0) {
        detail::neon_attention_add(run, rows, q, scale, scratch);
        return;
    }
#endif
    ref::attention_add(run, rows, q, scale, scratch);
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
