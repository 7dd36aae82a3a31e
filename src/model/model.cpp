#include "model/model.h"

#include <cmath>

#include "core/error.h"
#include "kernels/kernels.h"
#include "model/gated_attention.h"

namespace flash {
namespace {

// out[t] = W · in[t] (+ bias) for a batch of n rows.
void matmul(const WeightRef& w, const float* in, int64_t n, float* out, ThreadPool& pool, kernels::Precision p,
            const WeightRef& bias = {}) {
    kernels::matmul(w.type, w.data, w.rows, w.cols, in, n, out, pool, p);
    if (bias.present())
        for (int64_t t = 0; t < n; ++t)
            for (int64_t r = 0; r < w.rows; ++r) out[t * w.rows + r] += bias.f32()[r];
}

// RMSNorm of each of the `count` consecutive rows of length n, in place.
void rmsnorm_rows(float* x, int64_t count, int64_t n, const WeightRef& w, float eps) {
    for (int64_t i = 0; i < count; ++i) kernels::rmsnorm(x + i * n, x + i * n, w.f32(), n, eps);
}

void add(float* x, const float* y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) x[i] += y[i];
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
    if (n > cache.max_batch())
        throw Error("batch of " + std::to_string(n) + " tokens exceeds the cache's batch size " +
                    std::to_string(cache.max_batch()));
    ws.reserve(c, n, cache.n_ctx(), pool.size());

    // x = embedding rows of the tokens (times embed_scale for Gemma)
    const size_t embd_row = row_bytes(W.token_embd.type, d);
    for (int64_t t = 0; t < n; ++t) {
        const int32_t id = tokens[t];
        if (id < 0 || id >= c.n_vocab)
            throw Error("token id " + std::to_string(id) + " out of range [0, " + std::to_string(c.n_vocab) + ")");
        float* row = ws.x.data() + t * d;
        kernels::dequantize_row(W.token_embd.type, static_cast<const uint8_t*>(W.token_embd.data) + id * embd_row,
                                row, d);
        if (c.embed_scale != 1.0f)
            for (int64_t i = 0; i < d; ++i) row[i] *= c.embed_scale;
    }

    for (int64_t l = 0; l < c.n_layer; ++l) {
        const LayerWeights& L = W.layers[l];

        // Mixer: x += post_norm(attention(norm(x))) or x += deltanet(norm(x))
        for (int64_t t = 0; t < n; ++t)
            kernels::rmsnorm(ws.xn.data() + t * d, ws.x.data() + t * d, L.attn_norm.f32(), d, c.rms_eps);
        if (c.layers[l].kind == LayerKind::Recurrent) {
            gated_deltanet_forward(*c.deltanet, *L.deltanet, ws.xn.data(), n, cache.recurrent(l), ws.y.data(), pool,
                                   precision);
        } else {
            attention(l, n, pos, cache, ws, pool, precision);
        }
        if (L.attn_post_norm.present()) rmsnorm_rows(ws.y.data(), n, d, L.attn_post_norm, c.rms_eps);
        add(ws.x.data(), ws.y.data(), n * d);

        // Feed-forward: x += post_norm(W_down · (act(W_gate · norm(x)) * (W_up · norm(x))))
        for (int64_t t = 0; t < n; ++t)
            kernels::rmsnorm(ws.xn.data() + t * d, ws.x.data() + t * d, L.ffn_norm.f32(), d, c.rms_eps);
        matmul(L.w_gate, ws.xn.data(), n, ws.ffn_gate.data(), pool, precision);
        matmul(L.w_up, ws.xn.data(), n, ws.ffn_up.data(), pool, precision);
        if (c.ffn_activation == FfnActivation::GeluTanh) {
            kernels::geglu(ws.ffn_gate.data(), ws.ffn_up.data(), n * c.n_ff);
        } else {
            kernels::swiglu(ws.ffn_gate.data(), ws.ffn_up.data(), n * c.n_ff);
        }
        matmul(L.w_down, ws.ffn_gate.data(), n, ws.y.data(), pool, precision);
        if (L.ffn_post_norm.present()) rmsnorm_rows(ws.y.data(), n, d, L.ffn_post_norm, c.rms_eps);
        add(ws.x.data(), ws.y.data(), n * d);
    }

