#include "runtime/batcher.h"

#include <chrono>
#include <utility>
#include <vector>

namespace flash {
namespace {

// How long a pass waits for active sessions that have not queued their step yet. Sampling and
// grammar masks between steps take well under this; a session busy with something longer
// (compiling a schema) must not hold the others up.
constexpr auto kGatherWait = std::chrono::microseconds(1500);

}  // namespace

Batcher::Batcher(const Model& model, int n_threads, int64_t max_step_tokens,
                 kernels::Precision precision, BatchPass pass)
    : model_(model),
      precision_(precision),
      max_step_tokens_(max_step_tokens > 0 ? max_step_tokens : 512),
      pass_(std::move(pass)),
      pool_(ThreadPool::threads_or_default(n_threads)),
      worker_([this] { run(); }) {}

Batcher::~Batcher() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    queued_.notify_all();
    worker_.join();
}

void Batcher::forward(const SequenceBatch& seq) {
    Request r{seq};
    std::unique_lock lock(mutex_);
    pending_.push_back(&r);
    queued_.notify_all();
    finished_.wait(lock, [&] { return r.done; });
    if (r.error) std::rethrow_exception(r.error);
}

void Batcher::enter() {
    std::lock_guard lock(mutex_);
    ++active_;
}

void Batcher::leave() {
    {
        std::lock_guard lock(mutex_);
        --active_;
    }
    queued_.notify_all();  // a pass may be waiting for this session
}

BatcherStats Batcher::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void Batcher::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        queued_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
        if (stopping_ && pending_.empty()) return;
        queued_.wait_for(lock, kGatherWait,
                         [&] { return stopping_ || static_cast<int>(pending_.size()) >= active_; });
        // Take requests in arrival order up to the token budget (the first always).
        std::deque<Request*> batch;
        int64_t tokens = 0;
        while (!pending_.empty()) {
            const int64_t n = static_cast<int64_t>(pending_.front()->seq.tokens.size());
            if (!batch.empty() && tokens + n > max_step_tokens_) break;
            tokens += n;
            batch.push_back(pending_.front());
            pending_.pop_front();
        }
        stats_.steps += 1;
        stats_.sequences += batch.size();
        stats_.tokens += static_cast<uint64_t>(tokens);
        lock.unlock();
        pass(batch);
        lock.lock();
        for (Request* r : batch) r->done = true;
        finished_.notify_all();
    }
}

void Batcher::run_pass(std::span<const SequenceBatch> seqs) {
    if (pass_) {
        pass_(seqs);
    } else {
        model_.forward_batch(seqs, ws_, pool_, precision_);
    }
}

void Batcher::pass(std::deque<Request*>& batch) {
    std::vector<SequenceBatch> seqs;
    for (const Request* r : batch) seqs.push_back(r->seq);
    try {
        run_pass(seqs);
        return;
    } catch (...) {
        if (batch.size() == 1) {
            batch.front()->error = std::current_exception();
            return;
        }
    }
    // One sequence's error must not fail the others: run them one by one to find whose it is.
    // (Each is checked before anything runs, so this is rare: an allocation failure, say.)
    for (Request* r : batch) {
        try {
            run_pass(std::span<const SequenceBatch>(&r->seq, 1));
        } catch (...) {
            r->error = std::current_exception();
        }
    }
}

}  // namespace flash
