// `flash data build`: the open training dataset (src/data/).
#include <unistd.h>

#include <chrono>
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

// Milestones on their own lines; status lines overwrite each other on a terminal and come
// every ten seconds otherwise (a log stays readable).
data::BuildProgress progress_printer() {
    const bool tty = isatty(fileno(stderr)) != 0;
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    auto pending = std::make_shared<bool>(false);
    return [tty, last, pending](const std::string& line, bool status) {
        if (tty) {
            std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), status ? "" : "\n");
            return;
        }
        const auto now = std::chrono::steady_clock::now();
        if (status && now - *last < std::chrono::seconds(10)) return;
        *last = now;
        std::fprintf(stderr, "%s\n", line.c_str());
    };
}

void build(DataBuildOptions& o) {
    o.build.sources_dir = sources_dir(o.sources);
    o.build.eval_dir = o.eval.empty()
                           ? std::filesystem::path(data_dir("", "tools")).parent_path().string()
                           : o.eval;
    const data::BuildReport r = data::build_dataset(o.build, progress_printer());
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
    cmd->add_option("--tokenizer", o->build.tokenizer,
                    "A model (GGUF) whose tokenizer counts the card's token lengths, e.g. "
                    "$(flash pull smollm2-135m-instruct)")
        ->check(CLI::ExistingFile);
    cmd->add_flag("--restart", o->build.restart,
                  "Discard the progress saved in --out (.build-state.sqlite) and build from the "
                  "start; without it an interrupted build resumes");
    data::TeacherOptions& t = o->build.teacher;
    cmd->add_option("--teacher", t.urls,
                    "OpenAI-compatible endpoint of a teacher model (flash serve, llama-server, "
                    "vLLM) that writes replies, kept only when they pass the same checks; "
                    "repeat for a fleet")
        ->group("Teacher");
    cmd->add_option("--teacher-model", t.model,
                    "Model name sent to the teacher (default: the first it lists)")
        ->group("Teacher");
    cmd->add_option("--teacher-limit", t.limit,
                    "Send only the first N eligible examples (default: all)")
        ->group("Teacher");
    cmd->add_option("--concurrency", t.concurrency, "Teacher requests in flight")
        ->check(CLI::Range(1, 256))
        ->capture_default_str()
        ->group("Teacher");
    cmd->add_option("--retries", t.retries,
                    "Tries again after a failed teacher request (no connection, 429, 5xx), "
                    "waiting 1, 2, 4... s")
        ->check(CLI::Range(0, 20))
        ->capture_default_str()
        ->group("Teacher");
    cmd->add_option("--api-key", t.api_key,
                    "Bearer token for the teacher (default: $OPENAI_API_KEY)")
        ->envname("OPENAI_API_KEY")
        ->group("Teacher");
    cmd->footer(
        "Examples:\n  flash data build --out train-data --size default --seed 1\n"
        "  flash data build --out train-data --teacher http://gpu-box:8000/v1 --concurrency 32\n"
        "An interrupted build (Ctrl-C, kill, a teacher that went down) resumes when run again "
        "with the same options.\n"
        "Files: train.jsonl, valid.jsonl, test.jsonl (OpenAI chat rows), sample.jsonl (100 per "
        "family), README.md (dataset "
        "card), manifest.json (sha256 of every file).");
    cmd->callback([o] { build(*o); });
}

}  // namespace flash::cli
