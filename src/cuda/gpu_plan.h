// What the GPU forward pass (cuda_model.h) takes and needs, read from a model's config and
// weights alone: no CUDA, built in every configuration, so `flash info` can say how much GPU
// memory a model asks for on a machine without one. Depends on core/ and model/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/weights.h"

namespace flash::cuda {

// Why the GPU path cannot run this model, or "" when it can.
std::string forward_unsupported(const ModelConfig& config);

// The first layer a partial offload runs on the GPU when gpu_layers of n_layer are asked for there
// (llama.cpp's -ngl: the last layers go to the GPU); gpu_layers < 0 or >= n_layer: 0, every one.
inline int64_t first_gpu_layer(int64_t n_layer, int64_t gpu_layers) {
    return gpu_layers < 0 || gpu_layers >= n_layer ? 0 : n_layer - gpu_layers;
}

// "layers 20..29 of 30" (or "layer 29 of 30"): what a partial offload from `first` puts on the
// GPU, with the output, for messages.
std::string gpu_layers_text(int64_t first, int64_t n_layer);

// Every weight the GPU path uploads for layers first_layer.. and the output, each once (a tied
// output is the embedding). The token embedding table itself stays on the host: one row per
// token is read there.
std::vector<WeightRef> uploaded_weights(const ModelWeights& weights, int64_t first_layer = 0);

// Tokens of a prompt one GPU pass takes: up to 256, fewer where the attention scores of a chunk
// (tokens x heads x context floats) would pass 64 MiB.
int64_t prefill_chunk(const ModelConfig& config, int64_t n_ctx);
// Rows of logits computed per output product when every token's logits are asked for.
inline constexpr int64_t kLogitRows = 16;
// Positions of the cache one attention block takes (flash-decoding: a row's positions are cut
// into parts of this many, each part's softmax partials merged after), and the parts of n_ctx.
inline constexpr int64_t kAttentionPart = 256;
inline int64_t attention_parts(int64_t n_ctx, int64_t part = kAttentionPart) {
    return (n_ctx + part - 1) / part;
}

struct DeviceMemory {
    size_t weights = 0;      // in their GGUF types
    size_t kv_cache = 0;     // f16 keys and values of every attention layer, every slot
    size_t recurrent = 0;    // f32 conv windows and DeltaNet states of every recurrent layer, slot
    size_t activations = 0;  // a prompt chunk's, its attention scores and partials, logits
    size_t total() const { return weights + kv_cache + recurrent + activations; }
};
// For `slots` sequences of up to n_ctx tokens each, with layers first_layer.. on the GPU (the
// earlier ones on the CPU: partial offload), attention in parts of attention_part positions.
DeviceMemory forward_device_memory(const ModelConfig& config, const ModelWeights& weights,
                                   int64_t n_ctx, int64_t slots = 1, int64_t first_layer = 0,
                                   int64_t attention_part = kAttentionPart);

}  // namespace flash::cuda
