// pull_url against tests/store/range_server.py on 127.0.0.1 (an ephemeral port; no other
// address is ever contacted).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/temp_dir.h"
#include "core/error.h"
#include "core/sha256.h"
#include "store/http_pull.h"
#include "store/store.h"

extern char** environ;

namespace flash {
namespace {

using testing::EnvOverride;
using testing::exists;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

// Runs range_server.py serving `dir`; stops it (closing its stdin, then SIGTERM) at the end.
class RangeServer {
  public:
    explicit RangeServer(const std::string& dir, const std::string& work) {
        log_ = work + "/requests.log";
        const std::string port_file = work + "/port";
        const std::string script = std::string(FLASH_SOURCE_DIR) + "/tests/store/range_server.py";
        std::vector<std::string> argv = {"python3",       script, "--dir",       dir,
                                         "--log",         log_,   "--port-file", port_file,
                                         "--max-seconds", "120"};
        std::vector<char*> args;
        for (std::string& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) {
            ADD_FAILURE() << "pipe failed";
            return;
        }
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[0], STDIN_FILENO);
        int rc = posix_spawnp(&pid_, "python3", &fa, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        close(fds[0]);
        stdin_ = fds[1];
        if (rc != 0) {
            ADD_FAILURE() << "cannot start python3 " << script;
            pid_ = -1;
            return;
        }
        for (int i = 0; i < 200 && !exists(port_file); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        port_ = read_file(port_file);
        if (port_.empty()) ADD_FAILURE() << "range_server.py did not start";
    }
    ~RangeServer() {
        if (stdin_ >= 0) close(stdin_);
        if (pid_ > 0) {
            int status = 0;
            for (int i = 0; i < 40; ++i) {
                if (waitpid(pid_, &status, WNOHANG) == pid_) return;
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            kill(pid_, SIGTERM);
            waitpid(pid_, &status, 0);
        }
    }
    std::string url(const std::string& path) const { return "http://127.0.0.1:" + port_ + path; }
    std::vector<std::string> requests() const {
        std::vector<std::string> lines;
        std::ifstream f(log_);
        for (std::string l; std::getline(f, l);) lines.push_back(l);
        return lines;
    }

  private:
    pid_t pid_ = -1;
    int stdin_ = -1;
    std::string port_;
    std::string log_;
};

// A synthetic "model": the GGUF magic, then bytes that differ at every offset.
std::string synthetic_gguf(size_t n) {
    std::string s = "GGUF";
    s.resize(n);
    uint32_t x = 12345;
    for (size_t i = 4; i < n; ++i) {
        x = x * 1664525u + 1013904223u;
        s[i] = static_cast<char>(x >> 24);
    }
    return s;
}

std::string sha_of(const std::string& data) {
    Sha256 h;
    h.update(data.data(), data.size());
    return h.hex();
}

class HttpPull : public ::testing::Test {
  protected:
    static constexpr size_t kSize = 1 << 20;
    HttpPull()
        : no_proxy_("NO_PROXY", "127.0.0.1,localhost"),
          no_proxy_lc_("no_proxy", "127.0.0.1,localhost"),
          model_(synthetic_gguf(kSize)) {
        std::filesystem::create_directories(serve_ / "files");
        std::filesystem::create_directories(serve_ / "work");
        write_file(serve_ / "files/model.gguf", model_);
        write_file(serve_ / "files/notes.txt", "just some text, not a model\n");
        server_ = std::make_unique<RangeServer>(serve_ / "files", serve_ / "work");
    }

    std::string error_of(const std::function<void()>& f) {
        try {
            f();
        } catch (const Error& e) {
            return e.what();
        }
        ADD_FAILURE() << "expected flash::Error";
        return "";
    }

    bool saw_range_request() const {
        for (const std::string& l : server_->requests())
            if (l.find("bytes=") != std::string::npos) return true;
        return false;
    }

    EnvOverride no_proxy_;
    EnvOverride no_proxy_lc_;
    TempDir serve_;
    TempDir out_;
    std::string model_;
    std::unique_ptr<RangeServer> server_;
};

TEST_F(HttpPull, FullDownloadWithProgress) {
    uint64_t last_done = 0, last_total = 0;
    int calls = 0;
    bool monotonic = true;
    pull_url(server_->url("/model.gguf"), out_ / "m.gguf", sha_of(model_),
             [&](uint64_t done, uint64_t total) {
                 monotonic &= done >= last_done;
                 last_done = done;
                 last_total = total;
                 ++calls;
             });
    EXPECT_EQ(read_file(out_ / "m.gguf"), model_);
    EXPECT_FALSE(exists(out_ / "m.gguf.part"));
    EXPECT_GT(calls, 1);
    EXPECT_TRUE(monotonic);
    EXPECT_EQ(last_done, kSize);
    EXPECT_EQ(last_total, kSize);
    EXPECT_FALSE(saw_range_request());
}

TEST_F(HttpPull, FollowsRedirects) {
    pull_url(server_->url("/redirect/model.gguf"), out_ / "m.gguf");
    EXPECT_EQ(read_file(out_ / "m.gguf"), model_);
}

TEST_F(HttpPull, InterruptedDownloadKeepsPartThenResumesWithRange) {
    const std::string url = server_->url("/droponce/300000/model.gguf");
    const std::string msg = error_of([&] { pull_url(url, out_ / "m.gguf", {}, {}, 1); });
    EXPECT_NE(msg.find("interrupted"), std::string::npos) << msg;
    EXPECT_FALSE(exists(out_ / "m.gguf"));
    ASSERT_TRUE(exists(out_ / "m.gguf.part"));
    const std::string part = read_file(out_ / "m.gguf.part");
    EXPECT_EQ(part.size(), 300000u);
    EXPECT_EQ(part, model_.substr(0, part.size()));
    EXPECT_FALSE(saw_range_request());

    uint64_t first_done = 0;
    pull_url(url, out_ / "m.gguf", sha_of(model_), [&](uint64_t done, uint64_t) {
        if (!first_done) first_done = done;
    });
    EXPECT_EQ(read_file(out_ / "m.gguf"), model_);
    EXPECT_FALSE(exists(out_ / "m.gguf.part"));
    EXPECT_TRUE(saw_range_request());
    EXPECT_GT(first_done, 300000u);  // progress counts the bytes kept from before
    const auto reqs = server_->requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_NE(reqs[1].find("bytes=300000-"), std::string::npos) << reqs[1];
}

TEST_F(HttpPull, DroppedConnectionIsRetriedWithinOneCall) {
    pull_url(server_->url("/droponce/123457/model.gguf"), out_ / "m.gguf", sha_of(model_));
    EXPECT_EQ(read_file(out_ / "m.gguf"), model_);
    EXPECT_TRUE(saw_range_request());
}

TEST_F(HttpPull, AlwaysDroppingServerRunsOutOfAttempts) {
    const std::string msg = error_of(
        [&] { pull_url(server_->url("/drop/1000/model.gguf"), out_ / "m.gguf", {}, {}, 2); });
    EXPECT_NE(msg.find("run the pull again"), std::string::npos) << msg;
    EXPECT_FALSE(exists(out_ / "m.gguf"));
}

TEST_F(HttpPull, ServerIgnoringRangeRestartsFromScratch) {
    // A .part file whose bytes are wrong: appending the full body to it would corrupt the
    // result, so the download must start over when the server answers 200 to the Range.
    write_file(out_ / "m.gguf.part", std::string(5000, 'x'));
    pull_url(server_->url("/norange/model.gguf"), out_ / "m.gguf", sha_of(model_));
    EXPECT_EQ(read_file(out_ / "m.gguf"), model_);
    EXPECT_TRUE(saw_range_request());
}

TEST_F(HttpPull, PartLargerThanFileRestartsAfter416) {
    write_file(out_ / "m.gguf.part", std::string(kSize + 10, 'x'));
    pull_url(server_->url("/model.gguf"), out_ / "m.gguf", sha_of(model_));
    EXPECT_EQ(read_file(out_ / "m.gguf"), model_);
}

TEST_F(HttpPull, NotFoundNamesStatusAndUrl) {
    const std::string url = server_->url("/missing.gguf");
    const std::string msg = error_of([&] { pull_url(url, out_ / "m.gguf"); });
    EXPECT_NE(msg.find("404"), std::string::npos) << msg;
    EXPECT_NE(msg.find(url), std::string::npos) << msg;
    EXPECT_FALSE(exists(out_ / "m.gguf"));
    EXPECT_FALSE(exists(out_ / "m.gguf.part"));
}

TEST_F(HttpPull, ServerErrorNamesStatus) {
    const std::string msg =
        error_of([&] { pull_url(server_->url("/status/503/x.gguf"), out_ / "m.gguf"); });
    EXPECT_NE(msg.find("503"), std::string::npos) << msg;
    EXPECT_FALSE(exists(out_ / "m.gguf"));
}

TEST_F(HttpPull, WrongShaDeletesDownload) {
    const std::string wrong(64, '0');
    const std::string msg =
        error_of([&] { pull_url(server_->url("/model.gguf"), out_ / "m.gguf", wrong); });
    EXPECT_NE(msg.find(wrong), std::string::npos) << msg;
    EXPECT_NE(msg.find(sha_of(model_)), std::string::npos) << msg;
    EXPECT_FALSE(exists(out_ / "m.gguf"));
    EXPECT_FALSE(exists(out_ / "m.gguf.part"));
}

TEST_F(HttpPull, NonGgufContentIsRejected) {
    const std::string msg =
        error_of([&] { pull_url(server_->url("/notes.txt"), out_ / "m.gguf"); });
    EXPECT_NE(msg.find("not a GGUF file"), std::string::npos) << msg;
    EXPECT_FALSE(exists(out_ / "m.gguf"));
    EXPECT_FALSE(exists(out_ / "m.gguf.part"));
}

TEST_F(HttpPull, FailedDownloadLeavesOldFileAlone) {
    write_file(out_ / "m.gguf", "GGUF old");
    error_of([&] { pull_url(server_->url("/missing.gguf"), out_ / "m.gguf"); });
    EXPECT_EQ(read_file(out_ / "m.gguf"), "GGUF old");
}

TEST_F(HttpPull, PullByUrlIntoModelsDir) {
    PullOptions o;
    o.models_dir = out_ / "models";
    o.sha256 = sha_of(model_);
    std::vector<std::string> lines;
    o.on_message = [&](const std::string& l) { lines.push_back(l); };
    const std::string path = pull(server_->url("/model.gguf"), o);
    EXPECT_EQ(path, out_ / "models/model.gguf");
    EXPECT_EQ(read_file(path), model_);
    // Second time: already there with the right hash, nothing downloaded.
    const size_t before = server_->requests().size();
    lines.clear();
    EXPECT_EQ(pull(server_->url("/model.gguf"), o), path);
    EXPECT_EQ(server_->requests().size(), before);
    ASSERT_FALSE(lines.empty());
    EXPECT_NE(lines.back().find("already present"), std::string::npos) << lines.back();
    // And resolve_model finds it by file name.
    EnvOverride m("FLASH_MODELS", out_ / "models");
    EXPECT_EQ(resolve_model("model.gguf"), path);
}

TEST_F(HttpPull, HfSchemeNeedsEndpoint) {
    {
        EnvOverride e("FLASH_HF_ENDPOINT", std::nullopt);
        const std::string msg =
            error_of([&] { pull_url("hf://owner/repo/model.gguf", out_ / "m.gguf"); });
        EXPECT_NE(msg.find("FLASH_HF_ENDPOINT"), std::string::npos) << msg;
    }
    EnvOverride e("FLASH_HF_ENDPOINT", server_->url("/redirect/"));
    EXPECT_EQ(expand_url("hf://owner/repo@v1/sub/model.gguf"),
              server_->url("/redirect/owner/repo/resolve/v1/sub/model.gguf"));
    EXPECT_EQ(expand_url("hf://owner/repo/model.gguf"),
              server_->url("/redirect/owner/repo/resolve/main/model.gguf"));
    EXPECT_NE(error_of([] { expand_url("hf://owner/model.gguf"); }).find("malformed"),
              std::string::npos);
}

TEST(UrlFileName, TakesLastSegment) {
    EXPECT_EQ(url_file_name("https://example.invalid/a/b/model.Q4_0.gguf?download=true"),
              "model.Q4_0.gguf");
    EXPECT_EQ(url_file_name("http://example.invalid/a%20b.gguf#x"), "a b.gguf");
    EXPECT_THROW(url_file_name("http://example.invalid/"), Error);
    EXPECT_THROW(url_file_name("http://example.invalid/x/%2F"), Error);
}

}  // namespace
}  // namespace flash
