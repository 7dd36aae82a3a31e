#include "core/thread_pool.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define FLASH_CPU_RELAX() _mm_pause()
#else
#define FLASH_CPU_RELAX() ((void)0)
#endif

namespace flash {
namespace {
constexpr int kSpinIterations = 20000;  // ~tens of microseconds before sleeping
}

ThreadPool::ThreadPool(int n_threads) : n_threads_(std::max(1, n_threads)) {
    workers_.reserve(n_threads_ - 1);
    for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
    stop_.store(true, std::memory_order_release);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    generation_.notify_all();
    for (std::thread& t : workers_) t.join();
}

int ThreadPool::default_threads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

void ThreadPool::worker_loop(int index) {
    uint64_t seen = 0;
    for (;;) {
        uint64_t gen = generation_.load(std::memory_order_acquire);
        for (int spin = 0; gen == seen && spin < kSpinIterations; ++spin) {
            FLASH_CPU_RELAX();
            gen = generation_.load(std::memory_order_acquire);
        }
        while (gen == seen) {
            generation_.wait(seen, std::memory_order_acquire);
            gen = generation_.load(std::memory_order_acquire);
        }
        seen = gen;
        if (stop_.load(std::memory_order_acquire)) return;
        (*job_)(index, n_threads_);
        pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
}

void ThreadPool::run(const std::function<void(int, int)>& fn) {
    if (n_threads_ == 1) {
        fn(0, 1);
        return;
    }
    job_ = &fn;
    pending_.store(n_threads_ - 1, std::memory_order_release);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    generation_.notify_all();
    fn(0, n_threads_);
    // Spin briefly, then yield: with more runnable threads than cores (two engines on one
    // machine) a spinning waiter would hold the core its worker needs.
    for (int spin = 0; pending_.load(std::memory_order_acquire) != 0; ++spin) {
        if (spin < kSpinIterations) {
            FLASH_CPU_RELAX();
        } else {
            std::this_thread::yield();
        }
    }
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
    if (n <= 0) return;
    const int used = static_cast<int>(std::min<int64_t>(n, n_threads_));
    if (used == 1) {
        fn(0, n);
        return;
    }
    run([&](int ith, int nth) {
        const int64_t chunk = (n + nth - 1) / nth;
        const int64_t begin = std::min<int64_t>(n, ith * chunk);
        const int64_t end = std::min<int64_t>(n, begin + chunk);
        if (begin < end) fn(begin, end);
    });
}

}  // namespace flash
