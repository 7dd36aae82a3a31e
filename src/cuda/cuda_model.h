// A model's forward pass on the GPU (issue 24): every weight uploaded once in its GGUF type, the
// KV cache (f32) on the device, a prompt in chunks (prefill_chunk) through the same steps as
// Model::forward's exact precision, and the logits copied back for sampling. CudaRunner plugs it
// into a Session (runtime/session.h's ForwardRunner), so sampling, grammars and the chat layers
// above run unchanged. Attention architectures only (llama, qwen2, qwen3, gemma3); qwen35's
// recurrent layers wait for their kernels. Depends on core/, kernels/, model/, runtime/ and cuda/.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "cuda/cuda_backend.h"
#include "cuda/gpu_plan.h"
#include "model/model.h"
#include "runtime/session.h"

namespace flash::cuda {

class CudaModel {
  public:
    // Uploads the weights and allocates the cache for n_ctx positions on the current device.
    // max_chunk > 0 caps the prompt tokens of one pass below prefill_chunk's (for tests).
    // Throws flash::Error for an unsupported model (forward_unsupported) or when the device
    // lacks the memory forward_device_memory asks for (saying how much).
    CudaModel(const Model& model, int64_t n_ctx, int64_t max_chunk = 0);

    // Evaluates tokens at positions [pos, pos + n), a chunk at a time, writing their keys and
    // values to the device cache; logits (n_vocab floats) for every token (all_logits, n x n_vocab)
    // or the last. Positions at or after pos are overwritten, so a caller may rewind.
    void forward(std::span<const int32_t> tokens, int64_t pos, float* logits, bool all_logits);

    int64_t n_ctx() const { return n_ctx_; }
    size_t device_bytes() const { return device_bytes_; }

  private:
    struct Layer {
        const float *attn_norm = nullptr, *q_norm = nullptr, *k_norm = nullptr;
        const float *bq = nullptr, *bk = nullptr, *bv = nullptr;
        const float *attn_post_norm = nullptr, *ffn_norm = nullptr, *ffn_post_norm = nullptr;
        WeightRef wq, wk, wv, wo, w_gate, w_up, w_down;  // data: device addresses
        DeviceBuffer k_cache, v_cache;
    };

    // The device copy of a weight (uploaded on first use; tied weights share one).
    const void* device_weight(const WeightRef& w);
    WeightRef on_device(const WeightRef& w);
    const float* device_vector(const WeightRef& w);
    void layer_step(int64_t l, int64_t p0, int64_t m);

    const Model& model_;
    int64_t n_ctx_;
    std::unordered_map<const void*, DeviceBuffer> weights_;
    std::vector<Layer> layers_;
    WeightRef output_;
    const float* output_norm_ = nullptr;
    const float* rope_freqs_ = nullptr;
    // Activations of one chunk of up to chunk_ tokens.
    int64_t chunk_ = 1;
    DeviceBuffer x_, xn_, y_, q_, k_, v_, attn_, gate_, up_, scores_, logits_, positions_;
    std::vector<float> embeddings_;
    std::vector<int32_t> positions_host_;
    size_t device_bytes_ = 0;
};

// A Session's forward calls on the GPU: one sequence, its cache on the device (the Session's
// own KvCache is not used).
class CudaRunner : public ForwardRunner {
  public:
    CudaRunner(const Model& model, int64_t n_ctx) : gpu_(model, n_ctx) {}
    void forward(const SequenceBatch& seq) override {
        gpu_.forward(seq.tokens, seq.pos, seq.logits, seq.all_logits);
    }
    CudaModel& model() { return gpu_; }

  private:
    CudaModel gpu_;
};

}  // namespace flash::cuda
