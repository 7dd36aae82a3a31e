// Per-sequence inference state the forward pass reads and writes: the KV cache (f32, one
// slab per layer, laid out [position][kv_head][head_dim]) and reusable scratch buffers.
// Depends on model/config.
#pragma once

#include <cstdint>
#include <vector>

#include "model/config.h"

namespace flash {

class KvCache {
public:
    KvCache(const ModelConfig& config, int64_t n_ctx);

    int64_t n_ctx() const { return n_ctx_; }
    float* k(int64_t layer, int64_t pos) { return k_[layer].data() + pos * kv_dim_; }
    float* v(int64_t layer, int64_t pos) { return v_[layer].data() + pos * v_dim_; }
    size_t bytes() const;

private:
    int64_t n_ctx_;
    int64_t kv_dim_;
    int64_t v_dim_;
    std::vector<std::vector<float>> k_, v_;
};

// Activation buffers for a batch of tokens, grown on demand and reused between calls so the
// decode loop does not allocate.
struct Workspace {
    std::vector<float> x, xn, q, k, v, attn, ffn_gate, ffn_up, logits_in;
    std::vector<std::vector<float>> scores;  // one row per thread for attention weights
    void reserve(const ModelConfig& c, int64_t n_tokens, int64_t n_ctx, int n_threads);
};

}  // namespace flash
