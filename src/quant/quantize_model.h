// quantize_model: a GGUF model (F32, F16 or BF16 weights; any type when the target is F32,
// F16 or BF16, i.e. dequantizing) rewritten with its weights in one type, choosing per tensor as
// llama-quantize does for that type: norms and other 1-D tensors (and recurrent convolution
// kernels) stay F32, the output matrix (the token embedding when tied) takes Q6_K under the 4- and
// 5-bit block types, and a row that does not fit the type's block falls back to llama.cpp's
// substitute. Metadata is copied, general.file_type set. Depends on core/, kernels/, quant/.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.h"
#include "core/gguf.h"

namespace flash::quant {

// A target the command line can name: "Q4_0", "q8_0", "F16", ... (case-insensitive).
struct Target {
    std::string name;  // as llama.cpp spells it
    DType type;        // the type most tensors get
    uint32_t ftype;    // general.file_type (llama.cpp's llama_ftype)
};
const std::vector<Target>& targets();
const Target& find_target(std::string_view name);  // throws flash::Error listing the names

// The type `tensor` gets under `target`.
DType tensor_type(const GgufFile& model, const GgufTensor& tensor, const Target& target);

struct TensorReport {
    std::string name;
    DType from, to;
};

std::vector<TensorReport> quantize_model(
    const std::string& in, const std::string& out, const Target& target,
    const std::function<void(size_t, size_t, const std::string&)>& progress = {});

}  // namespace flash::quant
