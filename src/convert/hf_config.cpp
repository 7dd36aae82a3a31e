#include "convert/hf_config.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "model/config.h"
#include "model/gated_attention.h"

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

// transformers' Qwen3.5 defaults (Qwen3_5TextConfig), for fields a config.json leaves out.
constexpr int64_t kQwen35ConvKernel = 4, kQwen35KeyHeadDim = 128, kQwen35ValueHeadDim = 128,
                  kQwen35KeyHeads = 16, kQwen35ValueHeads = 32, kQwen35AttentionInterval = 4;
constexpr double kQwen35PartialRotary = 0.25;
// llama.cpp's converter writes these sections when a Qwen3.5 config has none.
constexpr std::array<int64_t, 4> kQwen35RopeSections = {11, 11, 10, 0};

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

double partial_rotary_factor(const Json& config, double fallback) {
    if (const auto p = config.find("rope_parameters");
        p != config.end() && p->is_object() && p->contains("partial_rotary_factor"))
        return number(*p, "partial_rotary_factor");
    return number_or(config, "partial_rotary_factor", fallback);
}

// Integers as a GGUF array of `type` (U32 or I32), little endian.
std::vector<uint8_t> int_array(const std::vector<int64_t>& values, GgufType type) {
    std::vector<uint8_t> bytes;
    for (const int64_t v : values) {
        const uint32_t u = type == GgufType::I32 ? static_cast<uint32_t>(static_cast<int32_t>(v))
                                                 : static_cast<uint32_t>(v);
        const auto* b = reinterpret_cast<const uint8_t*>(&u);
        bytes.insert(bytes.end(), b, b + 4);
    }
    return bytes;
}

// Qwen3.5's Gated DeltaNet sizes and which layers use it, and its multi-section RoPE.
void qwen35_config(const GgufFile& g, const ModelConfig& c, Json& j) {
    const DeltaNetConfig d = DeltaNetConfig::from_gguf(g, c.arch);
    // transformers rotates every pair by the token position; llama.cpp gives pairs outside the
    // t/h/w sections position 0, which no config.json can say.
    if (c.rope_sections_used)
        throw Error(g.path() + ": " + c.arch +
                    ".rope.dimension_sections leave rotation pairs unrotated for text, which "
                    "transformers' Qwen3.5 cannot express");
    std::vector<int64_t> sections(c.rope_sections.begin(), c.rope_sections.end());
    if (sections.back() == 0) sections.pop_back();  // transformers' sections are [t, h, w]
    const float base =
        static_cast<float>(g.get_float(c.arch + ".rope.freq_base").value_or(10000.0));
    j.erase("rope_theta");
    j["rope_parameters"] = {
        {"rope_type", "default"},
        {"rope_theta", shortest_float(base)},
        {"partial_rotary_factor", static_cast<double>(c.n_rot) / static_cast<double>(c.head_dim)},
        {"mrope_section", sections},
        {"mrope_interleaved", true}};
    Json types = Json::array();
    for (const LayerConfig& l : c.layers)
        types.push_back(l.kind == LayerKind::Recurrent ? "linear_attention" : "full_attention");
    j["layer_types"] = types;
    if (const auto interval = g.get_int(c.arch + ".full_attention_interval"))
        j["full_attention_interval"] = *interval;
    j["linear_conv_kernel_dim"] = d.conv_kernel;
    j["linear_key_head_dim"] = d.head_k_dim;
    j["linear_value_head_dim"] = d.head_v_dim;
    j["linear_num_key_heads"] = d.n_k_heads;
    j["linear_num_value_heads"] = d.n_v_heads;
}

// A u32 key, refusing a value that does not fit.
void set_u32(GgufWriter& out, const std::string& key, int64_t v) {
    if (v > 0xffffffffll)
        throw Error("config.json: " + key + " = " + std::to_string(v) + " is too large");
    out.set_u32(key, static_cast<uint32_t>(v));
}

// Which layers are linear attention (1) or full attention (0): layer_types, or as transformers
// fills it in, every layer but each full_attention_interval-th.
std::vector<int64_t> qwen35_recurrent_layers(const Json& config) {
    const int64_t layers = integer(config, "num_hidden_layers");
    const int64_t interval =
        integer_or(config, "full_attention_interval", kQwen35AttentionInterval);
    const Json types = config.value("layer_types", Json());
    if (!types.is_null() && (!types.is_array() || static_cast<int64_t>(types.size()) != layers))
        throw Error("config.json: 'layer_types' must list one type per layer");
    std::vector<int64_t> recurrent;
    for (int64_t l = 0; l < layers; ++l) {
        if (types.is_null()) {
            recurrent.push_back(interval > 0 && (l + 1) % interval != 0);
        } else if (types[l] == "linear_attention" || types[l] == "full_attention") {
            recurrent.push_back(types[l] == "linear_attention");
        } else {
            throw Error("config.json: layer_types[" + std::to_string(l) + "] = " + types[l].dump() +
                        " is neither linear_attention nor full_attention");
        }
    }
    return recurrent;
}

