// The quantization targets `flash quantize` can name and the per-tensor type each one gives,
// as llama-quantize chooses them (llama.cpp's llama_tensor_get_type for dense models): the
// _S/_M/_L mixes spend more bits on attn_v, ffn_down and attn_output in the layers where
// llama.cpp found the error hurts most, the output matrix takes Q6_K, and a row that does not
// fit a type's block falls back to llama.cpp's substitute. Depends on core/ only.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.h"
#include "core/gguf.h"

namespace flash::quant {

// A target the command line can name: "Q4_K_M", "q8_0", "F16", ... (case-insensitive).
struct Target {
    std::string name;  // as llama.cpp spells it
    DType type;        // the type most tensors get
    uint32_t ftype;    // general.file_type (llama.cpp's llama_ftype)
};
const std::vector<Target>& targets();
const Target& find_target(std::string_view name);  // throws flash::Error listing the names
// Any type but F32, F16 and BF16.
bool is_quantized(DType t);
// A file's quantization as people name it: general.file_type's target name ("Q4_K_M"), else
// the weight type holding the most bytes; "" for a file without tensors.
std::string quantization_name(const GgufFile& file);
// Whether any tensor is in a quantized (not F32/F16/BF16) type.
bool has_quantized_weights(const GgufFile& file);

// Chooses tensor types in file order; the per-layer rules count attn_v and ffn_down tensors as
// they pass, so call choose() once per tensor, in the file's order.
class TypeChooser {
  public:
    TypeChooser(const GgufFile& model, const Target& target, bool has_imatrix = false);
    DType choose(const GgufTensor& tensor);

  private:
    DType mixed(const std::string& name, DType type);
    bool is_fused_qkv(const std::string& name) const;

    const Target& target_;
    bool has_output_ = false, has_imatrix_ = false;
    int n_gqa_ = 1, n_layer_ = 0, n_attention_wv_ = 0;
    int i_attention_wv_ = 0, i_ffn_down_ = 0;
    std::set<std::string> recurrent_layers_;  // "blk.N." of layers with ssm_ tensors
};

}  // namespace flash::quant
