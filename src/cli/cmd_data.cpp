// `flash data build`: the open training dataset (src/data/).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "chat/chat_template.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/option_checks.h"
#include "core/error.h"
#include "core/gguf.h"
#include "core/json_input.h"
#include "core/text_file.h"
#include "data/build.h"
#include "data/training_render.h"
#include "store/store.h"
#include "tools/tool_caller.h"

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

struct DataRenderOptions {
    std::string model, chat_template, data, out;
    bool force = false;
};

// The chat template a trainer renders with: a GGUF's, or a checkpoint directory's
// tokenizer_config.json (what flash convert writes), or --chat-template.
ChatTemplate training_template(const DataRenderOptions& o) {
    const std::filesystem::path dir(o.model);
    if (std::filesystem::is_directory(dir)) {
        const auto config_path = dir / "tokenizer_config.json";
        const std::string text = read_text_file(config_path.string(), "checkpoint file");
        const auto config = parse_json<nlohmann::ordered_json>(text, config_path.string());
        if (!o.chat_template.empty())  // with a checkpoint: a .jinja file
            return ChatTemplate::from_source(read_text_file(o.chat_template, "--chat-template"),
                                             o.chat_template);
        if (!config.contains("chat_template") || !config["chat_template"].is_string())
            throw Error(config_path.string() +
                        ": no chat_template; choose one with --chat-template");
        auto token = [&](const char* key) {
            const auto it = config.find(key);
            return it != config.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        return ChatTemplate::from_source(config["chat_template"].get<std::string>(),
                                         dir.filename().string(), token("bos_token"),
                                         token("eos_token"));
    }
    const GgufFile g(resolve_model(o.model));
    return ChatTemplate::from_gguf(g, o.chat_template);
}

void render(const DataRenderOptions& o) {
    const ChatTemplate tmpl = training_template(o);
    const auto format = tools::format_for_template(tmpl);
    std::filesystem::create_directories(o.out);
    nlohmann::ordered_json summary{{"template", tmpl.name()}, {"call_format", format->name()}};
    for (const char* split : {"train", "valid", "test"}) {
        const auto in_path = std::filesystem::path(o.data) / (std::string(split) + ".jsonl");
        if (!std::filesystem::exists(in_path)) continue;
        const auto out_path = std::filesystem::path(o.out) / (std::string(split) + ".jsonl");
        if (std::filesystem::exists(out_path) && !o.force)
            throw Error(out_path.string() + " exists; pass --force to replace it");
        std::ifstream in(in_path);
        std::string out;
        std::map<std::string, int64_t> skipped;
        int64_t rendered = 0, sequences = 0, line_number = 0;
        for (std::string line; std::getline(in, line);) {
            ++line_number;
            if (line.empty()) continue;
            const auto row = parse_json<nlohmann::ordered_json>(
                line, in_path.string() + ":" + std::to_string(line_number));
            std::string why;
            const auto r = data::render_for_training(row, tmpl, *format, &why);
            if (!r) {
                ++skipped[why.substr(0, why.find(':'))];
                continue;
            }
            ++rendered;
            for (const data::RenderedSequence& seq : r->sequences) {
                ++sequences;
                out +=
                    nlohmann::ordered_json{{"id", r->id}, {"text", seq.text}, {"spans", seq.spans}}
                        .dump() +
                    "\n";
            }
        }
        write_text_file(out_path.string(), out);
        summary["splits"][split] = {
            {"rows", rendered}, {"sequences", sequences}, {"skipped", skipped}};
        std::fprintf(stderr, "%s: %lld rows rendered as %lld sequences", split,
                     static_cast<long long>(rendered), static_cast<long long>(sequences));
        for (const auto& [why, n] : skipped)
            std::fprintf(stderr, "; %lld skipped: %s", static_cast<long long>(n), why.c_str());
        std::fprintf(stderr, "\n");
    }
    write_text_file((std::filesystem::path(o.out) / "render.json").string(),
                    summary.dump(2) + "\n");
    std::printf("%s\n", o.out.c_str());
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

    auto r = std::make_shared<DataRenderOptions>();
    CLI::App* render_cmd = data->add_subcommand(
        "render",
        "Render a built dataset for training with a model's chat template, as flash renders it "
        "at inference, marking the replies to train on");
    render_cmd
        ->add_option("-m,--model", r->model,
                     "GGUF file, catalog name, or checkpoint directory (its "
                     "tokenizer_config.json)")
        ->required();
    render_cmd->add_option("--chat-template", r->chat_template,
                           "Built-in template name or .jinja file instead of the model's");
    render_cmd
        ->add_option("--data", r->data, "Directory of train/valid/test.jsonl (flash data build)")
        ->required();
    render_cmd->add_option("--out", r->out, "Output directory")->required();
    render_cmd->add_flag("--force", r->force, "Replace existing output files");
    render_cmd->footer(
        "Each output line: {\"id\", \"text\", \"spans\": [[start, end], ...]} — the "
        "conversation as the model reads it and the byte ranges of the replies it is trained to "
        "write, found by rendering the conversation up to each reply with the generation prompt "
        "(no template markers needed). Tool conversations are shaped as flash's tool caller "
        "shapes them. render.json counts what was rendered and skipped, by reason.\n"
        "Example:\n  flash data render -m smollm2-135m-instruct --data train-data --out "
        "train-rendered");
    render_cmd->callback([r] { render(*r); });
}

}  // namespace flash::cli
