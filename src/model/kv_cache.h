// Per-sequence inference state the forward pass reads and writes: the KV cache of attention
// layers (IEEE half by default, as llama.cpp's: half the memory of f32 and half the bytes read
// per generated token at long contexts; Q8_0 on request, about half again; one slab per layer,
// laid out [position][kv_head][head_dim]), the recurrent state
// of DeltaNet layers, and reusable scratch buffers. Sliding-window layers keep a ring of just
// window + max_batch - 1 positions: all that a batch of new tokens can still attend to.
// Depends on model/config and model/deltanet.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/kernels.h"
#include "model/config.h"
#include "model/deltanet.h"

namespace flash {

class KvCache {
  public:
    // max_batch: the most tokens one forward call will append (sizes the sliding rings).
    // Throws flash::Error for a type the cache cannot hold (kernels::is_kv_type) or a Q8_0 cache
    // whose head dimension is not a multiple of 32.
    KvCache(const ModelConfig& config, int64_t n_ctx, int64_t max_batch, KvTypes types = {});

    int64_t n_ctx() const { return n_ctx_; }
    int64_t max_batch() const { return max_batch_; }
    // Positions a layer holds: n_ctx, or a sliding layer's ring size (position p is in slot
    // p % capacity).
    int64_t capacity(int64_t layer) const { return capacity_[layer]; }
    // The cached row of position pos (all key/value heads) and the bytes one head takes in it.
    uint8_t* k(int64_t layer, int64_t pos) {
        return k_[layer].data() + (pos % capacity_[layer]) * k_row_;
    }
    uint8_t* v(int64_t layer, int64_t pos) {
        return v_[layer].data() + (pos % capacity_[layer]) * v_row_;
    }
    size_t k_row_bytes() const { return k_row_; }
    size_t v_row_bytes() const { return v_row_; }
    size_t k_head_bytes() const { return k_head_; }
    size_t v_head_bytes() const { return v_head_; }
    KvTypes types() const { return types_; }
    // The recurrent state of a recurrent layer.
    DeltaNetState& recurrent(int64_t layer) { return recurrent_[layer]; }
    // Forgets the recurrent states (attention entries are simply overwritten by position).
    void reset_recurrent();
    size_t bytes() const;

  private:
    int64_t n_ctx_;
    int64_t max_batch_;
    KvTypes types_;
    size_t k_row_, v_row_, k_head_, v_head_;
    std::vector<int64_t> capacity_;            // positions held per layer (ring size)
    std::vector<std::vector<uint8_t>> k_, v_;  // empty for recurrent layers
    std::vector<DeltaNetState> recurrent_;     // empty states for attention layers
};

// Prompt rows attended together per kv head (model.cpp's attention blocks).
inline constexpr int64_t kAttentionBlockRows = 16;

// Activation buffers for a batch of tokens, grown on demand and reused between calls so the
// decode loop does not allocate.
struct Workspace {
    std::vector<float> x, xn, y, q, q_gate, gate, k, v, attn, ffn_gate, ffn_up;
    std::vector<float> logits;  // a batch's logit rows before they go to their sequences
    std::vector<std::vector<float>> scores;  // per thread: attention's scratch
    // Attention's per-head softmax state, and the outputs of all but the first piece of a
    // split context (model.cpp's flash-decoding), merged into `attn`.
    std::vector<kernels::AttentionRun> attn_runs;
    std::vector<float> attn_parts;
    std::vector<int64_t> attn_blocks;  // first row of each attention block, then the row count
    void reserve(const ModelConfig& c, int64_t n_tokens, int n_threads);
};

}  // namespace flash
