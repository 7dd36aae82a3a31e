// How a model's tensors are named and laid out in GGUF (llama.cpp's names) and in a Hugging
// Face checkpoint (transformers' names), per architecture: the name map, and what llama.cpp's
// converter does to a tensor on its way to GGUF (llama's q and k rows permuted for its
// interleaved RoPE; Gemma's and Qwen3.5's zero-centred norm weights stored as 1 + w; Qwen3.5's
// A stored as -exp(A_log), its conv kernel squeezed and its value heads tiled), so that it can
// be undone. Depends on nothing outside convert/.
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
// not one of the architecture's. A multimodal checkpoint's text model
// ("model.language_model.layers.3...") maps as the text-only one does.
std::optional<std::string> hf_name(const HfArchitecture& arch, const std::string& gguf_name);
std::optional<std::string> gguf_name(const HfArchitecture& arch, const std::string& hf_name);

// Whether a checkpoint tensor belongs to what a text model leaves out: Qwen3.5's vision tower
// (model.visual.) and multi-token-prediction head (mtp.), which llama.cpp's text GGUF has not.
bool outside_text_model(const std::string& hf_name);

// Whether the GGUF tensor is a norm weight (stored + 1 for Gemma).
bool is_norm(const std::string& gguf_name);

// The head counts the layouts depend on, read from the GGUF or from config.json.
struct HeadCounts {
    int64_t q = 0, kv = 0;               // attention heads
    int64_t linear_k = 0, linear_v = 0;  // Gated DeltaNet key and value heads (qwen35)
    int64_t linear_k_dim = 0, linear_v_dim = 0;
};

// Qwen3.5's Gated DeltaNet value heads: transformers groups them by the key head they read
// (k0v0 k0v1 k1v0 k1v1), llama.cpp's converter tiles them (k0v0 k1v0 k0v1 k1v1) so that ggml
// broadcasts the key heads instead of repeating each one.
struct VHeadOrder {
    int64_t k_heads = 0;  // 0: nothing to reorder (as many value heads as key heads)
    int64_t v_per_k = 0;
    int64_t first = 0;      // rows before the value heads (the q and k channels of the qkv)
    int64_t head_size = 0;  // rows per value head, or elements per row with `columns`
    bool columns = false;   // the heads lie along every row (the output projection's input)
};

// What llama.cpp's converter does to one tensor (named as in GGUF) on its way to GGUF.
struct TensorChange {
    bool plus_one = false;      // zero-centred norm: GGUF = HF + 1
    bool minus_exp = false;     // GGUF ssm_a = -exp(HF A_log)
    int64_t permute_heads = 0;  // llama's q/k rows interleaved (permute_rows)
    VHeadOrder v_heads;         // Qwen3.5's value heads tiled (tile_v_heads)
    bool squeezed = false;      // HF conv1d [C, 1, K] is GGUF [K, C]
    bool f32_in_gguf = false;   // kept F32 whatever the type asked (ggml's conv takes only F32)
};
TensorChange tensor_change(const HfArchitecture& arch, const std::string& gguf_name,
                           const HeadCounts& heads);

// llama.cpp's permutation of q/k rows (HF -> GGUF) and its inverse, on `rows` rows of
// `row_bytes` bytes each (any element type: rows move whole), for `heads` heads.
std::vector<uint8_t> permute_rows(const std::vector<uint8_t>& w, int64_t rows, size_t row_bytes,
                                  int64_t heads);
std::vector<uint8_t> unpermute_rows(const std::vector<uint8_t>& w, int64_t rows, size_t row_bytes,
                                    int64_t heads);

// The value heads of `w` (`rows` rows of any element type) from transformers' grouped order to
// llama.cpp's tiled one, and back.
std::vector<uint8_t> tile_v_heads(const std::vector<uint8_t>& w, int64_t rows,
                                  const VHeadOrder& order);
std::vector<uint8_t> group_v_heads(const std::vector<uint8_t>& w, int64_t rows,
                                   const VHeadOrder& order);
// Whether `rows` rows of `row_elements` elements hold the value heads `order` names (the two
// functions above need it).
bool v_heads_fit(const VHeadOrder& order, int64_t rows, int64_t row_elements);

// Qwen3.5's decay rate both ways: GGUF's ssm_a = -exp(A_log), computed in double. f32 holds
// fewer A_log values than A values where |A_log| > 1, so the GGUF -> HF -> GGUF trip can move
// ssm_a there by an ulp or two (at most 3 for |A_log| < 7); below 1 it is exact.
float a_log_from_ssm_a(float ssm_a);
float ssm_a_from_a_log(float a_log);

}  // namespace flash::convert
