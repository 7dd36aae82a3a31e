// Crash safety: an add that dies inside its transaction (an exception, _exit, SIGKILL) leaves
// the index holding exactly the previous content.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "retrieval/index.h"
#include "retrieval/scratch_dir.h"

namespace flash::retrieval {
namespace {

std::string big_text(const std::string& word, int sentences) {
    std::string s;
    for (int i = 0; i < sentences; ++i) {
        s += "Sentence " + std::to_string(i) + " mentions " + word + " once.";
        s += i % 7 == 6 ? "\n\n" : " ";
    }
    return s;
}

void bump_mtime(const std::string& path) {
    const timeval times[2] = {{5000000, 0}, {5000000, 0}};
    ASSERT_EQ(utimes(path.c_str(), times), 0);
}

// The index at `dir` holds one document, with the old word and none of the new one.
void expect_old_state(const std::string& dir, size_t old_passages) {
    Index index = Index::open(dir);
    const auto docs = index.documents();
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(docs[0].passages, old_passages);
    EXPECT_FALSE(index.search("walrus", 5).empty());
    EXPECT_TRUE(index.search("narwhal", 5).empty());
}

class IndexCrash : public ::testing::Test {
  protected:
    void SetUp() override {
        doc_ = dir_.write("doc.txt", big_text("walrus", 50));
        Index index = Index::open(index_dir());
        old_passages_ = index.add(doc_).passages;
        // The new version is big, so its transaction takes a while to write.
        dir_.write("doc.txt", big_text("narwhal", 40000));
        bump_mtime(doc_);
    }
    std::string index_dir() const { return dir_ / "idx"; }

    testing::ScratchDir dir_;
    std::string doc_;
    size_t old_passages_ = 0;
};

TEST_F(IndexCrash, AnExceptionInsideTheTransactionRollsBack) {
    IndexOptions o;
    o.before_commit = [] { throw std::runtime_error("simulated failure"); };
    {
        Index index = Index::open(index_dir(), o);
        EXPECT_THROW(index.add(doc_), std::runtime_error);
        // The same connection still works and still sees the old state.
        EXPECT_TRUE(index.search("narwhal", 5).empty());
        EXPECT_FALSE(index.search("walrus", 5).empty());
    }
    expect_old_state(index_dir(), old_passages_);
    // And the change goes through once nothing fails.
    Index index = Index::open(index_dir());
    EXPECT_EQ(index.add(doc_).status, AddStatus::updated);
    EXPECT_FALSE(index.search("narwhal", 5).empty());
}

TEST_F(IndexCrash, AProcessThatExitsBeforeCommitLeavesTheOldState) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        IndexOptions o;
        o.before_commit = [] { _exit(0); };  // no destructors, no rollback: like a crash
        try {
            Index index = Index::open(index_dir(), o);
            index.add(doc_);
        } catch (...) {
        }
        _exit(3);  // not reached when the hook ran
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0) << "the child never reached the commit";
    expect_old_state(index_dir(), old_passages_);
}

TEST_F(IndexCrash, SigkillInsideTheTransactionLeavesTheOldState) {
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        close(ready[0]);
        IndexOptions o;
        o.before_commit = [fd = ready[1]] {
            // Everything is written but not committed: tell the parent, then wait to be killed.
            (void)!write(fd, "k", 1);
            for (;;) pause();
        };
        try {
            Index index = Index::open(index_dir(), o);
            index.add(doc_);
        } catch (...) {
        }
        _exit(3);
    }
    close(ready[1]);
    char c = 0;
    const ssize_t n = read(ready[0], &c, 1);
    close(ready[0]);
    kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_EQ(n, 1) << "the child never reached the commit";
    ASSERT_TRUE(WIFSIGNALED(status));
    expect_old_state(index_dir(), old_passages_);
}

TEST_F(IndexCrash, SigkillAtAnyMomentLeavesOneConsistentVersion) {
    // Kill a plain add after a short while, at whatever point it has reached: the index must
    // then hold the old version or the new one, entirely.
    for (int delay_ms : {5, 40, 150}) {
        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            try {
                Index index = Index::open(index_dir());
                index.add(doc_);
            } catch (...) {
            }
            _exit(0);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        Index index = Index::open(index_dir());
        const auto docs = index.documents();
        ASSERT_EQ(docs.size(), 1u);
        const bool old_version = !index.search("walrus", 1).empty();
        const bool new_version = !index.search("narwhal", 1).empty();
        EXPECT_NE(old_version, new_version) << "after " << delay_ms << " ms";
        if (old_version) {
            EXPECT_EQ(docs[0].passages, old_passages_);
        }
        if (new_version) break;  // committed before the kill; later rounds would be no-ops
    }
}

}  // namespace
}  // namespace flash::retrieval
