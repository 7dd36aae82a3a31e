// `flash eval all` (the three suites on a model or an endpoint, one score each) and
// `flash eval ladder MODEL` (quantize to each level and measure every level: eval/ladder.h).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/progress.h"
#include "cli/eval_backend.h"
#include "cli/option_checks.h"
#include "core/error.h"
#include "eval/ladder.h"
#include "eval/stats.h"
#include "eval/suites.h"
#include "store/store.h"

namespace flash::cli {
namespace {

// The parent of data/eval/tools etc., found as the suite commands find theirs.
// Absolute, so that saved results name the same place from any working directory.
std::string suites_root(const std::string& given) {
    const std::string dir =
        given.empty() ? std::filesystem::path(data_dir("", "tools")).parent_path().string() : given;
    return std::filesystem::weakly_canonical(std::filesystem::absolute(dir)).string();
}

void add_suite_limits(CLI::App& cmd, eval::SuitesOptions& s, int& limit) {
    s.data_dir.clear();  // found like the suite commands' (FLASH_DATA, ./data, the source tree)
    cmd.add_option("--data", s.data_dir,
                   "Directory holding tools/, grounded/, instruct/ (default: data/eval)");
    cmd.add_option("--limit", limit,
                   "Samples per suite, spread over it (0: all); --*-limit override")
        ->check(in_range({0, 1 << 30}, true))
        ->capture_default_str();
    cmd.add_option("--tools-limit", s.tools_limit, "Tool-calling cases")
        ->check(in_range({0, 1 << 30}, true));
    cmd.add_option("--grounded-limit", s.grounded_limit, "Grounded-answer questions")
        ->check(in_range({0, 1 << 30}, true));
    cmd.add_option("--instruct-limit", s.instruct_limit, "Instruction-following prompts")
        ->check(in_range({0, 1 << 30}, true));
    cmd.add_option("--retries", s.instruct_retries, "Instruction-following retries")
        ->check(CLI::Range(0, 10))
        ->capture_default_str();
    cmd.add_flag("--no-enforce{false}", s.instruct_enforce,
                 "Instruction following without enforcement or retries: the model's own answer");
    cmd.add_option("--suites", s.only, "Only these suites (tools, grounded, instruct)")
        ->delimiter(',')
        ->check(CLI::IsMember({"tools", "grounded", "instruct"}));
}

void apply_limit(eval::SuitesOptions& s, int limit, const CLI::App& cmd) {
    if (cmd.count("--tools-limit") == 0) s.tools_limit = limit;
    if (cmd.count("--grounded-limit") == 0) s.grounded_limit = limit;
    if (cmd.count("--instruct-limit") == 0) s.instruct_limit = limit;
    s.data_dir = suites_root(s.data_dir);
}

// "\r<line>" on a terminal for transient progress; finished lines always.
void progress_line(const std::string& line, bool transient) {
    static const bool tty = isatty(fileno(stderr));
    if (transient && !tty) return;
    std::fprintf(stderr, tty ? "\r\033[K%s%s" : "%s%s", line.c_str(), transient ? "" : "\n");
}

struct EvalAllOptions {
    EvalBackendOptions backend;
    eval::SuitesOptions suites;
    int limit = 0;
    std::string out;
};

void eval_all(EvalAllOptions& o, const CLI::App& cmd) {
    apply_limit(o.suites, o.limit, cmd);
    EvalTarget target = open_eval_target(o.backend);
    std::fprintf(stderr, "flash eval all: %s\n", target.backend->description().c_str());
    // One line per suite, each with its own rate and time left.
    std::unique_ptr<ProgressLine> progress;
    std::string current;
    const auto results = eval::run_suites(
        *target.backend, o.suites, [&](const std::string& suite, size_t done, size_t total) {
            if (suite != current || !progress) {
                progress = std::make_unique<ProgressLine>(suite + " suite", ProgressLine::Unit::Count, "cases");
                current = suite;
            }
            progress->update(static_cast<double>(done), static_cast<double>(total));
        });
    progress.reset();
    eval::Json j{{"model", target.model_name},
                 {"model_file", target.model_file},
                 {"chat_template", target.template_name},
                 {"endpoint", target.endpoint},
                 {"settings", eval::suites_settings(o.suites)},
                 {"suites", eval::Json::object()}};
    std::printf("%s\n", target.backend->description().c_str());
    for (const auto& s : results) {
        const eval::Interval ci =
            eval::wilson_interval(s.hits(), static_cast<int64_t>(s.samples.size()));
        std::printf("  %-9s %5.1f%%  (%lld/%zu)  95%% CI [%.1f%%, %.1f%%]  — %s\n", s.suite.c_str(),
                    100 * s.accuracy(), static_cast<long long>(s.hits()), s.samples.size(),
                    100 * ci.low, 100 * ci.high, s.metric.c_str());
        eval::Json samples = eval::Json::array();
        for (const auto& x : s.samples)
            samples.push_back({{"id", x.id}, {"right", x.right}, {"detail", x.detail}});
        j["suites"][s.suite] = {{"metric", s.metric},        {"hits", s.hits()},
                                {"n", s.samples.size()},     {"accuracy", s.accuracy()},
                                {"ci95", {ci.low, ci.high}}, {"figures", s.figures},
                                {"seconds", s.seconds},      {"samples", samples}};
    }
    if (!o.out.empty()) {
        std::ofstream out(o.out);
        out << j.dump(1) << "\n";
        if (!out) throw Error("cannot write " + o.out);
        std::fprintf(stderr, "wrote %s\n", o.out.c_str());
    }
}

struct FidelityCliOptions {
    ModelOptions model;  // the baseline
    std::string candidate;
    std::string corpus;
    eval::FidelityOptions fidelity;
};

void eval_fidelity(const FidelityCliOptions& o) {
    const std::string corpus =
        o.corpus.empty() ? suites_root("") + "/grounded/documents" : o.corpus;
    ModelOptions mo = o.model;
    mo.batch = std::max<int64_t>(mo.batch, o.fidelity.window);
    LoadedModel base = load_model(mo);
    ModelOptions co = mo;
    co.model = o.candidate;
    LoadedModel cand = load_model(co);
    Session a(*base.model, base.tokenizer.get(), session_options(mo));
    Session b(*cand.model, cand.tokenizer.get(), session_options(co));
    eval::FidelityOptions fo = o.fidelity;
    fo.bos = base.tokenizer->add_bos() ? base.tokenizer->bos_id() : -1;
    const auto tokens = base.tokenizer->encode(eval::load_corpus(corpus), false);
    ProgressLine progress("fidelity", ProgressLine::Unit::Count, "positions");
    fo.on_progress = [&](int64_t done, int64_t total) {
        progress.update(static_cast<double>(done), static_cast<double>(total));
    };
    const eval::Fidelity f = eval::measure_fidelity(a, b, tokens, fo);
    progress.clear();
    std::printf("%s vs %s on %lld positions of %s\n", o.candidate.c_str(), o.model.model.c_str(),
                static_cast<long long>(f.positions), corpus.c_str());
    std::printf(
        "  KL mean %.5f  p99 %.5f  max %.4f  top-1 agreement %.1f%%  perplexity %.3f vs %.3f "
        "(ratio %.4f)\n",
        f.kl_mean, f.kl_p99, f.kl_max, 100 * f.top1_agreement, f.ppl, f.ppl_reference,
        f.ppl_ratio());
}

struct LadderCliOptions {
    ModelOptions model;
    eval::LadderOptions ladder;
    std::string levels;
    int limit = 20;
    bool delete_models = false;
};

void eval_ladder(LadderCliOptions& o, const CLI::App& cmd, const std::string& command) {
    apply_limit(o.ladder.suites, o.limit, cmd);
    o.ladder.model = resolve_model(o.model.model);
    o.ladder.session = session_options(o.model);
    o.ladder.keep_models = !o.delete_models;
    o.ladder.command = command;
    if (!o.ladder.imatrix.empty())
        o.ladder.imatrix = std::filesystem::absolute(o.ladder.imatrix).string();
    o.ladder.levels.clear();
    if (o.levels.empty()) {
        o.ladder.levels = eval::default_ladder_levels();
    } else {
        std::stringstream ss(o.levels);
        for (std::string l; std::getline(ss, l, ',');)
            if (!l.empty()) o.ladder.levels.push_back(l);
    }
    o.ladder.corpus_dir = o.ladder.corpus_dir.empty()
                              ? o.ladder.suites.data_dir + "/grounded/documents"
                              : std::filesystem::absolute(o.ladder.corpus_dir).string();
    if (o.ladder.out_dir.empty())
        o.ladder.out_dir = "ladder-" + std::filesystem::path(o.ladder.model).stem().string();
    eval::run_ladder(o.ladder, progress_line);
    std::printf("%s/ladder.md\n", o.ladder.out_dir.c_str());
}

}  // namespace

void add_eval_ladder_commands(CLI::App& eval) {
    {
        auto o = std::make_shared<EvalAllOptions>();
        CLI::App* cmd = eval.add_subcommand("all",
                                            "The three suites (tools, grounded, instruct) as one "
                                            "score each, on a model or an endpoint");
        add_eval_backend_options(*cmd, o->backend, /*tool_format=*/true);
        add_suite_limits(*cmd, o->suites, o->limit);
        cmd->add_option("--out", o->out, "Write scores and per-sample outcomes as JSON here");
        cmd->footer(
            "Examples:\n"
            "  flash eval all -m smollm2-135m-instruct --limit 20\n"
            "  flash eval all --endpoint http://127.0.0.1:8080 --limit 20 --out server.json");
        cmd->callback([o, cmd] { eval_all(*o, *cmd); });
    }
    {
        auto o = std::make_shared<FidelityCliOptions>();
        CLI::App* cmd = eval.add_subcommand(
            "fidelity",
            "KL divergence, top-1 agreement and perplexity of a model against a baseline");
        add_model_options(*cmd, o->model);
        cmd->add_option("candidate", o->candidate, "The model to compare with -m (same vocabulary)")
            ->required();
        cmd->add_option("--corpus", o->corpus,
                        "Text files (default: the grounded suite's documents)");
        cmd->add_option("--fidelity-tokens", o->fidelity.max_tokens, "Corpus tokens")
            ->check(in_range({0, 1 << 30}, true))
            ->capture_default_str();
        cmd->add_option("--window", o->fidelity.window, "Tokens per window")
            ->check(in_range({2, 1 << 20}, true))
            ->capture_default_str();
        cmd->callback([o] { eval_fidelity(*o); });
    }
    auto o = std::make_shared<LadderCliOptions>();
    CLI::App* cmd = eval.add_subcommand(
        "ladder", "Quantize a model to each level and measure every level: scores, fidelity, cost");
    cmd->add_option("model", o->model.model,
                    "Model (path or catalog name); a quantized file is dequantized to F16 first")
        ->required();
    cmd->add_option("-t,--threads", o->model.threads, "Threads (0: all cores)")
        ->check(in_range(option_range::kThreads, true));
    cmd->add_option(
        "--levels", o->levels,
        "Comma-separated levels (default: F16,BF16,Q8_0,Q6_K,Q5_K_M,Q5_0,Q4_K_M,Q4_0,Q3_K_M,Q2_K)");
    cmd->add_option("--out", o->ladder.out_dir, "Output directory (default: ladder-<model>)");
    cmd->add_option("--chat-template", o->ladder.chat_template,
                    "chatml, gemma, llama3, or a .jinja file");
    add_suite_limits(*cmd, o->ladder.suites, o->limit);
    cmd->add_option("--corpus", o->ladder.corpus_dir,
                    "Text files for fidelity (default: the grounded suite's documents)");
    cmd->add_option("--fidelity-tokens", o->ladder.fidelity.max_tokens,
                    "Corpus tokens for fidelity")
        ->check(in_range({0, 1 << 30}, true))
        ->capture_default_str();
    cmd->add_option("--window", o->ladder.fidelity.window, "Tokens per fidelity window")
        ->check(in_range({2, 1 << 20}, true))
        ->capture_default_str();
    cmd->add_option("--imatrix", o->ladder.imatrix,
                    "Importance matrix (flash imatrix) for the quantized levels");
    cmd->add_flag("--delete-models", o->delete_models, "Delete each quantized file once measured");
    cmd->footer(
        "Finished levels are saved under OUT/levels/; running the same command again resumes.\n"
        "Writes OUT/ladder.md, ladder.html (SVG charts), ladder.json and samples.jsonl.\n"
        "Example:\n"
        "  flash eval ladder smollm2-135m-instruct --levels F16,Q8_0,Q4_K_M,Q2_K --limit 20 --out "
        "ladder");
    cmd->callback([o, cmd] {
        // The command as given (options CLI11 parsed, in its canonical spelling).
        std::string command = "flash eval ladder " + o->model.model;
        for (const CLI::Option* opt : cmd->get_options())
            if (opt->count() > 0 && opt->get_name() != "model" && opt->get_name() != "--help") {
                command += " " + opt->get_name();
                for (const auto& v : opt->results()) command += " " + v;
            }
        eval_ladder(*o, *cmd, command);
    });
}

}  // namespace flash::cli
