// A model's forward pass on the GPU (issue 24): every weight uploaded once in its GGUF type, an
// f16 KV cache on the device for each of a few sequences (slots), the tokens of one or several
// sequences in chunks (prefill_chunk) through the same steps as Model::forward's exact
// precision, and the logits copied back for sampling. CudaRunner plugs one sequence into a
// Session (runtime/session.h's ForwardRunner); forward_batch is continuous batching's pass, for
// a runtime::Batcher serving several sessions. llama, qwen2, qwen3, gemma3 and qwen35 (gated
// attention, and Gated DeltaNet layers whose conv window and state stay on the device per slot;
// a recurrent sequence cannot rewind, so it restarts at position 0 or goes on where it stopped).
// Depends on core/, kernels/, model/, runtime/ and cuda/.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "cuda/cuda_backend.h"
#include "cuda/gpu_plan.h"
#include "cuda/launch.h"
#include "model/model.h"
#include "runtime/session.h"

namespace flash::cuda {

struct CudaOptions {
    int64_t slots = 1;      // sequences whose caches the device holds at once
    int64_t max_chunk = 0;  // > 0: fewer prompt rows per pass than prefill_chunk (for tests)
    // Partial offload (llama.cpp's -ngl): the last gpu_layers layers and the output run on the
    // GPU, the others on the CPU (Model::forward_hidden, with each sequence's KvCache and
    // cpu_threads threads, 0: all). < 0 or >= the model's layers: every layer on the GPU.
    int64_t gpu_layers = -1;
    int cpu_threads = 0;
    // The layers of a pass of up to kGraphRows rows (every decode step of up to that many
    // sequences, and short prompt chunks) replayed from a CUDA graph (launch.h) recorded the
    // second time a row count comes. Off, or with $FLASH_CUDA_GRAPHS=0, every kernel is
    // launched one by one.
    bool graphs = true;
    // Cache positions per attention block (launch.h's attention; fewer: more parts, for tests).
    int64_t attention_part = kAttentionPart;
    // The prompt chunks' product (cuda_backend.h): Simt unless $FLASH_CUDA_MATMUL says tf32x3.
    MatmulKernel matmul = default_matmul_kernel();
};

class CudaModel {
  public:
    // Uploads the weights and allocates the caches (slots x n_ctx positions) on the current
    // device. Throws flash::Error for an unsupported model (forward_unsupported) or when the
    // device lacks the memory forward_device_memory asks for (saying how much).
    CudaModel(const Model& model, int64_t n_ctx, CudaOptions options = {});

    // Evaluates each sequence's tokens at positions [pos, pos + n), writing their keys and
    // values to the device cache of its KvCache (the caches a CudaModel has seen get a slot each,
    // in order; the KvCache itself is not touched), and its logits as Model::forward_batch does:
    // every token's with all_logits, else the last one's. Positions at or after pos are
    // overwritten, so a sequence may rewind. Throws flash::Error, before anything runs, for a
    // bad position or token, or a cache beyond the slots.
    void forward_batch(std::span<const SequenceBatch> seqs);
    // One sequence in slot 0.
    void forward(std::span<const int32_t> tokens, int64_t pos, float* logits, bool all_logits);

    int64_t n_ctx() const { return n_ctx_; }
    int64_t first_gpu_layer() const { return first_layer_; }
    size_t device_bytes() const { return device_bytes_; }
    // Rows of the largest pass whose layers are replayed from a graph (a server's slots).
    static constexpr int64_t kGraphRows = 64;
    // Graphs recorded so far (one per row count of the passes seen up to kGraphRows).
    size_t graphs_recorded() const { return graphs_.size(); }
    // Why graphs were turned off after a recording failed ("" while they are on or never tried).
    const std::string& graphs_off_reason() const { return graphs_off_reason_; }

