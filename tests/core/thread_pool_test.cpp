// The thread pool runs every chunk exactly once across many small jobs, and a worker that is
// not running (descheduled, or busy elsewhere) does not hold a job up: the caller takes its
// chunks.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "core/thread_pool.h"

// gcc defines __SANITIZE_ADDRESS__ under ASan; clang answers __has_feature instead.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FLASH_HAS_ASAN 1
#endif
#endif
#ifndef FLASH_HAS_ASAN
#define FLASH_HAS_ASAN 0
#endif

namespace flash {
namespace {

TEST(ThreadPool, RunCallsEveryIndexOnce) {
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
            for (int64_t i = 0; i < n; ++i)
                ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << n << " " << i;
        }
    }
}

TEST(ThreadPool, AStalledChunkDoesNotStopTheOthersBeingTaken) {
    ThreadPool pool(2);
    // Chunk 0 waits until every other chunk is done: the job can only finish if the other
    // chunks are taken by whichever thread is free, not by a fixed owner.
    std::atomic<int> others{0};
    pool.parallel_for(8, [&](int64_t b, int64_t) {
        if (b == 0) {
            while (others.load() < 7) std::this_thread::yield();
        } else {
            others.fetch_add(1);
        }
    });
    EXPECT_EQ(others.load(), 7);
}

TEST(ThreadPool, ManyPoolsOnFewCoresStillFinish) {
    // More runnable threads than cores: every job must still complete, each chunk once.
    std::vector<std::thread> users;
    std::atomic<int64_t> sum{0};
    for (int u = 0; u < 4; ++u)
        users.emplace_back([&] {
            ThreadPool pool(3);
            for (int rep = 0; rep < 300; ++rep)
                pool.parallel_for(100, [&](int64_t b, int64_t e) { sum.fetch_add(e - b); });
        });
    for (auto& t : users) t.join();
    EXPECT_EQ(sum.load(), 4 * 300 * 100);
}

}  // namespace
}  // namespace flash

namespace flash {
namespace {

// A small job followed by a larger one, many times: a worker leaving the small job with a
// stale view once saw the larger job's chunk count and ran one of its chunks twice (and the
// caller then waited forever). Every chunk must run exactly once.
TEST(ThreadPool, AlternatingJobSizesRunEachChunkOnce) {
    ThreadPool pool(2);
    std::vector<std::atomic<int>> hits(8);
    for (int rep = 0; rep < 100000; ++rep) {
        const int64_t n = rep % 2 ? 8 : 2;
        for (auto& h : hits) h.store(0, std::memory_order_relaxed);
        pool.parallel_for(n, [&](int64_t b, int64_t e) {
            for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
        });
        for (int64_t i = 0; i < n; ++i)
            ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << "rep " << rep << " chunk " << i;
    }
}

// When the OS refuses a thread part way (here: an address-space limit too small for the
// stacks), the constructor stops the threads it started and throws a flash::Error instead of
// terminating the program. Runs in a child process so the limit stays there.
TEST(ThreadPool, RefusedThreadsAreAnErrorNotAnAbort) {
#if defined(__SANITIZE_ADDRESS__) || FLASH_HAS_ASAN
    GTEST_SKIP() << "ASan reserves more address space than the limit allows";
#else
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        const rlimit limit{512u << 20, 512u << 20};  // 512 MiB: room for ~60 default stacks
        if (setrlimit(RLIMIT_AS, &limit) != 0) _exit(3);
        try {
            ThreadPool pool(4096);
            _exit(1);  // started anyway: the limit did not bite
        } catch (const Error& e) {
            _exit(std::string(e.what()).find("threads") != std::string::npos ? 0 : 2);
        }
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status)) << "the child died from a signal: " << status;
    EXPECT_EQ(WEXITSTATUS(status), 0);
#endif
}

}  // namespace
}  // namespace flash
