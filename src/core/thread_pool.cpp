#include "core/thread_pool.h"

#include <algorithm>
#include <string>
#include <system_error>

#include "core/error.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define FLASH_CPU_RELAX() _mm_pause()
#else
#define FLASH_CPU_RELAX() ((void)0)
#endif

namespace flash {
namespace {

constexpr int kSpinIterations = 20000;  // ~tens of microseconds before sleeping
constexpr int kChunksPerThread = 4;     // parallel_for's split: balance against overhead
constexpr uint64_t kChunkMask = 0xffffffffu;

}  // namespace

ThreadPool::ThreadPool(int n_threads) : n_threads_(std::max(1, n_threads)) {
    workers_.reserve(n_threads_ - 1);
    try {
        for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this] { worker_loop(); });
    } catch (const std::system_error& e) {
        // The OS refused a thread part way (limits, memory): stop the ones already running,
        // or their std::thread destructors would terminate the program.
        const size_t started = workers_.size();
        stop_workers();
        throw Error("cannot start " + std::to_string(n_threads_) +
                    " threads (the system refused after " + std::to_string(started + 1) +
                    "): " + e.what() + "; use fewer threads (-t)");
    }
}

ThreadPool::~ThreadPool() {
    stop_workers();
}

void ThreadPool::stop_workers() {
    stop_.store(true, std::memory_order_release);
    state_.store((last_id_ + 1) << 32, std::memory_order_release);
    state_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
}

int ThreadPool::default_threads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

void ThreadPool::work(uint64_t id) {
    for (;;) {
        uint64_t s = state_.load(std::memory_order_acquire);
        if ((s >> 32) != id) return;
        const int64_t chunk = static_cast<int64_t>(s & kChunkMask);
        if (chunk == static_cast<int64_t>(kChunkMask)) {  // being set up: opens in a moment
            FLASH_CPU_RELAX();
            continue;
        }
        if (chunk >= total_.load(std::memory_order_acquire)) return;
        // Fails if another thread claimed this chunk, or a newer job started meanwhile.
        if (!state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) continue;
        (*job_)(chunk);  // valid: the job cannot end before this chunk is done
        done_.fetch_add(1, std::memory_order_acq_rel);
    }
}

void ThreadPool::worker_loop() {
    uint64_t seen = 0;  // the last job id this worker took part in
    for (;;) {
        uint64_t s = state_.load(std::memory_order_acquire);
        for (int spin = 0; (s >> 32) == seen && spin < kSpinIterations; ++spin) {
            FLASH_CPU_RELAX();
            s = state_.load(std::memory_order_acquire);
        }
        while ((s >> 32) == seen) {
            state_.wait(s, std::memory_order_acquire);
            s = state_.load(std::memory_order_acquire);
        }
        if (stop_.load(std::memory_order_acquire)) return;
        seen = s >> 32;
        work(seen);
    }
}

void ThreadPool::run_chunks(int64_t n_chunks, const std::function<void(int64_t)>& fn) {
    if (n_chunks <= 0) return;
    if (n_threads_ == 1 || n_chunks == 1) {
        for (int64_t k = 0; k < n_chunks; ++k) fn(k);
        return;
    }
    // The new id goes out first, closed (chunk field all ones), so a worker still in the last
    // job cannot claim with its stale state once job_, total_ and done_ change: before, such a
    // claim ran a chunk of the new job twice and pushed done_ past n_chunks, and the wait
    // below never ended.
    const uint64_t id = ++last_id_;
    state_.store((id << 32) | kChunkMask, std::memory_order_release);
    job_ = &fn;
    total_.store(n_chunks, std::memory_order_release);
    done_.store(0, std::memory_order_release);
    state_.store(id << 32, std::memory_order_release);  // opens the job
    state_.notify_all();
    work(id);
    // Only chunks a worker is in the middle of are left. Spin briefly, then yield: with more
    // runnable threads than cores a spinning waiter would hold the core that worker needs.
    for (int spin = 0; done_.load(std::memory_order_acquire) < n_chunks; ++spin) {
        if (spin < kSpinIterations) {
            FLASH_CPU_RELAX();
        } else {
            std::this_thread::yield();
        }
    }
}

void ThreadPool::run(const std::function<void(int, int)>& fn) {
    const int n = n_threads_;
    run_chunks(n, [&](int64_t k) { fn(static_cast<int>(k), n); });
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
    if (n <= 0) return;
    const int64_t chunks =
        std::min<int64_t>(n, static_cast<int64_t>(n_threads_) * kChunksPerThread);
    const int64_t size = (n + chunks - 1) / chunks;
    run_chunks((n + size - 1) / size, [&](int64_t k) {
        const int64_t begin = k * size;
        fn(begin, std::min(n, begin + size));
    });
}

}  // namespace flash
