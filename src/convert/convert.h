// `flash convert`: a model between GGUF and a Hugging Face checkpoint directory
// (config.json, model.safetensors), both ways, for the architectures in hf_names.h. Tensors
// are renamed and, where llama.cpp's converter changes them, un-changed (llama's q/k row
// order, Gemma's norm offset); float tensors keep their bytes, quantized ones are dequantized.
// So GGUF -> HF -> GGUF gives back the same tensors and hyperparameters for float files.
// Depends on core/, kernels/ (dequantization), model/ (the GGUF contract).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace flash::convert {

// Auto: float tensors keep their type (F32, F16, BF16); quantized ones become F32 in a
// checkpoint. Going to GGUF, 1-D tensors (norms, biases) are F32 whatever is asked, as
// llama.cpp stores them.
enum class FloatType { Auto, F32, F16, BF16 };
FloatType float_type(const std::string& name);  // "auto", "F32", "F16", "BF16" (any case)

struct ConvertOptions {
    FloatType type = FloatType::Auto;
    bool force = false;  // replace an existing output
};

// Called before each tensor: index, count, name.
using ConvertProgress = std::function<void(size_t, size_t, const std::string&)>;

// What a conversion left out or chose, for the person converting ("tokenizer.json not
// written: ...").
struct ConvertReport {
    std::vector<std::string> notes;
};

// Writes OUT_DIR/config.json, model.safetensors, tokenizer_config.json (chat template, special
// tokens), tokenizer.json (byte-level BPE vocabularies) and generation_config.json.
ConvertReport gguf_to_hf(const std::string& gguf_path, const std::string& out_dir,
                         const ConvertOptions& options, const ConvertProgress& progress = {});

// Reads HF_DIR/config.json and model.safetensors (or the shards of
// model.safetensors.index.json), and tokenizer.json and tokenizer_config.json when present,
// and writes the GGUF.
ConvertReport hf_to_gguf(const std::string& hf_dir, const std::string& out_path,
                         const ConvertOptions& options, const ConvertProgress& progress = {});

}  // namespace flash::convert
