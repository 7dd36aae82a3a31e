// Model: a loaded GGUF model (config + weight views over the mapping) and its forward pass.
// Immutable after loading, so several sessions may share one; per-sequence state lives in
// KvCache and Workspace. Depends on core/, kernels/ and model/.
#pragma once

#include <deque>
#include <functional>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/gguf.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "model/config.h"
#include "model/kv_cache.h"
#include "model/weights.h"

namespace flash {

// One sequence's share of a batched forward pass: its new tokens at positions [pos, pos + n),
// the cache they extend, and where its logits go (n x n_vocab with all_logits, else n_vocab
// for the last token).
struct SequenceBatch {
    std::span<const int32_t> tokens;
    int64_t pos = 0;
    KvCache* cache = nullptr;
    float* logits = nullptr;
    bool all_logits = false;
};

class Model {
  public:
    // Maps the file, reads the config and binds every weight; throws flash::Error.
    static std::unique_ptr<Model> load(const std::string& path);

    const ModelConfig& config() const { return config_; }
    const ModelWeights& weights() const { return weights_; }
    const GgufFile& gguf() const { return gguf_; }

    // Evaluates `tokens` at positions [pos, pos + n), appending their keys and values to the
    // cache. Writes logits for every token (all_logits, n x n_vocab) or for the last one only.
    // `precision` chooses how activations meet quantized weights (kernels::Precision).
    void forward(std::span<const int32_t> tokens, int64_t pos, KvCache& cache, Workspace& ws,
                 ThreadPool& pool, float* logits, bool all_logits,
                 kernels::Precision precision = kernels::Precision::Exact) const;

    // Several sequences in one pass (continuous batching): every weight matrix is read once for
    // all their tokens; attention and recurrent state stay per sequence. Each sequence is
    // checked (positions, batch size, token ids) before anything runs.
    void forward_batch(std::span<const SequenceBatch> seqs, Workspace& ws, ThreadPool& pool,
                       kernels::Precision precision = kernels::Precision::Exact) const;

    // The first `layers` layers of forward_batch (embedding included) for seqs, writing their
    // keys, values and recurrent states to each sequence's cache as forward_batch does, and the
    // hidden state of every row after them into `hidden` (rows of n_embd floats, the sequences'
    // tokens in order); no logits. Partial GPU offload runs the rest on the device.
    void forward_hidden(std::span<const SequenceBatch> seqs, int64_t layers, Workspace& ws,
                        ThreadPool& pool, kernels::Precision precision, float* hidden) const;

    // x (n_embd floats) = the token's embedding row, times embed_scale (Gemma). The token must
    // be in range (forward_batch checks its sequences first).
    void embed(int32_t token, float* x) const;

    // Packs the attention, feed-forward and output matrices once for Precision::Fast prompts and
    // batches (kernels::repack_int8), so the GEMM stops packing them on every call; costs about
    // 1.25 bytes per weight of memory. Returns the bytes added. Call before sharing the model.
    size_t repack_for_fast(ThreadPool& pool);

    // Sees the input of every attention and feed-forward weight product (importance-matrix
    // collection): the weight's data (a GgufTensor's `data`), n rows of `cols` inputs. Called
    // on the thread that runs the forward pass; empty to stop. Recurrent layers' products are
    // not reported.
    using MatmulObserver =
        std::function<void(const void* weight, const float* in, int64_t n, int64_t cols)>;
    void set_matmul_observer(MatmulObserver observer) const { observer_ = std::move(observer); }

  private:
    // Where each row of a batch comes from: its sequence and absolute position.
    struct RowPlan {
        std::vector<int64_t> first_row;  // per sequence: its first row in the batch
        std::vector<int64_t> seq_of_row, pos_of_row;
    };

    void check(const SequenceBatch& seq) const;
    // forward_batch through layer `layers` - 1; then the logits, or (hidden set) the rows' states.
    void run(std::span<const SequenceBatch> seqs, int64_t layers, Workspace& ws, ThreadPool& pool,
             kernels::Precision precision, float* hidden) const;
    explicit Model(const std::string& path);

    void attention(int64_t layer, std::span<const SequenceBatch> seqs, const RowPlan& plan,
                   Workspace& ws, ThreadPool& pool, kernels::Precision precision) const;

    GgufFile gguf_;
    ModelConfig config_;
    ModelWeights weights_;
    std::deque<kernels::Int8Panels> panels_;  // repack_for_fast's, pointed to by weights_
    mutable MatmulObserver observer_;
};

}  // namespace flash
