#include "model/kv_cache.h"

#include <algorithm>

#include "core/error.h"
#include "kernels/kernels.h"

namespace flash {

KvCache::KvCache(const ModelConfig& c, int64_t n_ctx, int64_t max_batch, KvTypes types)
    : n_ctx_(n_ctx), max_batch_(max_batch), types_(types) {
    if (n_ctx <= 0) throw Error("context size must be positive, got " + std::to_string(n_ctx));
    if (max_batch <= 0)
        throw Error("batch size must be positive, got " + std::to_string(max_batch));
    const auto check = [](DType t, int64_t head_dim, const char* which) {
        if (!kernels::is_kv_type(t))
            throw Error(std::string("the KV cache cannot hold ") + which + " as " +
                        std::string(dtype_name(t)) + " (f16 or q8_0)");
        if (head_dim % dtype_info(t).block_elems != 0)
            throw Error(std::string("a ") + std::string(dtype_name(t)) + " " + which +
                        " cache needs a head dimension that is a multiple of " +
                        std::to_string(dtype_info(t).block_elems) + "; this model's is " +
                        std::to_string(head_dim) + " (use f16)");
    };
    check(types.k, c.head_dim, "key");
    check(types.v, c.head_dim_v, "value");
    k_head_ = row_bytes(types.k, c.head_dim);
    v_head_ = row_bytes(types.v, c.head_dim_v);
    k_row_ = k_head_ * static_cast<size_t>(c.n_head_kv);
    v_row_ = v_head_ * static_cast<size_t>(c.n_head_kv);
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
        k_[l].assign(static_cast<size_t>(capacity_[l]) * k_row_, 0);
        v_[l].assign(static_cast<size_t>(capacity_[l]) * v_row_, 0);
    }
}

void KvCache::reset_recurrent() {
    for (DeltaNetState& s : recurrent_) s.reset();
}

size_t KvCache::bytes() const {
    size_t n = 0;
    for (size_t l = 0; l < k_.size(); ++l) n += k_[l].size() + v_[l].size() + recurrent_[l].bytes();
    return n;
}

void Workspace::reserve(const ModelConfig& c, int64_t n, int n_threads) {
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
    const int64_t block = kernels::attention_block_scratch(
        kAttentionBlockRows * (c.n_head / std::max<int64_t>(1, c.n_head_kv)), c.head_dim,
        c.head_dim_v);
    for (auto& s : scores) grow(s, std::max(kernels::kAttentionChunk, block));
}

}  // namespace flash
