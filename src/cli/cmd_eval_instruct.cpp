// `flash eval instruct`: the instruction-following suite on a model — IFEval's four numbers
// and per-type accuracy on stdout, progress on stderr, figures and per-prompt outputs as JSON
// with --out. Enforcement on (grammars, masks, forced text, check-and-retry) or off.
#include <cstdio>
#include <fstream>
#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/progress.h"
#include "cli/eval_backend.h"
#include "cli/option_checks.h"
#include "core/error.h"
#include "eval/instruct_eval.h"
#include "eval/suites.h"

namespace flash::cli {
namespace {

struct EvalInstructOptions {
    EvalBackendOptions backend;
    std::string data;
    std::string out;
    bool no_enforce = false;
    bool verbose = false;
    int limit = 0;
    int retries = 2;
    int max_tokens = 256;
};

void eval_instruct(const EvalInstructOptions& o) {
    const auto cases =
        eval::spread(eval::load_instruct_suite(data_dir(o.data, "instruct")), o.limit);
    EvalTarget target = open_eval_target(o.backend);
    follow::FollowOptions options;
    options.enforce = !o.no_enforce;
    options.retries = o.no_enforce ? 0 : o.retries;  // off: the model's own first answer
    options.generation.max_tokens = o.max_tokens;
    options.generation.sampling.temperature = 0;  // greedy first try: reproducible figures
    const std::string mode =
        options.enforce ? "on (retries " + std::to_string(options.retries) + ")" : "off";
    std::fprintf(stderr, "flash eval instruct: %zu prompts, %s, enforcement %s\n", cases.size(),
                 target.backend->description().c_str(),
                 target.endpoint ? "off (an endpoint only generates)" : mode.c_str());
    int strict = 0;
    ProgressLine progress("instruct suite", ProgressLine::Unit::Count, "prompts", o.verbose);
    const auto report = eval::run_instruct_eval(
        *target.backend, cases, options, [&](size_t done, size_t total, const auto& r) {
            strict += r.strict();
            if (o.verbose) {
                std::fprintf(stderr, "[%zu/%zu] %-8s %s tries %d\n", done, total, r.id.c_str(),
                             r.strict() ? "ok  " : "FAIL", r.tries);
                for (const auto& s : r.scores)
                    std::fprintf(stderr, "    %-36s %s: %s\n", s.type.c_str(), s.status.c_str(),
                                 s.reason.c_str());
            } else {
                progress.update(static_cast<double>(done), static_cast<double>(total),
                                std::to_string(strict) + " strictly right");
            }
        });
    progress.clear();
    std::printf("instruction following — %s (enforcement %s)\n%s",
                target.backend->description().c_str(), target.endpoint ? "off" : mode.c_str(),
                report.summary().c_str());
    if (o.out.empty()) return;
    auto j = report.to_json();
    j["model"] = target.model_name;
    j["model_file"] = target.model_file;
    j["chat_template"] = target.template_name;
    j["enforced"] = options.enforce && !target.endpoint;
    j["retries"] = options.retries;
    j["retry_temperature"] = options.retry_temperature;
    j["max_tokens"] = options.generation.max_tokens;
    j["sampling"] = "greedy first try";
    std::ofstream out(o.out);
    out << j.dump(2, ' ', false) << "\n";
    if (!out) throw Error("cannot write " + o.out);
    std::fprintf(stderr, "wrote %s\n", o.out.c_str());
}

}  // namespace

void add_eval_instruct_command(CLI::App& eval) {
    auto o = std::make_shared<EvalInstructOptions>();
    CLI::App* cmd = eval.add_subcommand(
        "instruct",
        "Instruction following: IFEval's strict/loose prompt- and instruction-level accuracy");
    add_eval_backend_options(*cmd, o->backend);
    cmd->add_option("--data", o->data, "Suite directory (default: data/eval/instruct)");
    cmd->add_option("--out", o->out, "Write figures and per-prompt outputs as JSON here");
    cmd->add_option("--limit", o->limit, "Evaluate N prompts spread over the suite (0: all)")
        ->check(in_range({0, 1 << 30}, true));
    cmd->add_option("-n,--n-predict", o->max_tokens, "Maximum tokens per response")
        ->check(in_range(sampling_range::kMaxTokens, true))
        ->capture_default_str();
    cmd->add_option("--retries", o->retries,
                    "Further tries when an instruction fails its check (enforcement on only)")
        ->check(CLI::Range(0, 10))
        ->capture_default_str();
    cmd->add_flag("--no-enforce", o->no_enforce,
                  "Enforcement and retries off: the model's own answers");
    cmd->add_flag("-v,--verbose", o->verbose, "Each prompt's instructions with their outcome");
    cmd->callback([o] { eval_instruct(*o); });
}

}  // namespace flash::cli
