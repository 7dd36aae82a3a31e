// The thread pool runs every index exactly once, on every thread, across many small jobs.
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "core/thread_pool.h"

namespace flash {
namespace {

TEST(ThreadPool, RunCallsEveryThreadOnce) {
    for (int n : {1, 2, 4}) {
        ThreadPool pool(n);
        std::vector<std::atomic<int>> calls(n);
        pool.run([&](int ith, int nth) {
            EXPECT_EQ(nth, n);
            calls[ith].fetch_add(1);
        });
        for (int i = 0; i < n; ++i) EXPECT_EQ(calls[i].load(), 1);
    }
}

TEST(ThreadPool, ParallelForCoversTheRangeExactlyOnceOverManyJobs) {
    ThreadPool pool(3);
    for (int64_t n : {0, 1, 2, 5, 1000}) {
        for (int rep = 0; rep < 200; ++rep) {
            std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
            pool.parallel_for(n, [&](int64_t b, int64_t e) {
                for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
            });
            for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << n << " " << i;
        }
    }
}

}  // namespace
}  // namespace flash
