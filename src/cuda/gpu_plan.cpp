#include "cuda/gpu_plan.h"

#include <algorithm>

namespace flash::cuda {

std::string forward_unsupported(const ModelConfig& c) {
    if (c.has_recurrent_layers())
        return c.arch + " has recurrent (Gated DeltaNet) layers, which have no GPU kernels yet";
    if (c.gated_attention) return c.arch + "'s gated attention has no GPU kernel yet";
    if (c.rope_sections_used) return c.arch + "'s multi-section RoPE has no GPU kernel yet";
    return "";
}

std::vector<WeightRef> uploaded_weights(const ModelWeights& W) {
    std::vector<WeightRef> all{W.output_norm, W.output, W.rope_freqs};
    for (const LayerWeights& L : W.layers) {
        for (const WeightRef* w :
             {&L.attn_norm, &L.wq, &L.wk, &L.wv, &L.wo, &L.bq, &L.bk, &L.bv, &L.q_norm, &L.k_norm,
              &L.attn_post_norm, &L.ffn_norm, &L.w_gate, &L.w_up, &L.w_down, &L.ffn_post_norm})
            all.push_back(*w);
    }
    std::vector<WeightRef> unique;
    for (const WeightRef& w : all) {
        const bool seen = std::any_of(unique.begin(), unique.end(),
                                      [&](const WeightRef& u) { return u.data == w.data; });
        if (w.present() && !seen) unique.push_back(w);
    }
    return unique;
}

DeviceMemory forward_device_memory(const ModelConfig& c, const ModelWeights& W, int64_t n_ctx) {
    DeviceMemory m;
    for (const WeightRef& w : uploaded_weights(W))
        m.weights += static_cast<size_t>(w.rows) * row_bytes(w.type, w.cols);
    m.kv_cache = static_cast<size_t>(c.attention_layers() * n_ctx * (c.kv_dim() + c.v_dim())) *
                 sizeof(float);
    const int64_t floats = 3 * c.n_embd + c.q_dim() + c.kv_dim() + c.v_dim() +
                           c.n_head * c.head_dim_v + 2 * c.n_ff + c.n_head * n_ctx + c.n_vocab;
    m.activations = static_cast<size_t>(floats) * sizeof(float) + sizeof(int32_t);
    return m;
}

}  // namespace flash::cuda
