#include "convert/hf_names.h"

#include <algorithm>
#include <utility>

namespace flash::convert {
namespace {

const std::vector<HfArchitecture>& architectures() {
    static const std::vector<HfArchitecture> list = {
        {"llama", "LlamaForCausalLM", "llama", true, false},
        {"qwen2", "Qwen2ForCausalLM", "qwen2", false, false},
        {"qwen3", "Qwen3ForCausalLM", "qwen3", false, false},
        {"gemma3", "Gemma3ForCausalLM", "gemma3_text", false, true},
    };
    return list;
}

// Per-layer tensors: GGUF's blk.N.<first> is HF's model.layers.N.<second>.
std::vector<std::pair<std::string, std::string>> layer_names(const HfArchitecture& arch) {
    std::vector<std::pair<std::string, std::string>> names = {
        {"attn_norm", "input_layernorm"},    {"attn_q", "self_attn.q_proj"},
        {"attn_k", "self_attn.k_proj"},      {"attn_v", "self_attn.v_proj"},
        {"attn_output", "self_attn.o_proj"}, {"attn_q_norm", "self_attn.q_norm"},
        {"attn_k_norm", "self_attn.k_norm"}, {"ffn_gate", "mlp.gate_proj"},
        {"ffn_up", "mlp.up_proj"},           {"ffn_down", "mlp.down_proj"},
    };
    if (arch.gguf == "gemma3") {
        names.push_back({"post_attention_norm", "post_attention_layernorm"});
        names.push_back({"ffn_norm", "pre_feedforward_layernorm"});
        names.push_back({"post_ffw_norm", "post_feedforward_layernorm"});
    } else {
        names.push_back({"ffn_norm", "post_attention_layernorm"});
    }
    return names;
}

const std::vector<std::pair<std::string, std::string>>& global_names() {
    static const std::vector<std::pair<std::string, std::string>> names = {
        {"token_embd", "model.embed_tokens"}, {"output_norm", "model.norm"}, {"output", "lm_head"}};
    return names;
}

// "weight" or "bias" after the last dot, and the rest.
std::pair<std::string, std::string> split_kind(const std::string& name) {
    const size_t dot = name.rfind('.');
    if (dot == std::string::npos) return {name, ""};
    return {name.substr(0, dot), name.substr(dot + 1)};
}

// "blk.12.rest" -> (12, "rest") with `prefix` = "blk."
std::optional<std::pair<std::string, std::string>> layer_part(const std::string& name,
                                                              const std::string& prefix) {
    if (name.rfind(prefix, 0) != 0) return std::nullopt;
    const size_t dot = name.find('.', prefix.size());
    if (dot == std::string::npos || dot == prefix.size()) return std::nullopt;
    const std::string number = name.substr(prefix.size(), dot - prefix.size());
    if (number.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::make_pair(number, name.substr(dot + 1));
}

}  // namespace

std::optional<HfArchitecture> architecture_from_gguf(const std::string& gguf_arch) {
    for (const HfArchitecture& a : architectures())
        if (a.gguf == gguf_arch) return a;
    return std::nullopt;
}

std::optional<HfArchitecture> architecture_from_hf(const std::string& model_type) {
    for (const HfArchitecture& a : architectures())
        if (a.model_type == model_type || (a.gguf == "gemma3" && model_type == "gemma3")) return a;
    return std::nullopt;
}

std::string convertible_architectures() {
    std::string out;
    for (const HfArchitecture& a : architectures())
        out += (out.empty() ? "" : ", ") + a.gguf + " (" + a.hf_class + ")";
    return out;
}

std::optional<std::string> hf_name(const HfArchitecture& arch, const std::string& gguf_name) {
    const auto [base, kind] = split_kind(gguf_name);
    if (kind != "weight" && kind != "bias") return std::nullopt;
    for (const auto& [g, h] : global_names())
        if (base == g) return h + "." + kind;
    if (const auto part = layer_part(base, "blk."))
        for (const auto& [g, h] : layer_names(arch))
            if (part->second == g) return "model.layers." + part->first + "." + h + "." + kind;
    return std::nullopt;
}

std::optional<std::string> gguf_name(const HfArchitecture& arch, const std::string& hf_name) {
    const auto [base, kind] = split_kind(hf_name);
    if (kind != "weight" && kind != "bias") return std::nullopt;
    for (const auto& [g, h] : global_names())
        if (base == h) return g + "." + kind;
    if (const auto part = layer_part(base, "model.layers."))
        for (const auto& [g, h] : layer_names(arch))
            if (part->second == h) return "blk." + part->first + "." + g + "." + kind;
    return std::nullopt;
}

bool is_norm(const std::string& gguf_name) {
    const auto [base, kind] = split_kind(gguf_name);
    return kind == "weight" && base.size() >= 5 && base.compare(base.size() - 5, 5, "_norm") == 0;
}

namespace {

// llama.cpp: w.reshape(heads, 2, rows / heads / 2, cols).swapaxes(1, 2): within each head, the
// first half of the rows (the real parts) and the second half (the imaginary parts) are
// interleaved. `forward` false undoes it.
std::vector<uint8_t> move_rows(const std::vector<uint8_t>& w, int64_t rows, size_t cols,
                               int64_t heads, bool forward) {
    const int64_t half = rows / heads / 2;
    std::vector<uint8_t> out(w.size());
    for (int64_t h = 0; h < heads; ++h)
        for (int64_t i = 0; i < half; ++i)
            for (int64_t j = 0; j < 2; ++j) {
                const size_t grouped = static_cast<size_t>((h * 2 + j) * half + i) * cols;
                const size_t interleaved = static_cast<size_t>((h * half + i) * 2 + j) * cols;
                std::copy_n(&w[forward ? grouped : interleaved], cols,
                            &out[forward ? interleaved : grouped]);
            }
    return out;
}

}  // namespace

std::vector<uint8_t> permute_rows(const std::vector<uint8_t>& w, int64_t rows, size_t cols,
                                  int64_t heads) {
    return move_rows(w, rows, cols, heads, true);
}

std::vector<uint8_t> unpermute_rows(const std::vector<uint8_t>& w, int64_t rows, size_t cols,
                                    int64_t heads) {
    return move_rows(w, rows, cols, heads, false);
}

}  // namespace flash::convert