    // logits = W_out · norm(x), for every token or the last one
    const int64_t first = all_logits ? 0 : n - 1;
    const int64_t rows = n - first;
    for (int64_t t = first; t < n; ++t)
        kernels::rmsnorm(ws.xn.data() + (t - first) * d, ws.x.data() + t * d, W.output_norm.f32(), d, c.rms_eps);
    matmul(W.output, ws.xn.data(), rows, logits, pool, precision);
}

// Attention layer: ws.xn (normed input) → ws.y (output projection, before the residual).
// For each new token t (absolute position p = pos + t) and query head h:
//   out = sum_j softmax_j(scale * q·k_j) v_j over cached positions j <= p (j > p - window for
//   sliding layers), query heads sharing key/value heads in groups (GQA).
void Model::attention(int64_t l, int64_t n, int64_t pos, KvCache& cache, Workspace& ws, ThreadPool& pool,
                      kernels::Precision precision) const {
    const ModelConfig& c = config_;
    const LayerConfig& lc = c.layers[l];
    const LayerWeights& L = weights_.layers[l];
    const int64_t hd = c.head_dim, hdv = c.head_dim_v;

    // Projections (Qwen3.5: the query projection carries a gate per head).
    if (c.gated_attention) {
        matmul(L.wq, ws.xn.data(), n, ws.q_gate.data(), pool, precision, L.bq);
        split_query_gate(ws.q_gate.data(), n, c.n_head, hd, ws.q.data(), ws.gate.data());
    } else {
        matmul(L.wq, ws.xn.data(), n, ws.q.data(), pool, precision, L.bq);
    }
    matmul(L.wk, ws.xn.data(), n, ws.k.data(), pool, precision, L.bk);
    matmul(L.wv, ws.xn.data(), n, ws.v.data(), pool, precision, L.bv);
    if (c.qk_norm) {
        rmsnorm_rows(ws.q.data(), n * c.n_head, hd, L.q_norm, c.rms_eps);
        rmsnorm_rows(ws.k.data(), n * c.n_head_kv, hd, L.k_norm, c.rms_eps);
    }

    // Rotate q and k in place, then append k and v to the cache.
    const auto style = c.rope_kind == RopeKind::NeoX ? kernels::RopeStyle::NeoX : kernels::RopeStyle::Normal;
    const float* freq_factors = weights_.rope_freqs.present() ? weights_.rope_freqs.f32() : nullptr;
    auto rotate = [&](float* head, int64_t p) {
        if (c.rope_sections_used) {
            rope_imrope_text(head, hd, c.n_rot, p, lc.rope_base, lc.rope_freq_scale, c.rope_sections);
        } else {
            kernels::rope(head, hd, c.n_rot, p, lc.rope_base, lc.rope_freq_scale, style, freq_factors);
        }
    };
    for (int64_t t = 0; t < n; ++t) {
        for (int64_t h = 0; h < c.n_head; ++h) rotate(ws.q.data() + t * c.q_dim() + h * hd, pos + t);
        for (int64_t h = 0; h < c.n_head_kv; ++h) rotate(ws.k.data() + t * c.kv_dim() + h * hd, pos + t);
        std::copy_n(ws.k.data() + t * c.kv_dim(), c.kv_dim(), cache.k(l, pos + t));
        std::copy_n(ws.v.data() + t * c.v_dim(), c.v_dim(), cache.v(l, pos + t));
    }

    const int64_t group = c.n_head / c.n_head_kv;
    const int64_t n_items = n * c.n_head;
    pool.run([&](int ith, int nth) {
        float* scores = ws.scores[ith].data();
        for (int64_t item = ith; item < n_items; item += nth) {
            const int64_t t = item / c.n_head, h = item % c.n_head, kvh = h / group;
            const int64_t last = pos + t;
            const int64_t first = lc.sliding ? std::max<int64_t>(0, last - c.sliding_window + 1) : 0;
            const float* q = ws.q.data() + t * c.q_dim() + h * hd;
            for (int64_t j = first; j <= last; ++j)
                scores[j - first] = kernels::dot_f32(q, cache.k(l, j) + kvh * hd, hd) * c.attn_scale;
            kernels::softmax(scores, last - first + 1);
            float* out = ws.attn.data() + t * c.n_head * hdv + h * hdv;
            std::fill_n(out, hdv, 0.0f);
            for (int64_t j = first; j <= last; ++j)
                kernels::axpy_f32(out, scores[j - first], cache.v(l, j) + kvh * hdv, hdv);
        }
    });
    if (c.gated_attention) apply_output_gate(ws.attn.data(), ws.gate.data(), n * c.n_head * hdv);
    matmul(L.wo, ws.attn.data(), n, ws.y.data(), pool, precision);
}

}  // namespace flash