// rope_parameters' mrope_section padded to llama.cpp's four sections.
std::array<int64_t, 4> qwen35_rope_sections(const Json& config, int64_t n_rot) {
    const Json rope = config.value("rope_parameters", Json::object());
    if (!rope.is_object()) throw Error("config.json: 'rope_parameters' must be an object");
    if (rope.contains("rope_type") && rope["rope_type"] != "default")
        throw Error("config.json: rope_type " + rope["rope_type"].dump() + " is not converted yet");
    if (!rope.contains("mrope_section")) return kQwen35RopeSections;
    const Json& s = rope["mrope_section"];
    std::array<int64_t, 4> sections{0, 0, 0, 0};
    if (!s.is_array() || s.size() > 4)
        throw Error("config.json: 'mrope_section' must be at most 4 integers");
    for (size_t i = 0; i < s.size(); ++i) {
        if (!s[i].is_number_integer() || s[i].get<int64_t>() < 0)
            throw Error("config.json: 'mrope_section' must be at most 4 integers");
        sections[i] = s[i].get<int64_t>();
    }
    // llama.cpp gives a text token's rotation pairs outside the t/h/w sections position 0;
    // transformers rotates them all.
    if (!imrope_text_is_neox(n_rot, sections))
        throw Error("config.json: mrope_section " + s.dump() + " leaves rotation pairs of the " +
                    std::to_string(n_rot) + " rotated dimensions unrotated in llama.cpp's RoPE");
    return sections;
}

// The GGUF keys of Qwen3.5's Gated DeltaNet and its multi-section RoPE.
void qwen35_metadata(const Json& config, const std::string& p, int64_t n_rot, GgufWriter& out) {
    const HeadCounts h = head_counts(config, *architecture_from_gguf("qwen35"));
    set_u32(out, p + "ssm.conv_kernel",
            integer_or(config, "linear_conv_kernel_dim", kQwen35ConvKernel));
    set_u32(out, p + "ssm.state_size", h.linear_k_dim);
    set_u32(out, p + "ssm.group_count", h.linear_k);
    set_u32(out, p + "ssm.time_step_rank", h.linear_v);
    set_u32(out, p + "ssm.inner_size", h.linear_v * h.linear_v_dim);
    const std::vector<int64_t> recurrent = qwen35_recurrent_layers(config);
    out.set_array(p + "attention.recurrent_layers", GgufType::U32,
                  int_array(recurrent, GgufType::U32), recurrent.size());
    if (config.contains("full_attention_interval"))
        set_u32(out, p + "full_attention_interval", integer(config, "full_attention_interval"));
    const std::array<int64_t, 4> s = qwen35_rope_sections(config, n_rot);
    out.set_array(p + "rope.dimension_sections", GgufType::I32,
                  int_array({s.begin(), s.end()}, GgufType::I32), s.size());
}

}  // namespace

HeadCounts head_counts(const Json& config, const HfArchitecture& arch) {
    HeadCounts h;
    h.q = integer(config, "num_attention_heads");
    h.kv = integer_or(config, "num_key_value_heads", h.q);
    if (arch.gguf == "qwen35") {
        h.linear_k = integer_or(config, "linear_num_key_heads", kQwen35KeyHeads);
        h.linear_v = integer_or(config, "linear_num_value_heads", kQwen35ValueHeads);
        h.linear_k_dim = integer_or(config, "linear_key_head_dim", kQwen35KeyHeadDim);
        h.linear_v_dim = integer_or(config, "linear_value_head_dim", kQwen35ValueHeadDim);
    }
    return h;
}

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
        if (arch.gguf == "qwen35") qwen35_config(g, c, j);
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
    const double partial =
        partial_rotary_factor(config, arch.gguf == "qwen35" ? kQwen35PartialRotary : 1.0);
    auto u32 = [&](const std::string& key, int64_t v) { set_u32(out, p + key, v); };
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
    const int64_t n_rot = std::llround(static_cast<double>(head_dim) * partial);
    u32("rope.dimension_count", n_rot);
    out.set_f32(p + "rope.freq_base", static_cast<float>(rope_theta(config)));
    if (arch.gguf == "gemma3") {
        u32("rope.dimension_count_swa", n_rot);
        out.set_f32(p + "rope.freq_base_swa",
                    static_cast<float>(rope_theta(config, "rope_local_base_freq")));
    }
    if (arch.gguf == "qwen35") qwen35_metadata(config, p, n_rot, out);
    if (const auto scaling = config.find("rope_scaling");
        scaling != config.end() && !scaling->is_null())
        throw Error("config.json: rope_scaling " + scaling->dump() + " is not converted yet");
}

}  // namespace flash::convert
