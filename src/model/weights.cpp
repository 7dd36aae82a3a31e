#include "model/weights.h"

namespace flash {
namespace {

void bind_attention(WeightBinder& b, const std::string& p, const ModelConfig& c, LayerWeights& L) {
    const int64_t q_rows = c.gated_attention ? 2 * c.q_dim() : c.q_dim();
    L.wq = b.bind(p + "attn_q.weight", c.n_embd, q_rows);
    L.wk = b.bind(p + "attn_k.weight", c.n_embd, c.kv_dim());
    L.wv = b.bind(p + "attn_v.weight", c.n_embd, c.v_dim());
    L.wo = b.bind(p + "attn_output.weight", c.n_head * c.head_dim_v, c.n_embd);
    L.bq = b.bind_optional(p + "attn_q.bias", q_rows, 1, true);
    L.bk = b.bind_optional(p + "attn_k.bias", c.kv_dim(), 1, true);
    L.bv = b.bind_optional(p + "attn_v.bias", c.v_dim(), 1, true);
    if (c.qk_norm) {
        L.q_norm = b.bind(p + "attn_q_norm.weight", c.head_dim, 1, true);
        L.k_norm = b.bind(p + "attn_k_norm.weight", c.head_dim, 1, true);
    }
}

}  // namespace

ModelWeights ModelWeights::bind(const GgufFile& g, const ModelConfig& c) {
    WeightBinder b(g);
    ModelWeights w;
    w.token_embd = b.bind("token_embd.weight", c.n_embd, c.n_vocab);
    w.output_norm = b.bind("output_norm.weight", c.n_embd, 1, true);
    w.output = b.bind_optional("output.weight", c.n_embd, c.n_vocab);
    if (!w.output.present()) {
        w.output = w.token_embd;
        w.tied_output = true;
    }
    w.rope_freqs = b.bind_optional("rope_freqs.weight", c.n_rot / 2, 1, true);
    w.layers.resize(static_cast<size_t>(c.n_layer));
    size_t recurrent_bytes = 0;
    for (int64_t l = 0; l < c.n_layer; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        LayerWeights& L = w.layers[l];
        L.attn_norm = b.bind(p + "attn_norm.weight", c.n_embd, 1, true);
        if (c.layers[l].kind == LayerKind::Recurrent) {
            L.deltanet = DeltaNetWeights::bind(g, l, *c.deltanet, c.n_embd);
            recurrent_bytes += L.deltanet->bytes;
        } else {
            bind_attention(b, p, c, L);
        }
        if (c.arch == "qwen35") {
            // Qwen3.5 names its FFN input norm post_attention_norm.
            L.ffn_norm = b.bind(p + "post_attention_norm.weight", c.n_embd, 1, true);
        } else {
            L.ffn_norm = b.bind(p + "ffn_norm.weight", c.n_embd, 1, true);
        }
        if (c.post_norms) {
            L.attn_post_norm = b.bind(p + "post_attention_norm.weight", c.n_embd, 1, true);
            L.ffn_post_norm = b.bind(p + "post_ffw_norm.weight", c.n_embd, 1, true);
        }
        L.w_gate = b.bind(p + "ffn_gate.weight", c.n_embd, c.n_ff);
        L.w_up = b.bind(p + "ffn_up.weight", c.n_embd, c.n_ff);
        L.w_down = b.bind(p + "ffn_down.weight", c.n_ff, c.n_embd);
    }
    w.total_bytes = b.bytes() + recurrent_bytes;
    return w;
}

}  // namespace flash
