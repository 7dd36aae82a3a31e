#include "convert/hf_config.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/error.h"
#include "model/config.h"

namespace flash::convert {
namespace {

int64_t integer(const Json& config, const char* key) {
    const auto it = config.find(key);
    if (it == config.end() || !it->is_number_integer() || it->get<int64_t>() < 0)
        throw Error(std::string("config.json: '") + key + "' must be a non-negative integer");
    return it->get<int64_t>();
}

int64_t integer_or(const Json& config, const char* key, int64_t fallback) {
    const auto it = config.find(key);
    return it == config.end() || it->is_null() ? fallback : integer(config, key);
}

double number(const Json& config, const char* key) {
    const auto it = config.find(key);
    if (it == config.end() || !it->is_number())
        throw Error(std::string("config.json: '") + key + "' must be a number");
    return it->get<double>();
}

double number_or(const Json& config, const char* key, double fallback) {
    const auto it = config.find(key);
    return it == config.end() || it->is_null() ? fallback : number(config, key);
}

// transformers 5 keeps the RoPE base in rope_parameters; older configs in rope_theta.
double rope_theta(const Json& config, const char* local_key = nullptr) {
    if (const auto p = config.find("rope_parameters"); p != config.end() && p->is_object()) {
        // Gemma 3 in transformers 5: {"full_attention": {...}, "sliding_attention": {...}}
        const char* which = local_key ? "sliding_attention" : "full_attention";
        if (p->contains(which) && (*p)[which].is_object()) return number((*p)[which], "rope_theta");
        if (!local_key && p->contains("rope_theta")) return number(*p, "rope_theta");
    }
    if (local_key) return number_or(config, local_key, 10000.0);
    return number_or(config, "rope_theta", 10000.0);
}

}  // namespace

double shortest_float(float value) {
    char text[32];
    for (int digits = 6; digits <= 9; ++digits) {
        std::snprintf(text, sizeof text, "%.*g", digits, static_cast<double>(value));
        if (static_cast<float>(std::strtod(text, nullptr)) == value) break;
    }
    return std::strtod(text, nullptr);
}

Json hf_config(const GgufFile& g, const HfArchitecture& arch, const std::string& dtype) {
    const ModelConfig c = ModelConfig::from_gguf(g);
    const std::string p = arch.gguf + ".";
    const float rope_base = static_cast<float>(g.get_float(p + "rope.freq_base").value_or(10000.0));
    Json j{{"architectures", {arch.hf_class}},
           {"model_type", arch.model_type},
           {"vocab_size", c.n_vocab},
           {"hidden_size", c.n_embd},
           {"intermediate_size", c.n_ff},
           {"num_hidden_layers", c.n_layer},
           {"num_attention_heads", c.n_head},
           {"num_key_value_heads", c.n_head_kv},
           {"head_dim", c.head_dim},
           {"max_position_embeddings", c.n_ctx_train},
           {"rms_norm_eps", shortest_float(c.rms_eps)},
           {"rope_theta", shortest_float(rope_base)},
           {"tie_word_embeddings", g.find_tensor("output.weight") == nullptr},
           {"torch_dtype", dtype}};
    if (c.n_rot != c.head_dim)
        j["partial_rotary_factor"] = static_cast<double>(c.n_rot) / static_cast<double>(c.head_dim);
    if (const auto bos = g.get_int("tokenizer.ggml.bos_token_id")) j["bos_token_id"] = *bos;
    if (const auto eos = g.get_int("tokenizer.ggml.eos_token_id")) j["eos_token_id"] = *eos;
    if (arch.gguf == "gemma3") {
        j["hidden_activation"] = "gelu_pytorch_tanh";
        // transformers wants an integer here (it is one in every Gemma 3: the head size).
        const double scalar = 1.0 / (static_cast<double>(c.attn_scale) * c.attn_scale);
        if (std::abs(scalar - std::round(scalar)) < 1e-3 * scalar)
            j["query_pre_attn_scalar"] = static_cast<int64_t>(std::llround(scalar));
        else
            j["query_pre_attn_scalar"] = shortest_float(static_cast<float>(scalar));
        j["sliding_window"] = c.sliding_window;
        j["rope_local_base_freq"] = shortest_float(
            static_cast<float>(g.get_float(p + "rope.freq_base_swa").value_or(10000.0)));
        Json types = Json::array();
        for (const LayerConfig& l : c.layers)
            types.push_back(l.sliding ? "sliding_attention" : "full_attention");
        j["layer_types"] = types;
        j["final_logit_softcapping"] = nullptr;
        j["attn_logit_softcapping"] = nullptr;
    } else {
        j["hidden_act"] = "silu";
        j["attention_bias"] = arch.gguf == "qwen2";
        if (arch.gguf == "llama") j["mlp_bias"] = false;
        if (arch.gguf == "qwen2") j["use_sliding_window"] = false;
    }
    return j;
}

void gguf_metadata(const Json& config, const HfArchitecture& arch, const std::string& name,
                   GgufWriter& out) {
    const std::string p = arch.gguf + ".";
    const int64_t heads = integer(config, "num_attention_heads");
    const int64_t hidden = integer(config, "hidden_size");
    if (heads == 0) throw Error("config.json: 'num_attention_heads' must be positive");
    const int64_t head_dim = integer_or(config, "head_dim", hidden / heads);
    const double partial = number_or(config, "partial_rotary_factor", 1.0);
    auto u32 = [&](const std::string& key, int64_t v) {
        if (v > 0xffffffffll)
            throw Error("config.json: " + key + " = " + std::to_string(v) + " is too large");
        out.set_u32(p + key, static_cast<uint32_t>(v));
    };
    out.set_string("general.architecture", arch.gguf);
    out.set_string("general.name", name);
    u32("vocab_size", integer(config, "vocab_size"));
    u32("context_length", integer_or(config, "max_position_embeddings", 2048));
    u32("embedding_length", hidden);
    u32("block_count", integer(config, "num_hidden_layers"));
    u32("feed_forward_length", integer(config, "intermediate_size"));
    u32("attention.head_count", heads);
    u32("attention.head_count_kv", integer_or(config, "num_key_value_heads", heads));
    u32("attention.key_length", head_dim);
    u32("attention.value_length", head_dim);
    out.set_f32(p + "attention.layer_norm_rms_epsilon",
                static_cast<float>(number(config, "rms_norm_eps")));
    if (arch.gguf == "gemma3") {
        const int64_t window = integer_or(config, "sliding_window", 0);
        u32("attention.sliding_window", window);
        const Json types = config.value("layer_types", Json::array());
        std::vector<uint8_t> pattern;
        for (const Json& t : types) {
            if (!t.is_string()) throw Error("config.json: 'layer_types' must hold strings");
            const uint32_t sliding = t == "sliding_attention" ? 1 : 0;
            const auto* bytes = reinterpret_cast<const uint8_t*>(&sliding);
            pattern.insert(pattern.end(), bytes, bytes + 4);
        }
        if (!types.empty())
            out.set_array(p + "attention.sliding_window_pattern", GgufType::U32, pattern,
                          types.size());
        out.set_f32(p + "attention.scale",
                    static_cast<float>(1.0 / std::sqrt(number_or(config, "query_pre_attn_scalar",
                                                                 static_cast<double>(head_dim)))));
        u32("attention.key_length_swa", head_dim);
        u32("attention.value_length_swa", head_dim);
    }
    u32("rope.dimension_count",
        static_cast<int64_t>(std::llround(static_cast<double>(head_dim) * partial)));
    out.set_f32(p + "rope.freq_base", static_cast<float>(rope_theta(config)));
    if (arch.gguf == "gemma3") {
        u32("rope.dimension_count_swa",
            static_cast<int64_t>(std::llround(static_cast<double>(head_dim) * partial)));
        out.set_f32(p + "rope.freq_base_swa",
                    static_cast<float>(rope_theta(config, "rope_local_base_freq")));
    }
    if (const auto scaling = config.find("rope_scaling");
        scaling != config.end() && !scaling->is_null())
        throw Error("config.json: rope_scaling " + scaling->dump() + " is not converted yet");
}

}  // namespace flash::convert
