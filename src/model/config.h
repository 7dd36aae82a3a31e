// ModelConfig: the hyperparameters of one model, read from GGUF metadata as llama.cpp names
// them ("{arch}.block_count", "{arch}.attention.head_count", ...), plus what each supported
// family does differently, as flags the one shared transformer block reads. Plain data.
// Depends on core/ and model/deltanet.h (the recurrent layers' own config).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/gguf.h"
#include "model/deltanet.h"

namespace flash {

enum class RopeKind { Normal, NeoX };
enum class FfnActivation { SiLU, GeluTanh };
enum class LayerKind : uint8_t { Attention, Recurrent };

// The element types the KV cache holds (model/kv_cache.h): IEEE half by default, as llama.cpp;
// Q8_0 (-ctk/-ctv q8_0) takes 34 bytes per 32 elements instead of 64.
struct KvTypes {
    DType k = DType::F16;
    DType v = DType::F16;
};

// What differs between the layers of one model.
struct LayerConfig {
    LayerKind kind = LayerKind::Attention;
    bool sliding = false;  // attends only to the last sliding_window positions
    float rope_base = 10000.0f;
    float rope_freq_scale = 1.0f;
};

struct ModelConfig {
    std::string arch;  // general.architecture, e.g. "llama"
    std::string name;  // general.name, for display
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
    int64_t n_rot = 0;  // rotated dimensions per head
    RopeKind rope_kind = RopeKind::Normal;
    std::array<int64_t, 4> rope_sections{};  // multi-section RoPE (qwen35); zeros elsewhere
    bool rope_sections_used = false;         // sections change the result (not plain NeoX)

    // Family traits.
    bool qk_norm = false;     // RMSNorm per head on q and k before RoPE (qwen3, gemma3, qwen35)
    bool post_norms = false;  // RMSNorm on attention and FFN outputs before the residual (gemma3)
    bool gated_attention = false;  // attn_q yields query and gate; output *= sigmoid(gate) (qwen35)
    FfnActivation ffn_activation = FfnActivation::SiLU;
    float embed_scale = 1.0f;    // embeddings are multiplied by this (gemma: sqrt(n_embd))
    float attn_scale = 0.0f;     // query scale (default 1/sqrt(head_dim))
    int64_t sliding_window = 0;  // for layers with sliding = true

    std::vector<LayerConfig> layers;
    std::optional<DeltaNetConfig> deltanet;  // present when some layers are recurrent

    int64_t q_dim() const { return n_head * head_dim; }
    int64_t kv_dim() const { return n_head_kv * head_dim; }
    int64_t v_dim() const { return n_head_kv * head_dim_v; }
    int64_t attention_layers() const;
    bool has_recurrent_layers() const { return deltanet.has_value(); }
    // Bytes of KV cache each further token costs (K and V rows of the given types): attention
    // layers without a sliding window, whose rings stop growing at the window.
    int64_t kv_bytes_per_token(KvTypes types = {}) const;
    // Bytes of one position's K and V rows in one attention layer.
    int64_t kv_position_bytes(KvTypes types = {}) const;
    // Bytes of the whole KV cache for a context, sliding-window layers holding only their ring.
    int64_t kv_cache_bytes(int64_t n_ctx, int64_t max_batch, KvTypes types = {}) const;
    // Bytes of recurrent state per sequence, whatever its length (0 without recurrent layers).
    int64_t recurrent_state_bytes() const;

    // Reads and validates the config; throws flash::Error naming the key for missing or
    // inconsistent values. n_vocab comes from the token embedding's shape.
    static ModelConfig from_gguf(const GgufFile& gguf);
};

// The architectures flash runs, for messages: "llama, qwen2, qwen3, gemma3, qwen35".
std::string supported_architectures();

}  // namespace flash
