// Attention for a block of prompt tokens: every query head of the block sees the same cached
// positions, so the scores are a matrix product (queries x keys) and so is the weighted sum of
// values (softmax weights x value rows). Both run on the f32 GEMM's micro-kernel (gemm.cpp),
// which keeps a 6 x 16 tile of results in registers: a key or value element, converted from
// the cache's f16 or q8_0 once per block, meets six queries per load instead of one. Per
// kAttentionBlockKeys positions, each query's online softmax is updated as attention_add does
// (running maximum, rescaled sum and output), so the result does not depend on the split.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "core/error.h"
#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels {

namespace {

using detail::kPanelRows;
constexpr int64_t kKeys = kAttentionBlockKeys;
static_assert(kKeys % kPanelRows == 0);

// The scratch, carved in order out of attention_block_scratch floats.
struct BlockScratch {
    float* q;       // m x hd: the queries, gathered
    float* out;     // m x hdv: the runs' outputs while the block works on them
    float* scores;  // m x kKeys: scores, then softmax weights, of one span of positions
    float* keys;    // 2 kPanelRows x hd: keys as f32 rows
    float* kpanel;  // two panels of hd x kPanelRows: the same keys k-major
    float* values;  // kKeys x hdv: values as f32 rows
    float* vpanel;  // two panels of kKeys x kPanelRows: kPanelRows dimensions of those values

    BlockScratch(float* s, int64_t m, int64_t hd, int64_t hdv)
        : q(s),
          out(q + m * hd),
          scores(out + m * hdv),
          keys(scores + m * kKeys),
          kpanel(keys + 2 * kPanelRows * hd),
          values(kpanel + 2 * kPanelRows * hd),
          vpanel(values + kKeys * hdv) {}
};

}  // namespace

int64_t attention_block_scratch(int64_t m, int64_t head_dim, int64_t head_dim_v) {
    return m * (head_dim + head_dim_v + kKeys) + 4 * kPanelRows * head_dim +
           kKeys * (head_dim_v + 2 * kPanelRows);
}

void attention_add_block(AttentionRun* runs, const float* const* queries, int64_t m,
                         const AttentionRows& rows, float scale, float* scratch) {
    if (m <= 0 || rows.n <= 0) return;
    const int64_t hd = runs[0].head_dim, hdv = runs[0].head_dim_v;
    for (const auto& [t, dim] : {std::pair{rows.k_type, hd}, std::pair{rows.v_type, hdv}}) {
        if (!is_kv_type(t))
            throw Error("attention: no KV cache rows of type " + std::string(dtype_name(t)));
        if (t == DType::Q8_0 && dim % QK8_0 != 0)
            throw Error("attention: a Q8_0 cache needs head dimensions that are multiples of 32");
    }
    BlockScratch s(scratch, m, hd, hdv);
    for (int64_t i = 0; i < m; ++i) {
        std::copy_n(queries[i], hd, s.q + i * hd);
        std::copy_n(runs[i].out, hdv, s.out + i * hdv);
    }
    const detail::DequantFn dequant_k = detail::kernels_for(rows.k_type).dequant;
    const detail::DequantFn dequant_v = detail::kernels_for(rows.v_type).dequant;
    const detail::GemmMicro micro = detail::gemm_micro();
    const auto* k = static_cast<const uint8_t*>(rows.k);
    const auto* v = static_cast<const uint8_t*>(rows.v);

    for (int64_t j0 = 0; j0 < rows.n; j0 += kKeys) {
        const int64_t nk = std::min(kKeys, rows.n - j0);
        // Scores, kPanelRows keys at a time, or twice that where the micro-kernel takes panel
        // pairs (a short last panel's zero keys are never read).
        for (int64_t p0 = 0; p0 < nk;) {
            const bool pair = micro.pair && p0 + 2 * kPanelRows <= nk;
            const int64_t width = pair ? 2 * kPanelRows : kPanelRows;
            const int64_t np = std::min(width, nk - p0);
            for (int64_t r = 0; r < np; ++r)
                dequant_k(k + (j0 + p0 + r) * rows.k_stride, s.keys + r * hd, hd);
            std::fill(s.keys + np * hd, s.keys + width * hd, 0.0f);
            detail::pack_transpose(s.keys, hd, s.kpanel);
            if (pair) {
                detail::pack_transpose(s.keys + kPanelRows * hd, hd, s.kpanel + kPanelRows * hd);
                detail::gemm_pair_rows(micro, m, hd, s.q, hd, s.kpanel, s.scores + p0, kKeys,
                                       false);
            } else {
                detail::gemm_panel_rows(micro, m, hd, s.q, hd, s.kpanel, s.scores + p0, kKeys,
                                        kPanelRows, false);
            }
            p0 += width;
        }
        // Each query's online softmax over these nk positions.
        for (int64_t i = 0; i < m; ++i) {
            AttentionRun& run = runs[i];
            float* sc = s.scores + i * kKeys;
            const float seg_max = detail::scale_max(sc, nk, scale);
            const float new_max = std::fmax(run.max, seg_max);
            const float rescale = run.sum > 0.0f ? std::exp(run.max - new_max) : 0.0f;
            const float seg_sum = detail::exp_shifted(sc, nk, new_max);
            float* o = s.out + i * hdv;
            for (int64_t d = 0; d < hdv; ++d) o[d] *= rescale;
            run.sum = run.sum * rescale + seg_sum;
            run.max = new_max;
        }
        // out += weights x values, kPanelRows dimensions at a time.
        for (int64_t r = 0; r < nk; ++r)
            dequant_v(v + (j0 + r) * rows.v_stride, s.values + r * hdv, hdv);
        for (int64_t d0 = 0; d0 < hdv;) {
            const bool pair = micro.pair && d0 + 2 * kPanelRows <= hdv;
            const int64_t nd = std::min(kPanelRows, hdv - d0);
            for (int64_t r = 0; r < nk; ++r) {
                float* p = s.vpanel + r * kPanelRows;
                std::copy_n(s.values + r * hdv + d0, nd, p);
                std::fill(p + nd, p + kPanelRows, 0.0f);
                if (pair)  // the second panel follows the first's nk rows
                    std::copy_n(s.values + r * hdv + d0 + kPanelRows, kPanelRows,
                                p + nk * kPanelRows);
            }
            if (pair) {
                detail::gemm_pair_rows(micro, m, nk, s.scores, kKeys, s.vpanel, s.out + d0, hdv,
                                       true);
            } else {
                detail::gemm_panel_rows(micro, m, nk, s.scores, kKeys, s.vpanel, s.out + d0, hdv,
                                        nd, true);
            }
            d0 += pair ? 2 * kPanelRows : kPanelRows;
        }
    }
    for (int64_t i = 0; i < m; ++i) std::copy_n(s.out + i * hdv, hdv, runs[i].out);
}

}  // namespace flash::kernels
