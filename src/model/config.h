// ModelConfig: the hyperparameters of one model, read from GGUF metadata as llama.cpp names
// them ("{arch}.block_count", "{arch}.attention.head_count", ...). Plain data.
// Depends on core/ only.
#pragma once

#include <cstdint>
#include <string>

#include "core/gguf.h"

namespace flash {

enum class RopeKind { Normal, NeoX };

struct ModelConfig {
    std::string arch;        // general.architecture, e.g. "llama"
    std::string name;        // general.name, for display
    int64_t n_layer = 0;
    int64_t n_embd = 0;
    int64_t n_ff = 0;
    int64_t n_head = 0;
    int64_t n_head_kv = 0;
    int64_t head_dim = 0;    // key/query length per head
    int64_t head_dim_v = 0;  // value length per head
    int64_t n_vocab = 0;
    int64_t n_ctx_train = 0;
    float rms_eps = 1e-5f;
    float rope_base = 10000.0f;
    float rope_freq_scale = 1.0f;  // 1 / linear scaling factor
    int64_t n_rot = 0;             // rotated dimensions per head
    RopeKind rope_kind = RopeKind::Normal;

    int64_t q_dim() const { return n_head * head_dim; }
    int64_t kv_dim() const { return n_head_kv * head_dim; }
    int64_t v_dim() const { return n_head_kv * head_dim_v; }
    // Bytes of KV cache one token needs (flash keeps K and V in f32).
    int64_t kv_bytes_per_token() const { return n_layer * (kv_dim() + v_dim()) * 4; }

    // Reads and validates the config; throws flash::Error naming the key for missing or
    // inconsistent values. n_vocab comes from the token embedding's shape.
    static ModelConfig from_gguf(const GgufFile& gguf);
};

}  // namespace flash
