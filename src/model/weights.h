// Views of a model's weight tensors inside the GGUF mapping, checked against the config's
// shapes when loaded so the forward pass can trust them. Depends on core/ and model/config.
#pragma once

#include <cstdint>
#include <vector>

#include "core/gguf.h"
#include "model/config.h"

namespace flash {

// A 2-D (or 1-D) weight: `rows` rows of `cols` elements of `type`, contiguous.
struct WeightRef {
    DType type = DType::F32;
    const void* data = nullptr;
    int64_t rows = 0;
    int64_t cols = 0;

    bool present() const { return data != nullptr; }
    const float* f32() const { return static_cast<const float*>(data); }  // for F32 vectors
};

struct LayerWeights {
    WeightRef attn_norm, wq, wk, wv, wo;
    WeightRef ffn_norm, w_gate, w_up, w_down;
};

struct ModelWeights {
    WeightRef token_embd;
    WeightRef output_norm;
    WeightRef output;  // token_embd when the model ties them
    bool tied_output = false;
    WeightRef rope_freqs;  // optional per-dimension frequency factors (Llama 3.1 style)
    std::vector<LayerWeights> layers;
    size_t total_bytes = 0;

    // Binds every tensor the config needs; throws flash::Error naming a missing tensor or one
    // whose shape or type does not fit.
    static ModelWeights bind(const GgufFile& gguf, const ModelConfig& config);
};

}  // namespace flash
