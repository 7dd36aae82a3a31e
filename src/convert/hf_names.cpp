#include "convert/hf_names.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace flash::convert {
namespace {

const std::vector<HfArchitecture>& architectures() {
    static const std::vector<HfArchitecture> list = {
        {"llama", "LlamaForCausalLM", "llama", true, false},
        {"qwen2", "Qwen2ForCausalLM", "qwen2", false, false},
        {"qwen3", "Qwen3ForCausalLM", "qwen3", false, false},
        {"gemma3", "Gemma3ForCausalLM", "gemma3_text", false, true},
        {"qwen35", "Qwen3_5ForCausalLM", "qwen3_5_text", false, true},
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
    } else if (arch.gguf == "qwen35") {
        names.insert(names.end(), {{"post_attention_norm", "post_attention_layernorm"},
                                   {"attn_qkv", "linear_attn.in_proj_qkv"},
                                   {"attn_gate", "linear_attn.in_proj_z"},
                                   {"ssm_alpha", "linear_attn.in_proj_a"},
                                   {"ssm_beta", "linear_attn.in_proj_b"},
                                   {"ssm_conv1d", "linear_attn.conv1d"},
                                   {"ssm_norm", "linear_attn.norm"},
                                   {"ssm_out", "linear_attn.out_proj"}});
    } else {
        names.push_back({"ffn_norm", "post_attention_layernorm"});
    }
    return names;
}

// Per-layer parameters named whole, without a ".weight" or ".bias" on one side.
std::vector<std::pair<std::string, std::string>> layer_parameters(const HfArchitecture& arch) {
    if (arch.gguf != "qwen35") return {};
    return {{"ssm_a", "linear_attn.A_log"}, {"ssm_dt.bias", "linear_attn.dt_bias"}};
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
        if (a.model_type == model_type || (a.gguf == "gemma3" && model_type == "gemma3") ||
            (a.gguf == "qwen35" && model_type == "qwen3_5"))
            return a;
    return std::nullopt;
}

std::string convertible_architectures() {
    std::string out;
    for (const HfArchitecture& a : architectures())
        out += (out.empty() ? "" : ", ") + a.gguf + " (" + a.hf_class + ")";
    return out;
}

std::optional<std::string> hf_name(const HfArchitecture& arch, const std::string& gguf_name) {
    if (const auto part = layer_part(gguf_name, "blk."))
        for (const auto& [g, h] : layer_parameters(arch))
            if (part->second == g) return "model.layers." + part->first + "." + h;
    const auto [base, kind] = split_kind(gguf_name);
    if (kind != "weight" && kind != "bias") return std::nullopt;
    for (const auto& [g, h] : global_names())
        if (base == g) return h + "." + kind;
    if (const auto part = layer_part(base, "blk."))
        for (const auto& [g, h] : layer_names(arch))
            if (part->second == g) return "model.layers." + part->first + "." + h + "." + kind;
    return std::nullopt;
}

std::optional<std::string> gguf_name(const HfArchitecture& arch, const std::string& name) {
    const std::string nested = "model.language_model.";
    const std::string hf_name =
        name.rfind(nested, 0) == 0 ? "model." + name.substr(nested.size()) : name;
    if (const auto part = layer_part(hf_name, "model.layers."))
        for (const auto& [g, h] : layer_parameters(arch))
            if (part->second == h) return "blk." + part->first + "." + g;
    const auto [base, kind] = split_kind(hf_name);
    if (kind != "weight" && kind != "bias") return std::nullopt;
    for (const auto& [g, h] : global_names())
        if (base == h) return g + "." + kind;
    if (const auto part = layer_part(base, "model.layers."))
        for (const auto& [g, h] : layer_names(arch))
            if (part->second == h) return "blk." + part->first + "." + g + "." + kind;
    return std::nullopt;
}

bool outside_text_model(const std::string& hf_name) {
    return hf_name.rfind("model.visual.", 0) == 0 || hf_name.rfind("mtp.", 0) == 0;
}

bool is_norm(const std::string& gguf_name) {
    const auto [base, kind] = split_kind(gguf_name);
    return kind == "weight" && base.size() >= 5 && base.compare(base.size() - 5, 5, "_norm") == 0;
}

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Where a Gated DeltaNet tensor's value heads lie; k_heads 0 when it has none or when key and
// value heads pair one to one (the orders agree).
VHeadOrder v_head_order(const std::string& name, const HeadCounts& h) {
    VHeadOrder o;
    if (h.linear_k <= 0 || h.linear_v <= h.linear_k || h.linear_v % h.linear_k != 0) return o;
    const int64_t qk_channels = 2 * h.linear_k * h.linear_k_dim;
    if (ends_with(name, ".attn_qkv.weight") || ends_with(name, ".ssm_conv1d.weight")) {
        o.first = qk_channels;
        o.head_size = h.linear_v_dim;
    } else if (ends_with(name, ".attn_gate.weight")) {
        o.head_size = h.linear_v_dim;
    } else if (ends_with(name, ".ssm_alpha.weight") || ends_with(name, ".ssm_beta.weight") ||
               ends_with(name, ".ssm_a") || ends_with(name, ".ssm_dt.bias")) {
        o.head_size = 1;
    } else if (ends_with(name, ".ssm_out.weight")) {
        o.head_size = h.linear_v_dim;
        o.columns = true;
    } else {
        return o;
    }
    o.k_heads = h.linear_k;
    o.v_per_k = h.linear_v / h.linear_k;
    return o;
}

}  // namespace

