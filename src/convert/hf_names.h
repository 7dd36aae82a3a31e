// How a model's tensors are named and laid out in GGUF (llama.cpp's names) and in a Hugging
// Face checkpoint (transformers' names), per architecture: the name map, which tensors
// llama.cpp's converter permutes (llama's q and k, for its interleaved RoPE) and which it
// stores offset (Gemma's norm weights, kept as 1 + w). Depends on nothing outside convert/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace flash::convert {

struct HfArchitecture {
    std::string gguf;             // "llama"
    std::string hf_class;         // "LlamaForCausalLM"
    std::string model_type;       // "llama"
    bool permute_qk = false;      // q_proj/k_proj rows reordered for interleaved RoPE
    bool norms_plus_one = false;  // GGUF norm weight = HF weight + 1
};

// The architectures flash converts; nullopt for another (the message names those).
std::optional<HfArchitecture> architecture_from_gguf(const std::string& gguf_arch);
std::optional<HfArchitecture> architecture_from_hf(const std::string& model_type);
std::string convertible_architectures();

// "blk.3.attn_q.weight" <-> "model.layers.3.self_attn.q_proj.weight"; nullopt when the name is
// not one of the architecture's.
std::optional<std::string> hf_name(const HfArchitecture& arch, const std::string& gguf_name);
std::optional<std::string> gguf_name(const HfArchitecture& arch, const std::string& hf_name);

// Whether the GGUF tensor is a norm weight (stored + 1 for Gemma).
bool is_norm(const std::string& gguf_name);

// llama.cpp's permutation of q/k rows (HF -> GGUF) and its inverse, on `rows` rows of
// `row_bytes` bytes each (any element type: rows move whole), for `heads` heads.
std::vector<uint8_t> permute_rows(const std::vector<uint8_t>& w, int64_t rows, size_t row_bytes,
                                  int64_t heads);
std::vector<uint8_t> unpermute_rows(const std::vector<uint8_t>& w, int64_t rows, size_t row_bytes,
                                    int64_t heads);

}  // namespace flash::convert
