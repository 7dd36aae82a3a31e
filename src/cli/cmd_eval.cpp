// `flash eval tools|grounded`: a suite on a model — progress on stderr, the figures on stdout,
// and everything (figures and per-case outputs) as JSON with --out.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/progress.h"
#include "cli/eval_backend.h"
#include "cli/option_checks.h"
#include "core/error.h"
#include "eval/grounded_eval.h"
#include "eval/suites.h"
#include "eval/tool_eval.h"

namespace flash::cli {
namespace {

struct EvalToolsOptions {
    EvalBackendOptions backend;
    std::string data;
    std::string out;
    std::string category;
    bool unconstrained = false;
    bool verbose = false;
    std::string tool_choice = "auto";
    int limit = 0;
    int max_tokens = 512;
};

void write_json(const std::string& path, const eval::Json& j) {
    std::ofstream out(path);
    out << j.dump(2, ' ', false) << "\n";
    if (!out) throw Error("cannot write " + path);
    std::fprintf(stderr, "wrote %s\n", path.c_str());
}

void eval_tools(const EvalToolsOptions& o) {
    auto cases = eval::load_tool_suite(data_dir(o.data, "tools"));
    if (!o.category.empty())
        std::erase_if(cases, [&](const auto& c) { return c.category != o.category; });
    if (o.tool_choice == "required")
        std::erase_if(cases, [](const auto& c) { return c.category == "irrelevance"; });
    if (cases.empty()) throw Error("no cases in category '" + o.category + "'");
    cases = eval::spread(cases, o.limit);
    EvalTarget target = open_eval_target(o.backend);
    eval::ToolEvalOptions options;
    options.constrained = !o.unconstrained;
    options.max_tokens = o.max_tokens;
    options.choice = tools::ToolChoice::parse(tools::Json(o.tool_choice));
    std::fprintf(stderr, "flash eval tools: %zu cases, %s, tool_choice %s, constraints %s\n",
                 cases.size(), target.backend->description().c_str(), o.tool_choice.c_str(),
                 options.constrained ? "on" : "off");
    int right = 0;
    ProgressLine progress("tools suite", ProgressLine::Unit::Count, "cases", o.verbose);
    const auto report = eval::run_tool_eval(
        *target.backend, cases, options, [&](size_t done, size_t total, const auto& r) {
            right += r.right;
            if (o.verbose)
                std::fprintf(stderr, "[%zu/%zu] %-16s %s %s\n", done, total, r.id.c_str(),
                             r.right ? "ok  " : "FAIL", r.why.c_str());
            else
                progress.update(static_cast<double>(done), static_cast<double>(total),
                                std::to_string(right) + " right");
        });
    progress.clear();
    std::printf("tool calling — %s (format %s, tool_choice %s, constraints %s)\n%s",
                target.backend->description().c_str(), target.backend->tool_format().c_str(),
                o.tool_choice.c_str(), options.constrained ? "on" : "off",
                report.summary().c_str());
    if (!o.out.empty()) {
        auto j = report.to_json();
        j["model"] = target.model_name;
        j["model_file"] = target.model_file;
        j["format"] = target.backend->tool_format();
        j["chat_template"] = target.template_name;
        j["constrained"] = options.constrained;
        j["tool_choice"] = o.tool_choice;
        j["sampling"] = "greedy";
        write_json(o.out, j);
    }
}

struct EvalGroundedOptions {
    EvalBackendOptions backend;
    std::string rescore;
    bool no_recite = false;
    std::string data;
    std::string out;
    ask::AskOptions ask;
    bool unconstrained = false;
    bool verbose = false;
    int limit = 0;
};

void eval_grounded(EvalGroundedOptions& o) {
    const std::string dir = data_dir(o.data, "grounded");
    const auto cases = eval::spread(eval::load_grounded_suite(dir), o.limit);
    eval::GroundedEvalOptions options;
    options.ask = o.ask;
    options.ask.constrained = !o.unconstrained;
    options.ask.verify.recite = !o.no_recite;
    // Rescoring reads the model's outputs from an earlier run; no model is loaded.
    std::map<std::string, std::string> outputs;
    eval::Json earlier = eval::Json::object();
    if (!o.rescore.empty()) {
        outputs = eval::load_grounded_outputs(o.rescore);
        options.outputs = &outputs;
        std::ifstream in(o.rescore);
        earlier = eval::Json::parse(in);
    }
    EvalTarget target;
    std::string model_name = earlier.value("model", ""),
                template_name = earlier.value("chat_template", ""),
                model_file = earlier.value("model_file", "");
    if (o.rescore.empty()) {
        target = open_eval_target(o.backend);
        model_name = target.model_name;
        template_name = target.template_name;
        model_file = target.model_file;
    }
    std::fprintf(stderr, "flash eval grounded: %zu questions, %s, template %s, grammar %s%s\n",
                 cases.size(), model_name.c_str(), template_name.c_str(),
                 options.ask.constrained ? "on" : "off",
                 o.rescore.empty() ? "" : ", rescoring earlier outputs");
    int right = 0;
    ProgressLine progress("grounded suite", ProgressLine::Unit::Count, "cases", o.verbose);
    const auto report = eval::run_grounded_eval(
        target.backend.get(), dir, cases, options, [&](size_t done, size_t total, const auto& r) {
            const bool ok = r.answerable ? r.verified.answer_right : r.verified.abstained;
            right += ok;
            if (o.verbose)
                std::fprintf(stderr, "[%zu/%zu] %-6s %s %s\n", done, total, r.id.c_str(),
                             ok ? "ok  " : "FAIL", r.verified.answer.c_str());
            else
                progress.update(static_cast<double>(done), static_cast<double>(total),
                                std::to_string(right) + " right");
        });
    progress.clear();
    std::printf("grounded answers — %s (template %s, grammar %s)\n%s", model_name.c_str(),
                template_name.c_str(), options.ask.constrained ? "on" : "off",
                report.summary().c_str());
    if (!o.out.empty()) {
        eval::Json j = report.to_json();
        j["model"] = model_name;
        j["model_file"] = model_file;
        j["chat_template"] = template_name;
        j["constrained"] = options.ask.constrained;
        j["passages"] = options.ask.retrieval.passages;
        j["max_claims"] = options.ask.shape.max_claims;
        j["min_support"] = options.ask.verify.support.min_coverage;
        j["min_relevance"] = options.ask.verify.min_relevance;
        j["recite"] = options.ask.verify.recite;
        j["sampling"] = "greedy";
        if (!o.rescore.empty()) j["rescored_from"] = o.rescore;
        write_json(o.out, j);
    }
}

void add_eval_grounded(CLI::App& eval) {
    auto o = std::make_shared<EvalGroundedOptions>();
    CLI::App* cmd = eval.add_subcommand("grounded",
                                        "Grounded answers: accuracy, citation precision/recall, "
                                        "abstention (verification on and off)");
    add_eval_backend_options(*cmd, o->backend);
    cmd->add_option("--data", o->data, "Suite directory (default: data/eval/grounded)");
    cmd->add_option("--out", o->out, "Write figures and per-question outputs as JSON here");
    cmd->add_option("--limit", o->limit, "Evaluate N questions spread over the suite (0: all)")
        ->check(in_range({0, 1 << 30}, true));
    cmd->add_option("-k,--passages", o->ask.retrieval.passages, "Passages retrieved")
        ->check(in_range({1, 1000}, true))
        ->capture_default_str();
    cmd->add_option("--min-support", o->ask.verify.support.min_coverage,
                    "Share of a claim's content words its citations must hold")
        ->check(in_range({0, 1}))
        ->capture_default_str();
    cmd->add_option("--max-claims", o->ask.shape.max_claims, "Answer lines at most")
        ->check(in_range({1, 1000}, true))
        ->capture_default_str();
    cmd->add_option("--min-relevance", o->ask.verify.min_relevance,
                    "Share of the question's content words a claim's citations must hold")
        ->check(in_range({0, 1}))
        ->capture_default_str();
    o->ask.generation.max_tokens = 200;
    cmd->add_option("-n,--n-predict", o->ask.generation.max_tokens, "Maximum tokens per answer")
        ->check(in_range(sampling_range::kMaxTokens, true))
        ->capture_default_str();
    cmd->add_flag("--no-constrain", o->unconstrained, "Citation grammar off, to show what it buys");
    cmd->add_flag("--no-recite", o->no_recite,
                  "Verification drops unsupported claims instead of re-citing them");
    cmd->add_option(
        "--rescore", o->rescore,
        "Score the outputs of an earlier --out file again (other verification settings; no model)");
    cmd->add_flag("-v,--verbose", o->verbose, "One line per question");
    cmd->callback([o] { eval_grounded(*o); });
}

}  // namespace

void add_eval_command(CLI::App& app) {
    CLI::App* eval = app.add_subcommand("eval", "Measure a model on flash's evaluation suites");
    eval->require_subcommand(1);
    auto o = std::make_shared<EvalToolsOptions>();
    CLI::App* cmd = eval->add_subcommand(
        "tools",
        "Tool calling: well-formed rate and name, argument, irrelevance and overall accuracy");
    add_eval_backend_options(*cmd, o->backend, /*tool_format=*/true);
    cmd->add_option("--data", o->data, "Suite directory (default: data/eval/tools)");
    cmd->add_option("--out", o->out, "Write figures and per-case outputs as JSON here");
    cmd->add_option("--category", o->category, "Only this category")
        ->check(CLI::IsMember({"simple", "multiple", "parallel", "irrelevance"}));
    cmd->add_option("--limit", o->limit, "Evaluate N cases spread over the suite (0: all)")
        ->check(in_range({0, 1 << 30}, true));
    cmd->add_option("-n,--n-predict", o->max_tokens, "Maximum tokens per answer")
        ->check(in_range(sampling_range::kMaxTokens, true))
        ->capture_default_str();
    cmd->add_flag("--no-constrain", o->unconstrained, "Grammar off, to show what it buys");
    cmd->add_option(
           "--tool-choice", o->tool_choice,
           "auto (the model decides) or required (a call is forced; irrelevance cases skipped)")
        ->check(CLI::IsMember({"auto", "required"}))
        ->capture_default_str();
    cmd->add_flag("-v,--verbose", o->verbose, "One line per case with the first mismatch");
    cmd->callback([o] { eval_tools(*o); });
    add_eval_grounded(*eval);
    add_eval_instruct_command(*eval);
    add_eval_ladder_commands(*eval);
    add_eval_compare_command(*eval);
}

}  // namespace flash::cli