TensorChange tensor_change(const HfArchitecture& arch, const std::string& gguf_name,
                           const HeadCounts& heads) {
    TensorChange c;
    // Qwen3.5's gated norm inside the DeltaNet is a plain RMSNorm weight in transformers too.
    c.plus_one =
        arch.norms_plus_one && is_norm(gguf_name) && !ends_with(gguf_name, ".ssm_norm.weight");
    if (arch.permute_qk && ends_with(gguf_name, ".attn_q.weight")) c.permute_heads = heads.q;
    if (arch.permute_qk && ends_with(gguf_name, ".attn_k.weight")) c.permute_heads = heads.kv;
    if (arch.gguf == "qwen35") {
        c.minus_exp = ends_with(gguf_name, ".ssm_a");
        c.v_heads = v_head_order(gguf_name, heads);
        c.squeezed = c.f32_in_gguf = ends_with(gguf_name, ".ssm_conv1d.weight");
    }
    return c;
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

namespace {

// One run of k_heads * v_per_k heads of `head_bytes` each, from `from` to `to`: grouped head
// g * v_per_k + i is tiled head i * k_heads + g (llama.cpp: reshape(k, v_per_k, size) then
// swap the first two axes).
void move_heads(const uint8_t* from, uint8_t* to, const VHeadOrder& o, size_t head_bytes,
                bool tile) {
    for (int64_t g = 0; g < o.k_heads; ++g)
        for (int64_t i = 0; i < o.v_per_k; ++i) {
            const size_t grouped = static_cast<size_t>(g * o.v_per_k + i) * head_bytes;
            const size_t tiled = static_cast<size_t>(i * o.k_heads + g) * head_bytes;
            std::copy_n(from + (tile ? grouped : tiled), head_bytes, to + (tile ? tiled : grouped));
        }
}

std::vector<uint8_t> move_v_heads(const std::vector<uint8_t>& w, int64_t rows, const VHeadOrder& o,
                                  bool tile) {
    if (o.k_heads == 0 || rows <= 0) return w;
    std::vector<uint8_t> out = w;
    const size_t row_bytes = w.size() / static_cast<size_t>(rows);
    const int64_t v_heads = o.k_heads * o.v_per_k;
    if (o.columns) {
        const size_t head_bytes = row_bytes / static_cast<size_t>(v_heads);
        for (int64_t r = 0; r < rows; ++r)
            move_heads(&w[r * row_bytes], &out[r * row_bytes], o, head_bytes, tile);
    } else {
        const size_t at = static_cast<size_t>(o.first) * row_bytes;
        move_heads(&w[at], &out[at], o, static_cast<size_t>(o.head_size) * row_bytes, tile);
    }
    return out;
}

}  // namespace

std::vector<uint8_t> tile_v_heads(const std::vector<uint8_t>& w, int64_t rows,
                                  const VHeadOrder& order) {
    return move_v_heads(w, rows, order, true);
}

std::vector<uint8_t> group_v_heads(const std::vector<uint8_t>& w, int64_t rows,
                                   const VHeadOrder& order) {
    return move_v_heads(w, rows, order, false);
}

bool v_heads_fit(const VHeadOrder& o, int64_t rows, int64_t row_elements) {
    if (o.k_heads == 0) return true;
    const int64_t heads = o.k_heads * o.v_per_k;
    if (o.columns) return row_elements == heads * o.head_size;
    return rows == o.first + heads * o.head_size;
}

float a_log_from_ssm_a(float ssm_a) {
    return static_cast<float>(std::log(-static_cast<double>(ssm_a)));
}

float ssm_a_from_a_log(float a_log) {
    return static_cast<float>(-std::exp(static_cast<double>(a_log)));
}

}  // namespace flash::convert
