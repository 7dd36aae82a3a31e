// A persistent pool of worker threads for data-parallel loops. A job is a number of chunks;
// whichever threads are running claim them one at a time (the caller too), so a worker the OS
// has descheduled — a busy machine, more runnable threads than cores — delays only a chunk it
// already holds, never the whole job: the caller takes the rest. Workers spin briefly between
// jobs (decode issues hundreds of small jobs per token) and then sleep on an atomic wait.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace flash {

class ThreadPool {
  public:
    // Throws flash::Error when the OS cannot start that many threads.
    explicit ThreadPool(int n_threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return n_threads_; }

    // Calls fn(k, n_threads) once for each k in [0, n_threads) and returns when all are done.
    // Calls may run on any thread and concurrently, but no two at once share a k, so k may
    // index per-chunk scratch. Not reentrant: fn must not call run() on the same pool.
    void run(const std::function<void(int, int)>& fn);

    // Splits [0, n) into contiguous chunks (a few per thread, for balance): fn(begin, end).
    void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn);

    static int default_threads();  // hardware threads, at least 1
    // A thread-count option's value: n when positive, else (0: "all") default_threads().
    static int threads_or_default(int n) { return n > 0 ? n : default_threads(); }

  private:
    // Runs fn(k) for k in [0, n_chunks), claimed by the caller and the workers.
    void run_chunks(int64_t n_chunks, const std::function<void(int64_t)>& fn);
    // Claims and runs chunks of job `id` until none is left or another job is current.
    void work(uint64_t id);
    void worker_loop();
    void stop_workers();  // wakes every worker to exit and joins it

    int n_threads_;
    std::vector<std::thread> workers_;
    // The current job: (id << 32) | next unclaimed chunk. Written by the caller to start a
    // job, advanced by compare-exchange to claim a chunk, so a claim is valid only for the job
    // it read.
    std::atomic<uint64_t> state_{0};
    const std::function<void(int64_t)>* job_ = nullptr;
    std::atomic<int64_t> total_{0};  // chunks of the current job
    std::atomic<int64_t> done_{0};   // chunks of the current job finished
    uint64_t last_id_ = 0;           // the caller's job counter
    std::atomic<bool> stop_{false};
};

}  // namespace flash
