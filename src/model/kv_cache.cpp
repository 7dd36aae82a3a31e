#include "model/kv_cache.h"

#include <algorithm>

#include "core/error.h"

namespace flash {

static_assert(sizeof(uint16_t) == kKvElementBytes,
              "the cache holds IEEE half; config.cpp plans with kKvElementBytes");

KvCache::KvCache(const ModelConfig& c, int64_t n_ctx, int64_t max_batch)
    : n_ctx_(n_ctx), max_batch_(max_batch), kv_dim_(c.kv_dim()), v_dim_(c.v_dim()) {
    if (n_ctx <= 0) throw Error("context size must be positive, got " + std::to_string(n_ctx));
    if (max_batch <= 0)
        throw Error("batch size must be positive, got " + std::to_string(max_batch));
    capacity_.assign(static_cast<size_t>(c.n_layer), n_ctx);
    k_.resize(static_cast<size_t>(c.n_layer));
    v_.resize(static_cast<size_t>(c.n_layer));
    recurrent_.resize(static_cast<size_t>(c.n_layer));
    for (int64_t l = 0; l < c.n_layer; ++l) {
        if (c.layers[l].kind == LayerKind::Recurrent) {
            recurrent_[l] = DeltaNetState(*c.deltanet);
            continue;
        }
        if (c.layers[l].sliding) capacity_[l] = std::min(n_ctx, c.sliding_window + max_batch - 1);
        k_[l].assign(static_cast<size_t>(capacity_[l] * kv_dim_), 0);
        v_[l].assign(static_cast<size_t>(capacity_[l] * v_dim_), 0);
    }
}

void KvCache::reset_recurrent() {
    for (DeltaNetState& s : recurrent_) s.reset();
}

size_t KvCache::bytes() const {
    size_t n = 0;
    for (size_t l = 0; l < k_.size(); ++l)
        n += (k_[l].size() + v_[l].size()) * sizeof(uint16_t) + recurrent_[l].bytes();
    return n;
}

void Workspace::reserve(const ModelConfig& c, int64_t n, int64_t n_ctx, int n_threads) {
    auto grow = [](std::vector<float>& b, int64_t size) {
        if (static_cast<int64_t>(b.size()) < size) b.resize(static_cast<size_t>(size));
    };
    grow(x, n * c.n_embd);
    grow(xn, n * c.n_embd);
    grow(y, n * c.n_embd);
    grow(q, n * c.q_dim());
    if (c.gated_attention) {
        grow(q_gate, n * 2 * c.q_dim());
        grow(gate, n * c.q_dim());
    }
    grow(k, n * c.kv_dim());
    grow(v, n * c.v_dim());
    grow(attn, n * c.n_head * c.head_dim_v);
    grow(ffn_gate, n * c.n_ff);
    grow(ffn_up, n * c.n_ff);
    if (static_cast<int>(scores.size()) < n_threads) scores.resize(static_cast<size_t>(n_threads));
    for (auto& s : scores) grow(s, n_ctx);
}

}  // namespace flash
