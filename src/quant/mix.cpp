#include "quant/mix.h"

#include <cctype>
#include <map>

#include "core/error.h"

namespace flash::quant {
namespace {

// llama.cpp's llama_ftype values, which general.file_type records.
enum Ftype : uint32_t {
    kQ2_K = 10,
    kQ3_K_S = 11,
    kQ3_K_M = 12,
    kQ3_K_L = 13,
    kQ4_K_S = 14,
    kQ4_K_M = 15,
    kQ5_K_S = 16,
    kQ5_K_M = 17,
};

std::string upper(std::string_view s) {
    std::string u(s);
    for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u;
}

bool contains(const std::string& s, const char* part) {
    return s.find(part) != std::string::npos;
}

// llama.cpp's substitute when a row length is not a multiple of the type's block (the
// testdata's llama-quantize files show Q4_0 for Q2_K and Q3_K).
DType fallback(DType t) {
    switch (t) {
        case DType::Q2_K:
        case DType::Q3_K:
            return DType::Q4_0;
        case DType::Q4_K:
            return DType::Q5_0;
        case DType::Q5_K:
            return DType::Q5_1;
        case DType::Q6_K:
            return DType::Q8_0;
        default:
            return DType::F16;
    }
}

// The layers that get more bits: the first and last eighth, and every third one between.
bool use_more_bits(int i_layer, int n_layers) {
    return i_layer < n_layers / 8 || i_layer >= 7 * n_layers / 8 ||
           (i_layer - n_layers / 8) % 3 == 2;
}

// "blk.N." of a tensor name, or "".
std::string layer_of(const std::string& name) {
    if (name.rfind("blk.", 0) != 0) return "";
    const size_t dot = name.find('.', 4);
    return dot == std::string::npos ? "" : name.substr(0, dot + 1);
}

}  // namespace

const std::vector<Target>& targets() {
    static const std::vector<Target> all = {
        {"F32", DType::F32, 0},           {"F16", DType::F16, 1},
        {"BF16", DType::BF16, 32},        {"Q8_0", DType::Q8_0, 7},
        {"Q6_K", DType::Q6_K, 18},        {"Q5_K_M", DType::Q5_K, kQ5_K_M},
        {"Q5_K_S", DType::Q5_K, kQ5_K_S}, {"Q5_1", DType::Q5_1, 9},
        {"Q5_0", DType::Q5_0, 8},         {"Q4_K_M", DType::Q4_K, kQ4_K_M},
        {"Q4_K_S", DType::Q4_K, kQ4_K_S}, {"Q4_1", DType::Q4_1, 3},
        {"Q4_0", DType::Q4_0, 2},         {"Q3_K_L", DType::Q3_K, kQ3_K_L},
        {"Q3_K_M", DType::Q3_K, kQ3_K_M}, {"Q3_K_S", DType::Q3_K, kQ3_K_S},
        {"Q2_K", DType::Q2_K, kQ2_K},
    };
    return all;
}

const Target& find_target(std::string_view name) {
    const std::string u = upper(name);
    std::string names;
    for (const Target& t : targets()) {
        if (t.name == u) return t;
        names += (names.empty() ? "" : ", ") + t.name;
    }
    throw Error("unknown or not yet supported quantization type '" + std::string(name) +
                "' (supported: " + names + ")");
}

TypeChooser::TypeChooser(const GgufFile& model, const Target& target, bool has_imatrix)
    : target_(target), has_imatrix_(has_imatrix) {
    for (const GgufTensor& t : model.tensors())
        if (contains(t.name, "ssm_")) recurrent_layers_.insert(layer_of(t.name));
    for (const GgufTensor& t : model.tensors()) {
        if (contains(t.name, "attn_v.weight") || is_fused_qkv(t.name) ||
            contains(t.name, "attn_kv_b.weight"))
            ++n_attention_wv_;
        if (t.name == "output.weight") has_output_ = true;
    }
    const std::string arch(model.get_string("general.architecture").value_or(""));
    n_layer_ = static_cast<int>(model.get_int(arch + ".block_count").value_or(0));
    // llama.cpp's n_gqa() looks at layer 0; head_count_kv may be per layer.
    auto first = [&](const std::string& key) -> int64_t {
        if (auto v = model.get_int(key)) return *v;
        if (model.find(key) == nullptr) return 0;
        const auto a = model.get_int_array(key);
        return a && !a->empty() ? (*a)[0] : 0;
    };
    const int64_t n_head = first(arch + ".attention.head_count");
    const int64_t n_head_kv = model.find(arch + ".attention.head_count_kv")
                                  ? first(arch + ".attention.head_count_kv")
                                  : n_head;
    n_gqa_ = n_head_kv > 0 ? static_cast<int>(n_head / n_head_kv) : 0;
}

// A recurrent layer's attn_qkv is its input projection, not attention: llama-quantize neither
// counts it with attn_v nor gives it more bits (the testdata's qwen35 file shows both).
bool TypeChooser::is_fused_qkv(const std::string& name) const {
    return contains(name, "attn_qkv.weight") && !recurrent_layers_.count(layer_of(name));
}

DType TypeChooser::choose(const GgufTensor& t) {
    // llama.cpp leaves norms, biases and other 1-D tensors, and the recurrent layers' short
    // convolution kernels, unquantized.
    if (t.dims.size() < 2 || contains(t.name, "ssm_conv1d")) return DType::F32;
    DType type = target_.type;
    if (is_quantized(type)) type = mixed(t.name, type);
    if (t.dims[0] % dtype_info(type).block_elems != 0) {
        type = fallback(type);
        if (t.dims[0] % dtype_info(type).block_elems != 0) type = DType::F16;
    }
    return type;
}

// llama_tensor_get_type for the types flash writes; MoE (n_expert = 8), Falcon and 70B special
// cases are not carried over.
DType TypeChooser::mixed(const std::string& name, DType type) {
    const uint32_t f = target_.ftype;
    const bool is_output = name == "output.weight" || (!has_output_ && name == "token_embd.weight");
    if (is_output) {
        return type == DType::Q8_0 ? type : DType::Q6_K;
    }
    if (contains(name, "attn_v.weight")) {
        if (f == kQ2_K)
            type = n_gqa_ >= 4 ? DType::Q4_K : DType::Q3_K;
        else if (f == kQ3_K_M)
            type = i_attention_wv_ < 2 ? DType::Q5_K : DType::Q4_K;
        else if (f == kQ3_K_L)
            type = DType::Q5_K;
        else if ((f == kQ4_K_M || f == kQ5_K_M) && use_more_bits(i_attention_wv_, n_attention_wv_))
            type = DType::Q6_K;
        else if (f == kQ4_K_S && i_attention_wv_ < 4)
            type = DType::Q5_K;
        ++i_attention_wv_;
    } else if (contains(name, "ffn_down")) {
        const int i = i_ffn_down_, n = n_layer_;
        if (f == kQ2_K)
            type = DType::Q3_K;
        else if (f == kQ3_K_M)
            type = i < n / 16 ? DType::Q5_K : DType::Q4_K;
        else if (f == kQ3_K_L)
            type = DType::Q5_K;
        else if (f == kQ4_K_M) {
            if (use_more_bits(i, n)) type = DType::Q6_K;
        } else if (f == kQ5_K_M && use_more_bits(i, n))
            type = DType::Q6_K;
        else if (f == kQ4_K_S && i < n / 8)
            type = DType::Q5_K;
        else if ((type == DType::Q4_0 || type == DType::Q5_0) && has_imatrix_ && i < n / 8)
            // llama.cpp guards the first ffn_down layers of Q4_0/Q5_0 when an imatrix is given.
            type = type == DType::Q4_0 ? DType::Q4_1 : DType::Q5_1;
        ++i_ffn_down_;
    } else if (contains(name, "attn_output.weight")) {
        if (f == kQ2_K)
            type = DType::Q3_K;
        else if (f == kQ3_K_M)
            type = DType::Q4_K;
        else if (f == kQ3_K_L)
            type = DType::Q5_K;
    } else if (is_fused_qkv(name)) {
        if (f == kQ3_K_M || f == kQ3_K_L)
            type = DType::Q4_K;
        else if (f == kQ4_K_M)
            type = DType::Q5_K;
        else if (f == kQ5_K_M)
            type = DType::Q6_K;
    }
    return type;
}

bool is_quantized(DType t) {
    return t != DType::F32 && t != DType::F16 && t != DType::BF16;
}

std::string quantization_name(const GgufFile& file) {
    if (file.find("general.file_type")) {
        const auto ftype = file.get_int("general.file_type");
        for (const Target& t : targets())
            if (ftype && t.ftype == static_cast<uint32_t>(*ftype)) return t.name;
    }
    std::map<DType, size_t> bytes_by_type;
    for (const GgufTensor& t : file.tensors()) bytes_by_type[t.type] += t.n_bytes;
    DType best = DType::F32;
    size_t most = 0;
    for (const auto& [type, bytes] : bytes_by_type)
        if (bytes > most) most = bytes, best = type;
    return most == 0 ? "" : std::string(dtype_name(best));
}

bool has_quantized_weights(const GgufFile& file) {
    for (const GgufTensor& t : file.tensors())
        if (is_quantized(t.type)) return true;
    return false;
}

}  // namespace flash::quant
