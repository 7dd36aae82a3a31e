// Views of a model's weight tensors inside the GGUF mapping, bound by llama.cpp's tensor names
// and checked against the config's shapes so the forward pass can trust them.
// Depends on core/ and model/ (config, weight_ref, deltanet).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/gguf.h"
#include "model/config.h"
#include "model/deltanet.h"
#include "model/weight_ref.h"

namespace flash {

struct LayerWeights {
    WeightRef attn_norm;
    // Attention layers. wq yields n_head * head_dim values, or twice that (query | gate per
    // head) with gated attention. Biases and q/k norms are absent where a family has none.
    WeightRef wq, wk, wv, wo;
    WeightRef bq, bk, bv;
    WeightRef q_norm, k_norm;     // [head_dim], shared by all heads
    WeightRef attn_post_norm;     // applied to the attention output before the residual
    // Recurrent layers.
    std::optional<DeltaNetWeights> deltanet;
    // Feed-forward.
    WeightRef ffn_norm, w_gate, w_up, w_down;
    WeightRef ffn_post_norm;      // applied to the FFN output before the residual
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
