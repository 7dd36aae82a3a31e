// `flash data build`: the open training dataset (src/data/).
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/option_checks.h"
#include "data/build.h"

namespace flash::cli {
namespace {

struct DataBuildOptions {
    data::BuildOptions build;
    std::string sources, eval;
};

// data/train/sources, found where the suites are found (FLASH_DATA, ./data, the source tree).
std::string sources_dir(const std::string& given) {
    if (!given.empty()) return given;
    const std::filesystem::path suites = std::filesystem::path(data_dir("", "tools")).parent_path();
    return (suites.parent_path() / "train" / "sources").string();
}

void build(DataBuildOptions& o) {
    o.build.sources_dir = sources_dir(o.sources);
    o.build.eval_dir = o.eval.empty()
                           ? std::filesystem::path(data_dir("", "tools")).parent_path().string()
                           : o.eval;
    const data::BuildReport r = data::build_dataset(
        o.build, [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); });
    std::fprintf(stderr, "done in %.1f s\n", r.seconds);
    std::printf("%s\n", o.build.out_dir.c_str());
}

}  // namespace

void add_data_command(CLI::App& app) {
    CLI::App* data = app.add_subcommand("data", "The training dataset");
    data->require_subcommand(1);
    auto o = std::make_shared<DataBuildOptions>();
    CLI::App* cmd = data->add_subcommand(
        "build",
        "Build the training dataset: verified examples of grounded answers, tool calls and "
        "instruction following, with a dataset card and a manifest");
    cmd->add_option("--out", o->build.out_dir, "Output directory")->required();
    cmd->add_option("--seed", o->build.seed, "Seed: the same seed gives the same files")
        ->capture_default_str();
    cmd->add_option("--size", o->build.size,
                    "small (a few hundred examples), default (20,000+) or large")
        ->check(CLI::IsMember({"small", "default", "large"}))
        ->capture_default_str();
    cmd->add_option("--sources", o->sources,
                    "Directory with documents.jsonl and tools_catalog.jsonl (default: "
                    "data/train/sources)");
    cmd->add_option("--eval", o->eval,
                    "Evaluation suites to decontaminate against (default: data/eval)");
    cmd->footer(
        "Example:\n  flash data build --out train-data --size default --seed 1\n"
        "Files: train.jsonl, valid.jsonl, test.jsonl (OpenAI chat rows), sample.jsonl (100 per "
        "family), README.md (dataset "
        "card), manifest.json (sha256 of every file).");
    cmd->callback([o] { build(*o); });
}

}  // namespace flash::cli
