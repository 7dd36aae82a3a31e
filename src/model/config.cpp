#include "model/config.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "core/error.h"
#include "model/gated_attention.h"

namespace flash {
namespace {

// What each family does differently from the llama block.
struct ArchTraits {
    const char* name;
    RopeKind rope;
    bool qk_norm;
    bool post_norms;
    bool gated_attention;
    FfnActivation ffn;
    bool scale_embeddings;
};
constexpr ArchTraits kArchs[] = {
    {"llama", RopeKind::Normal, false, false, false, FfnActivation::SiLU, false},
    {"qwen2", RopeKind::NeoX, false, false, false, FfnActivation::SiLU, false},
    {"qwen3", RopeKind::NeoX, true, false, false, FfnActivation::SiLU, false},
    {"gemma3", RopeKind::NeoX, true, true, false, FfnActivation::GeluTanh, true},
    {"qwen35", RopeKind::NeoX, true, false, true, FfnActivation::SiLU, false},
};

// The model file as a contract: each hyperparameter flash reads, with the range it must lie in.
// Bounds are generous (several times the largest open models) but finite, so a corrupt or
// hostile file is refused by key and value before it sizes an allocation or poisons the math.
struct IntRange {
    const char* key;  // after "{arch}."
    int64_t max;
};
constexpr IntRange kIntRanges[] = {
    {"block_count", 4096},
    {"embedding_length", 1 << 20},
    {"feed_forward_length", 1 << 22},
    {"attention.head_count", 4096},
    {"attention.head_count_kv", 4096},
    {"attention.key_length", 1 << 16},
    {"attention.value_length", 1 << 16},
    {"context_length", 1 << 24},
    {"rope.dimension_count", 1 << 16},
    {"attention.sliding_window", 1 << 24},
    {"vocab_size", 1 << 24},
};

int64_t checked(const GgufFile& g, const std::string& key, int64_t v) {
    // The table is keyed without the "{arch}." prefix (architecture names hold no dot).
    const std::string_view name = std::string_view(key).substr(key.find('.') + 1);
    int64_t max = int64_t{1} << 32;
    for (const IntRange& r : kIntRanges)
        if (name == r.key) max = r.max;
    if (v <= 0 || v > max)
        throw Error(g.path() + ": metadata '" + key + "' = " + std::to_string(v) +
                    " is out of range [1, " + std::to_string(max) + "]");
    return v;
}

// A floating-point hyperparameter: finite and inside (lo, hi].
float checked_float(const GgufFile& g, const std::string& key, double fallback, double lo,
                    double hi) {
    const double v = g.get_float(key).value_or(fallback);
    if (!std::isfinite(v) || !(v > lo && v <= hi)) {
        char message[128];
        std::snprintf(message, sizeof message, "' = %g is out of range (%g, %g]", v, lo, hi);
        throw Error(g.path() + ": metadata '" + key + message);
    }
    return static_cast<float>(v);
}

// Which layers use a sliding window (gemma3): "{arch}.attention.sliding_window_pattern" as one
// flag per layer, or llama.cpp's default for gemma3 of five local layers to one global.
std::vector<bool> read_sliding_layers(const GgufFile& g, const std::string& arch, int64_t n_layer) {
    std::vector<bool> sliding(static_cast<size_t>(n_layer), false);
    const std::string key = arch + ".attention.sliding_window_pattern";
    if (const GgufValue* v = g.find(key); v && v->type == GgufType::ARRAY) {
        const auto flags = *g.get_int_array(key);
        if (static_cast<int64_t>(flags.size()) != n_layer)
            throw Error(g.path() + ": '" + key + "' has " + std::to_string(flags.size()) +
                        " entries for " + std::to_string(n_layer) + " layers");
        for (int64_t l = 0; l < n_layer; ++l) sliding[l] = flags[l] != 0;
        return sliding;
    }
    const int64_t period = g.get_int(key).value_or(6);  // a scalar: every period-th layer is global
    if (period <= 0) throw Error(g.path() + ": '" + key + "' must be positive");
    for (int64_t l = 0; l < n_layer; ++l) sliding[l] = l % period < period - 1;
    return sliding;
}

}  // namespace

std::string supported_architectures() {
    std::string out;
    for (const ArchTraits& a : kArchs) out += (out.empty() ? "" : ", ") + std::string(a.name);
    return out;
}

int64_t ModelConfig::attention_layers() const {
    int64_t n = 0;
    for (const LayerConfig& l : layers) n += l.kind == LayerKind::Attention;
    return n;
}

int64_t ModelConfig::kv_position_bytes(KvTypes types) const {
    return static_cast<int64_t>(row_bytes(types.k, kv_dim()) + row_bytes(types.v, v_dim()));
}

int64_t ModelConfig::kv_bytes_per_token(KvTypes types) const {
    int64_t growing = 0;
    for (const LayerConfig& l : layers) growing += l.kind == LayerKind::Attention && !l.sliding;
    return growing * kv_position_bytes(types);
}

int64_t ModelConfig::kv_cache_bytes(int64_t n_ctx, int64_t max_batch, KvTypes types) const {
    int64_t positions = 0;
    for (const LayerConfig& l : layers) {
        if (l.kind != LayerKind::Attention) continue;
        positions += l.sliding ? std::min(n_ctx, sliding_window + max_batch - 1) : n_ctx;
    }
    return positions * kv_position_bytes(types);
}

int64_t ModelConfig::recurrent_state_bytes() const {
    if (!deltanet) return 0;
    const int64_t per_layer = deltanet->conv_state_floats() + deltanet->ssm_state_floats();
    return (n_layer - attention_layers()) * per_layer * 4;
}

ModelConfig ModelConfig::from_gguf(const GgufFile& g) {
    ModelConfig c;
    c.arch = std::string(g.require_string("general.architecture"));
    const ArchTraits* traits = nullptr;
    for (const ArchTraits& a : kArchs)
        if (c.arch == a.name) traits = &a;
    if (!traits)
        throw Error(g.path() + ": architecture '" + c.arch +
                    "' is not supported (flash runs: " + supported_architectures() + ")");
    c.rope_kind = traits->rope;
    c.qk_norm = traits->qk_norm;
    c.post_norms = traits->post_norms;
    c.gated_attention = traits->gated_attention;
    c.ffn_activation = traits->ffn;
    c.name = std::string(g.get_string("general.name").value_or(""));

    const std::string p = c.arch + ".";
    auto req = [&](const std::string& k) { return checked(g, p + k, g.require_int(p + k)); };
    auto opt = [&](const std::string& k, int64_t def) {
        auto v = g.get_int(p + k);
        return v ? checked(g, p + k, *v) : def;
    };
    c.n_layer = req("block_count");
    c.n_embd = req("embedding_length");
    c.n_ff = req("feed_forward_length");
    c.n_head = req("attention.head_count");
    c.n_head_kv = opt("attention.head_count_kv", c.n_head);
    c.head_dim = opt("attention.key_length", c.n_embd / c.n_head);
    c.head_dim_v = opt("attention.value_length", c.head_dim);
    c.n_ctx_train = opt("context_length", 2048);
    c.n_rot = opt("rope.dimension_count", c.head_dim);
    c.rms_eps = checked_float(g, p + "attention.layer_norm_rms_epsilon", 1e-5, 0.0, 1.0);
    const float rope_base = checked_float(g, p + "rope.freq_base", 10000.0, 0.0, 1e12);

    if (c.n_head % c.n_head_kv != 0)
        throw Error(g.path() + ": head_count " + std::to_string(c.n_head) +
                    " is not a multiple of head_count_kv " + std::to_string(c.n_head_kv));
    if (c.n_rot > c.head_dim || c.n_rot % 2 != 0)
        throw Error(g.path() + ": rope.dimension_count " + std::to_string(c.n_rot) +
                    " does not fit head size " + std::to_string(c.head_dim));
    if (c.head_dim_v != c.head_dim)
        throw Error(g.path() + ": key_length " + std::to_string(c.head_dim) + " != value_length " +
                    std::to_string(c.head_dim_v) + " is not supported");

    float freq_scale = 1.0f;
    const std::string scaling(g.get_string(p + "rope.scaling.type").value_or("none"));
    if (scaling == "linear") {
        freq_scale = 1.0f / checked_float(g, p + "rope.scaling.factor", 1.0, 0.0, 1e6);
    } else if (scaling != "none") {
        throw Error(g.path() + ": rope scaling type '" + scaling +
                    "' is not supported (none, linear)");
    }

    c.attn_scale = checked_float(g, p + "attention.scale",
                                 1.0 / std::sqrt(static_cast<double>(c.head_dim)), 0.0, 1e6);
    if (traits->scale_embeddings) c.embed_scale = std::sqrt(static_cast<float>(c.n_embd));

    c.layers.resize(static_cast<size_t>(c.n_layer));
    for (LayerConfig& l : c.layers) {
        l.rope_base = rope_base;
        l.rope_freq_scale = freq_scale;
    }
    if (c.arch == "gemma3") {
        c.sliding_window = opt("attention.sliding_window", 0);
        // Local layers use their own RoPE base (llama.cpp's default 10000) and no scaling.
        const float base_swa = checked_float(g, p + "rope.freq_base_swa", 10000.0, 0.0, 1e12);
        const std::vector<bool> sliding = read_sliding_layers(g, c.arch, c.n_layer);
        for (int64_t l = 0; l < c.n_layer; ++l) {
            if (!sliding[l] || c.sliding_window == 0) continue;
            c.layers[l].sliding = true;
            c.layers[l].rope_base = base_swa;
            c.layers[l].rope_freq_scale = 1.0f;
        }
    }
    if (c.arch == "qwen35") {
        c.rope_sections = read_rope_sections(g, c.arch);
        c.rope_sections_used = !imrope_text_is_neox(c.n_rot, c.rope_sections);
        c.deltanet = DeltaNetConfig::from_gguf(g, c.arch);
        const std::vector<bool> recurrent = read_recurrent_layers(g, c.arch, c.n_layer);
        for (int64_t l = 0; l < c.n_layer; ++l)
            if (recurrent[l]) c.layers[l].kind = LayerKind::Recurrent;
        if (c.attention_layers() == c.n_layer) c.deltanet.reset();
    }

    const GgufTensor& embd = g.require_tensor("token_embd.weight");
    if (embd.dims.size() != 2 || embd.dims[0] != c.n_embd)
        throw Error(g.path() + ": token_embd.weight has shape " + embd.shape_string() +
                    ", expected [" + std::to_string(c.n_embd) + ", n_vocab]");
    c.n_vocab = embd.dims[1];
    // The embedding must have a row for every token the vocabulary can produce (more rows, as
    // padding, is fine), and a stated vocab_size must be the embedding's.
    if (const auto n = g.get_int(p + "vocab_size");
        n && checked(g, p + "vocab_size", *n) != c.n_vocab)
        throw Error(g.path() + ": metadata '" + p + "vocab_size' = " + std::to_string(*n) +
                    " but token_embd.weight has " + std::to_string(c.n_vocab) + " rows");
    if (const GgufValue* tokens = g.find("tokenizer.ggml.tokens");
        tokens && tokens->type == GgufType::ARRAY &&
        static_cast<int64_t>(tokens->count) > c.n_vocab)
        throw Error(g.path() + ": the vocabulary has " + std::to_string(tokens->count) +
                    " tokens but token_embd.weight only " + std::to_string(c.n_vocab) + " rows");
    return c;
}

}  // namespace flash
