// `flash eval tools`: the tool-calling suite on a model — progress on stderr, the figures on
// stdout, and everything (figures and per-case outputs) as JSON with --out.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/error.h"
#include "eval/tool_eval.h"

namespace flash::cli {
namespace {

struct EvalToolsOptions {
    ModelOptions model;
    std::string data;
    std::string out;
    std::string chat_template;
    std::string tool_format;
    std::string category;
    bool unconstrained = false;
    bool verbose = false;
    std::string tool_choice = "auto";
    int limit = 0;
    int max_tokens = 512;
};

// Where the suites live: --data, $FLASH_DATA, ./data, or the source tree flash was built from.
std::string data_dir(const std::string& given, const std::string& suite) {
    if (!given.empty()) return given;
    std::vector<std::string> roots;
    if (const char* env = std::getenv("FLASH_DATA")) roots.push_back(env);
    roots.push_back("data");
    roots.push_back(std::string(FLASH_SOURCE_DIR) + "/data");
    for (const std::string& r : roots)
        if (std::filesystem::is_directory(r + "/eval/" + suite)) return r + "/eval/" + suite;
    throw Error("cannot find the " + suite + " suite (data/eval/" + suite +
                "); pass --data DIR or set FLASH_DATA");
}

void eval_tools(const EvalToolsOptions& o) {
    auto cases = eval::load_tool_suite(data_dir(o.data, "tools"));
    if (!o.category.empty()) std::erase_if(cases, [&](const auto& c) { return c.category != o.category; });
    if (o.tool_choice == "required")
        std::erase_if(cases, [](const auto& c) { return c.category == "irrelevance"; });
    if (cases.empty()) throw Error("no cases in category '" + o.category + "'");
    if (o.limit > 0) {
        // Every n-th case, so a short run still covers every category.
        std::vector<eval::ToolCase> picked;
        const double step = static_cast<double>(cases.size()) / std::min<size_t>(o.limit, cases.size());
        for (double i = 0; i < cases.size() && picked.size() < static_cast<size_t>(o.limit); i += step)
            picked.push_back(cases[static_cast<size_t>(i)]);
        cases = std::move(picked);
    }
    LoadedModel lm = load_model(o.model);
    Session session(*lm.model, lm.tokenizer.get(), session_options(o.model));
    tools::ToolCaller caller(session, ChatTemplate::from_gguf(lm.model->gguf(), o.chat_template),
                             o.tool_format.empty() ? nullptr : tools::make_tool_format(o.tool_format));
    eval::ToolEvalOptions options;
    options.constrained = !o.unconstrained;
    options.max_tokens = o.max_tokens;
    options.choice = tools::ToolChoice::parse(tools::Json(o.tool_choice));
    std::fprintf(stderr, "flash eval tools: %zu cases, %s, format %s, tool_choice %s, constraints %s\n",
                 cases.size(), lm.model->config().name.c_str(), caller.format().name().c_str(),
                 o.tool_choice.c_str(), options.constrained ? "on" : "off");
    int right = 0;
    const auto report = eval::run_tool_eval(caller, cases, options, [&](size_t done, size_t total, const auto& r) {
        right += r.right;
        if (o.verbose)
            std::fprintf(stderr, "[%zu/%zu] %-16s %s %s\n", done, total, r.id.c_str(), r.right ? "ok  " : "FAIL",
                         r.why.c_str());
        else
            std::fprintf(stderr, "\r[%zu/%zu] %d right", done, total, right);
    });
    if (!o.verbose) std::fputc('\n', stderr);
    std::printf("tool calling — %s (format %s, tool_choice %s, constraints %s)\n%s", lm.model->config().name.c_str(),
                caller.format().name().c_str(), o.tool_choice.c_str(), options.constrained ? "on" : "off",
                report.summary().c_str());
    if (!o.out.empty()) {
        auto j = report.to_json();
        j["model"] = lm.model->config().name;
        j["model_file"] = lm.model->gguf().path();
        j["format"] = caller.format().name();
        j["chat_template"] = caller.chat_template().name();
        j["constrained"] = options.constrained;
        j["tool_choice"] = o.tool_choice;
        j["sampling"] = "greedy";
        std::ofstream(o.out) << j.dump(2, ' ', false) << "\n";
        std::fprintf(stderr, "wrote %s\n", o.out.c_str());
    }
}

}  // namespace

void add_eval_command(CLI::App& app) {
    CLI::App* eval = app.add_subcommand("eval", "Measure a model on flash's evaluation suites");
    eval->require_subcommand(1);
    auto o = std::make_shared<EvalToolsOptions>();
    CLI::App* cmd = eval->add_subcommand(
        "tools", "Tool calling: well-formed rate and name, argument, irrelevance and overall accuracy");
    add_model_options(*cmd, o->model);
    cmd->add_option("--data", o->data, "Suite directory (default: data/eval/tools)");
    cmd->add_option("--out", o->out, "Write figures and per-case outputs as JSON here");
    cmd->add_option("--chat-template", o->chat_template, "chatml, gemma, llama3, or a .jinja file");
    cmd->add_option("--tool-format", o->tool_format, "Override the tool-call format");
    cmd->add_option("--category", o->category, "Only this category")
        ->check(CLI::IsMember({"simple", "multiple", "parallel", "irrelevance"}));
    cmd->add_option("--limit", o->limit, "Evaluate N cases spread over the suite (0: all)");
    cmd->add_option("-n,--n-predict", o->max_tokens, "Maximum tokens per answer")->capture_default_str();
    cmd->add_flag("--no-constrain", o->unconstrained, "Grammar off, to show what it buys");
    cmd->add_option("--tool-choice", o->tool_choice,
                    "auto (the model decides) or required (a call is forced; irrelevance cases skipped)")
        ->check(CLI::IsMember({"auto", "required"}))
        ->capture_default_str();
    cmd->add_flag("-v,--verbose", o->verbose, "One line per case with the first mismatch");
    cmd->callback([o] { eval_tools(*o); });
}

}  // namespace flash::cli
