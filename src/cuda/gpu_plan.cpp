#include "cuda/gpu_plan.h"

#include <algorithm>

namespace flash::cuda {

std::string forward_unsupported(const ModelConfig& c) {
    if (c.rope_sections_used) return c.arch + "'s multi-section RoPE has no GPU kernel yet";
    return "";
}

std::string gpu_layers_text(int64_t first, int64_t n_layer) {
    const std::string of = " of " + std::to_string(n_layer);
    if (first == n_layer - 1) return "layer " + std::to_string(first) + of;
    return "layers " + std::to_string(first) + ".." + std::to_string(n_layer - 1) + of;
}

std::vector<WeightRef> uploaded_weights(const ModelWeights& W, int64_t first_layer) {
    std::vector<WeightRef> all{W.output_norm, W.output, W.rope_freqs};
    for (size_t l = static_cast<size_t>(std::max<int64_t>(first_layer, 0)); l < W.layers.size();
         ++l) {
        const LayerWeights& L = W.layers[l];
        for (const WeightRef* w :
             {&L.attn_norm, &L.wq, &L.wk, &L.wv, &L.wo, &L.bq, &L.bk, &L.bv, &L.q_norm, &L.k_norm,
              &L.attn_post_norm, &L.ffn_norm, &L.w_gate, &L.w_up, &L.w_down, &L.ffn_post_norm})
            all.push_back(*w);
        if (const auto& dn = L.deltanet) {
            for (const WeightRef* w : {&dn->qkv, &dn->gate, &dn->conv1d, &dn->a, &dn->dt_bias,
                                       &dn->alpha, &dn->beta, &dn->norm, &dn->out})
                all.push_back(*w);
        }
    }
    std::vector<WeightRef> unique;
    for (const WeightRef& w : all) {
        const bool seen = std::any_of(unique.begin(), unique.end(),
                                      [&](const WeightRef& u) { return u.data == w.data; });
        if (w.present() && !seen) unique.push_back(w);
    }
    return unique;
}

int64_t prefill_chunk(const ModelConfig& c, int64_t n_ctx) {
    constexpr int64_t kMaxChunk = 256, kScoreBudget = int64_t{64} << 20;
    const int64_t per_token = std::max<int64_t>(1, c.n_head * n_ctx * 4);
    return std::clamp<int64_t>(kScoreBudget / per_token, 1, kMaxChunk);
}

DeviceMemory forward_device_memory(const ModelConfig& c, const ModelWeights& W, int64_t n_ctx,
                                   int64_t slots, int64_t first_layer, int64_t attention_part) {
    DeviceMemory m;
    for (const WeightRef& w : uploaded_weights(W, first_layer))
        m.weights += static_cast<size_t>(w.rows) * row_bytes(w.type, w.cols);
    int64_t attention = 0, recurrent = 0;
    for (int64_t l = std::max<int64_t>(first_layer, 0); l < c.n_layer; ++l)
        ++(c.layers[l].kind == LayerKind::Recurrent ? recurrent : attention);
    m.kv_cache = static_cast<size_t>(slots * attention * n_ctx * (c.kv_dim() + c.v_dim())) *
                 sizeof(uint16_t);
    const int64_t chunk = prefill_chunk(c, n_ctx);
    int64_t per_token = 3 * c.n_embd + c.q_dim() + c.kv_dim() + c.v_dim() +
                        c.n_head * c.head_dim_v + 2 * c.n_ff + c.n_head * n_ctx;
    // Each part's maximum, sum and unnormalised values, per head.
    per_token += c.n_head * attention_parts(n_ctx, attention_part) * (c.head_dim_v + 2);
    if (c.gated_attention) per_token += 3 * c.q_dim();  // the joint projection and the gate
    if (const auto& dc = c.deltanet) {
        m.recurrent = static_cast<size_t>(slots * recurrent *
                                          (dc->conv_state_floats() + dc->ssm_state_floats())) *
                      sizeof(float);
        per_token += dc->conv_channels() + 2 * dc->value_dim() + 2 * dc->n_v_heads;
    }
    m.activations =
        static_cast<size_t>(chunk * per_token + kLogitRows * c.n_vocab) * sizeof(float) +
        static_cast<size_t>(2 * chunk) * sizeof(int32_t);  // each row's position and slot
    return m;
}

}  // namespace flash::cuda