  private:
    struct Layer {
        const float *attn_norm = nullptr, *q_norm = nullptr, *k_norm = nullptr;
        const float *bq = nullptr, *bk = nullptr, *bv = nullptr;
        const float *attn_post_norm = nullptr, *ffn_norm = nullptr, *ffn_post_norm = nullptr;
        WeightRef wq, wk, wv, wo, w_gate, w_up, w_down;  // data: device addresses
        DeviceBuffer k_cache, v_cache;                   // slots x n_ctx rows (f16)
        // A Gated DeltaNet layer's (model/deltanet.h): projections, vectors, per-slot states.
        bool recurrent = false;
        WeightRef dn_qkv, dn_gate, dn_alpha, dn_beta, dn_out;
        const float *dn_conv = nullptr, *dn_a = nullptr, *dn_dt_bias = nullptr, *dn_norm = nullptr;
        DeviceBuffer conv_states, ssm_states;
    };
    // A row of a pass: its sequence's slot and position, and where its logits go (or null).
    struct Row {
        int32_t token, slot, pos;
        float* logits;
    };

    // The device copy of a weight (uploaded on first use; tied weights share one).
    const void* device_weight(const WeightRef& w);
    WeightRef on_device(const WeightRef& w);
    const float* device_vector(const WeightRef& w);
    int32_t find_slot(const KvCache* cache) const;  // -1: none yet
    int32_t slot_of(const KvCache* cache);          // finds or assigns one
    int64_t next_position(const KvCache* cache) const;
    void continue_or_restart(int32_t slot, int64_t pos, int64_t n);
    void run_chunk(std::span<const Row> rows, const float* hidden);
    void matmul(const WeightRef& w, const float* x, int64_t n, float* y) const;
    void queue_layers(int64_t m);
    void replay_layers(int64_t m);
    launch::GraphPtr record_layers(int64_t m);
    void layer_step(int64_t l, int64_t m);
    void attention_step(int64_t l, int64_t m);
    void deltanet_step(int64_t l, int64_t m);
    void logits_of(std::span<const Row> rows);

    const Model& model_;
    int64_t n_ctx_, slots_;
    int64_t first_layer_ = 0;  // layers before it run on the CPU
    bool use_graphs_ = true;
    MatmulKernel matmul_kernel_ = MatmulKernel::Simt;
    std::map<int64_t, launch::GraphPtr> graphs_;  // the layers' launches by row count
    std::set<int64_t> seen_rows_;                 // row counts launched once already
    std::string graphs_off_reason_;
    // The CPU's part of a partial offload: its threads, workspace, the rows' hidden states after
    // its layers, and the cache of sequences that come without one (forward()).
    std::unique_ptr<ThreadPool> cpu_pool_;
    std::unique_ptr<Workspace> cpu_ws_;
    std::unique_ptr<KvCache> own_cache_;
    std::vector<float> hidden_;
    std::unordered_map<const void*, DeviceBuffer> weights_;
    std::vector<const KvCache*> slot_owner_;  // the KvCache each slot holds
    std::vector<int64_t> slot_next_;          // recurrent models: each slot's next position
    std::vector<Layer> layers_;
    WeightRef output_;
    const float* output_norm_ = nullptr;
    const float* rope_freqs_ = nullptr;
    // Activations of one chunk of up to chunk_ rows; rows_ holds their positions then slots.
    int64_t chunk_ = 1;
    int64_t attention_part_ = kAttentionPart;
    DeviceBuffer x_, xn_, y_, q_, k_, v_, attn_, gate_, up_, scores_, attn_partial_, logits_, rows_;
    DeviceBuffer qg_, attn_gate_;                              // gated attention
    DeviceBuffer dn_x_, dn_z_, dn_decay_, dn_beta_, dn_core_;  // DeltaNet
    std::vector<float> embeddings_;
    std::vector<int32_t> rows_host_;
    size_t device_bytes_ = 0;
};

// A Session's forward calls on the GPU: one sequence (the Session's own KvCache is not used).
class CudaRunner : public ForwardRunner {
  public:
    CudaRunner(const Model& model, int64_t n_ctx, CudaOptions options = {})
        : gpu_(model, n_ctx, options) {}
    void forward(const SequenceBatch& seq) override {
        gpu_.forward(seq.tokens, seq.pos, seq.logits, seq.all_logits);
    }
    CudaModel& model() { return gpu_; }

  private:
    CudaModel gpu_;
};

}  // namespace flash::cuda
