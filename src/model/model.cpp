#include "model/model.h"

#include <cmath>

#include "core/error.h"
#include "kernels/kernels.h"

namespace flash {
namespace {

// out[t] = W · in[t] for a batch of n rows.
void matmul(const WeightRef& w, const float* in, int64_t n, float* out, ThreadPool& pool, kernels::Precision p) {
    kernels::matmul(w.type, w.data, w.rows, w.cols, in, n, out, pool, p);
}

kernels::RopeStyle rope_style(RopeKind k) {
    return k == RopeKind::NeoX ? kernels::RopeStyle::NeoX : kernels::RopeStyle::Normal;
}

}  // namespace

Model::Model(const std::string& path)
    : gguf_(path), config_(ModelConfig::from_gguf(gguf_)), weights_(ModelWeights::bind(gguf_, config_)) {}

std::unique_ptr<Model> Model::load(const std::string& path) { return std::unique_ptr<Model>(new Model(path)); }

void Model::forward(std::span<const int32_t> tokens, int64_t pos, KvCache& cache, Workspace& ws, ThreadPool& pool,
                    float* logits, bool all_logits, kernels::Precision precision) const {
    const ModelConfig& c = config_;
    const ModelWeights& W = weights_;
    const int64_t n = static_cast<int64_t>(tokens.size());
    const int64_t d = c.n_embd;
    if (n == 0) return;
    if (pos < 0 || pos + n > cache.n_ctx())
        throw Error("context full: positions " + std::to_string(pos) + ".." + std::to_string(pos + n - 1) +
                    " exceed the context size " + std::to_string(cache.n_ctx()));
    ws.reserve(c, n, cache.n_ctx(), pool.size());

    // x = embedding rows of the tokens
    const size_t embd_row = row_bytes(W.token_embd.type, d);
    for (int64_t t = 0; t < n; ++t) {
        const int32_t id = tokens[t];
        if (id < 0 || id >= c.n_vocab)
            throw Error("token id " + std::to_string(id) + " out of range [0, " + std::to_string(c.n_vocab) + ")");
        kernels::dequantize_row(W.token_embd.type, static_cast<const uint8_t*>(W.token_embd.data) + id * embd_row,
                                ws.x.data() + t * d, d);
    }

    for (int64_t l = 0; l < c.n_layer; ++l) {
        const LayerWeights& L = W.layers[l];

        // Attention block: x += Wo · attention(rope(Wq·norm(x)), rope(Wk·norm(x)), Wv·norm(x))
        for (int64_t t = 0; t < n; ++t)
            kernels::rmsnorm(ws.xn.data() + t * d, ws.x.data() + t * d, L.attn_norm.f32(), d, c.rms_eps);
        matmul(L.wq, ws.xn.data(), n, ws.q.data(), pool, precision);
        matmul(L.wk, ws.xn.data(), n, ws.k.data(), pool, precision);
        matmul(L.wv, ws.xn.data(), n, ws.v.data(), pool, precision);
        attention(l, n, pos, cache, ws, pool);
        matmul(L.wo, ws.attn.data(), n, ws.xn.data(), pool, precision);
        for (int64_t i = 0; i < n * d; ++i) ws.x[i] += ws.xn[i];

        // Feed-forward block: x += W_down · (silu(W_gate · norm(x)) * (W_up · norm(x)))
        for (int64_t t = 0; t < n; ++t)
            kernels::rmsnorm(ws.xn.data() + t * d, ws.x.data() + t * d, L.ffn_norm.f32(), d, c.rms_eps);
        matmul(L.w_gate, ws.xn.data(), n, ws.ffn_gate.data(), pool, precision);
        matmul(L.w_up, ws.xn.data(), n, ws.ffn_up.data(), pool, precision);
        kernels::swiglu(ws.ffn_gate.data(), ws.ffn_up.data(), n * c.n_ff);
        matmul(L.w_down, ws.ffn_gate.data(), n, ws.xn.data(), pool, precision);
        for (int64_t i = 0; i < n * d; ++i) ws.x[i] += ws.xn[i];
    }

    // logits = W_out · norm(x), for every token or the last one
    const int64_t first = all_logits ? 0 : n - 1;
    const int64_t rows = n - first;
    for (int64_t t = first; t < n; ++t)
        kernels::rmsnorm(ws.xn.data() + (t - first) * d, ws.x.data() + t * d, W.output_norm.f32(), d, c.rms_eps);
    matmul(W.output, ws.xn.data(), rows, logits, pool, precision);
}

// For each new token t (absolute position p = pos + t) and query head h:
//   out = sum_j softmax_j(q·k_j / sqrt(head_dim)) v_j over cached positions j <= p,
// with query heads sharing key/value heads in groups (GQA).
void Model::attention(int64_t layer, int64_t n, int64_t pos, KvCache& cache, Workspace& ws, ThreadPool& pool) const {
    const ModelConfig& c = config_;
    const int64_t hd = c.head_dim, hdv = c.head_dim_v;
    const int64_t group = c.n_head / c.n_head_kv;
    const auto style = rope_style(c.rope_kind);
    const float* freq_factors = weights_.rope_freqs.present() ? weights_.rope_freqs.f32() : nullptr;

    // Rotate q and k in place, then append k and v to the cache.
    for (int64_t t = 0; t < n; ++t) {
        for (int64_t h = 0; h < c.n_head; ++h)
            kernels::rope(ws.q.data() + t * c.q_dim() + h * hd, hd, c.n_rot, pos + t, c.rope_base, c.rope_freq_scale,
                          style, freq_factors);
        for (int64_t h = 0; h < c.n_head_kv; ++h)
            kernels::rope(ws.k.data() + t * c.kv_dim() + h * hd, hd, c.n_rot, pos + t, c.rope_base,
                          c.rope_freq_scale, style, freq_factors);
        std::copy_n(ws.k.data() + t * c.kv_dim(), c.kv_dim(), cache.k(layer, pos + t));
        std::copy_n(ws.v.data() + t * c.v_dim(), c.v_dim(), cache.v(layer, pos + t));
    }

    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    const int64_t n_items = n * c.n_head;
    pool.run([&](int ith, int nth) {
        float* scores = ws.scores[ith].data();
        for (int64_t item = ith; item < n_items; item += nth) {
            const int64_t t = item / c.n_head, h = item % c.n_head, kvh = h / group;
            const int64_t n_keys = pos + t + 1;
            const float* q = ws.q.data() + t * c.q_dim() + h * hd;
            for (int64_t j = 0; j < n_keys; ++j)
                scores[j] = kernels::dot_f32(q, cache.k(layer, j) + kvh * hd, hd) * scale;
            kernels::softmax(scores, n_keys);
            float* out = ws.attn.data() + t * c.n_head * hdv + h * hdv;
            std::fill_n(out, hdv, 0.0f);
            for (int64_t j = 0; j < n_keys; ++j) kernels::axpy_f32(out, scores[j], cache.v(layer, j) + kvh * hdv, hdv);
        }
    });
}

}  // namespace flash
