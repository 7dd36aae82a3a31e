// Batcher: continuous batching for sessions that share one model. Each session's forward call
// (a decode step or a prompt chunk) is queued; one worker thread joins whatever is queued into
// a single Model::forward_batch, so the weights are read once per step for every sequence, and
// hands each session its logits. Sessions come and go between steps. Depends on runtime/.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

#include "runtime/session.h"

namespace flash {

struct BatcherStats {
    uint64_t steps = 0;      // forward passes run
    uint64_t sequences = 0;  // sequence shares over all passes (sequences / steps: mean batch)
    uint64_t tokens = 0;
};

// One pass over the queued sequences, where it does not run on the CPU (the GPU's, say).
using BatchPass = std::function<void(std::span<const SequenceBatch>)>;

class Batcher : public ForwardRunner {
  public:
    // max_step_tokens: the most tokens one pass takes (a prompt chunk longer than this still
    // runs, alone). pass: runs each pass instead of Model::forward_batch on the batcher's pool.
    Batcher(const Model& model, int n_threads, int64_t max_step_tokens = 512,
            kernels::Precision precision = kernels::Precision::Exact, BatchPass pass = {});
    ~Batcher() override;
    Batcher(const Batcher&) = delete;
    Batcher& operator=(const Batcher&) = delete;

    // Blocks until the sequence's tokens have been through a pass; rethrows its error.
    void forward(const SequenceBatch& seq) override;

    // A session generating holds an Active: before each pass the worker waits (briefly) until
    // every active session has queued its next step, so steps are not split needlessly.
    class Active {
      public:
        explicit Active(Batcher& b) : b_(b) { b_.enter(); }
        ~Active() { b_.leave(); }
        Active(const Active&) = delete;
        Active& operator=(const Active&) = delete;

      private:
        Batcher& b_;
    };

    BatcherStats stats() const;
    int threads() { return pool_.size(); }

  private:
    struct Request {
        SequenceBatch seq;
        bool done = false;
        std::exception_ptr error;
    };

    void enter();
    void leave();
    void run();
    void pass(std::deque<Request*>& batch);
    void run_pass(std::span<const SequenceBatch> seqs);

    const Model& model_;
    kernels::Precision precision_;
    int64_t max_step_tokens_;
    BatchPass pass_;
    ThreadPool pool_;
    Workspace ws_;

    mutable std::mutex mutex_;
    std::condition_variable queued_, finished_;
    std::deque<Request*> pending_;
    int active_ = 0;
    bool stopping_ = false;
    BatcherStats stats_;
    std::thread worker_;
};

}  // namespace flash
