// `flash bench`: prompt processing and generation speed, like llama-bench's pp512 / tg128:
// pp evaluates n_prompt tokens as batches; tg generates n_gen tokens one at a time; both from
// an empty cache, or after n_depth tokens of context (llama-bench's -d: attention over a long
// cache, where the KV cache's type shows). Repeated, reported as mean ± standard deviation.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/device_choice.h"
#include "cli/option_checks.h"
#include "core/process_memory.h"
#include "kernels/kernels.h"

namespace flash::cli {
namespace {

struct BenchOptions {
    ModelOptions model;
    int n_prompt = 512;
    int n_gen = 128;
    int n_depth = 0;
    int repetitions = 3;
    bool json = false;
};

struct Figure {
    double mean = 0, stddev = 0;
};

Figure summarize(const std::vector<double>& v) {
    Figure f;
    for (double x : v) f.mean += x;
    f.mean /= static_cast<double>(v.size());
    for (double x : v) f.stddev += (x - f.mean) * (x - f.mean);
    f.stddev = v.size() > 1 ? std::sqrt(f.stddev / static_cast<double>(v.size() - 1)) : 0;
    return f;
}

void bench(const BenchOptions& o) {
    LoadedModel lm = load_model(o.model, /*need_tokenizer=*/false);
    const ModelConfig& c = lm.model->config();
    ModelOptions mo = o.model;
    mo.ctx = o.n_depth + std::max<int64_t>(o.n_prompt, o.n_gen) + 1;
    attach_device(lm, mo);
    Session session(*lm.model, nullptr, session_options(mo, lm));
    const char* isa = lm.gpu ? "cuda" : kernels::isa_name();

    std::mt19937 rng(42);
    std::uniform_int_distribution<int32_t> any_token(0, static_cast<int32_t>(c.n_vocab - 1));
    std::vector<int32_t> prompt(static_cast<size_t>(o.n_prompt));
    for (auto& id : prompt) id = any_token(rng);
    std::vector<int32_t> context(static_cast<size_t>(o.n_depth));
    for (auto& id : context) id = any_token(rng);
    // Back to n_depth cached tokens, untimed: the cached context is kept where the model can
    // rewind (recurrent models start over and read it again).
    auto to_depth = [&] {
        session.truncate(o.n_depth);
        if (session.n_past() < o.n_depth) {
            session.reset();
            session.eval(context);
        }
    };

    using Clock = std::chrono::steady_clock;
    auto seconds = [](Clock::time_point t0) {
        return std::chrono::duration<double>(Clock::now() - t0).count();
    };
    std::vector<double> pp, tg;
    // One untimed warm-up of each kind so page faults of the mapping are not measured.
    for (int rep = -1; rep < o.repetitions; ++rep) {
        if (o.n_prompt > 0) {
            to_depth();
            const auto t0 = Clock::now();
            session.eval(prompt);
            if (rep >= 0) pp.push_back(o.n_prompt / seconds(t0));
        }
        if (o.n_gen > 0) {
            to_depth();
            int32_t id = prompt.empty() ? 0 : prompt[0];
            const auto t0 = Clock::now();
            for (int i = 0; i < o.n_gen; ++i) {
                const int32_t one[1] = {id};
                id = argmax(session.eval(one));
            }
            if (rep >= 0) tg.push_back(o.n_gen / seconds(t0));
        }
    }

    const Figure fpp = pp.empty() ? Figure{} : summarize(pp),
                 ftg = tg.empty() ? Figure{} : summarize(tg);
    const int threads = session.pool().size();
    if (o.json) {
        nlohmann::json j = {
            {"model", lm.model->gguf().path()},
            {"arch", c.arch},
            {"threads", threads},
            {"isa", isa},
            {"precision", o.model.precision},
            {"repack", o.model.repack},
            {"cache_type_k", o.model.cache_type_k},
            {"cache_type_v", o.model.cache_type_v},
            {"depth", o.n_depth},
            {"weights_bytes", lm.model->weights().total_bytes},
            {"kv_cache_bytes", session.cache_bytes()},
            {"peak_rss_bytes", peak_resident_bytes()},
            {"pp",
             {{"tokens", o.n_prompt},
              {"tps_mean", fpp.mean},
              {"tps_std", fpp.stddev},
              {"tps", pp}}},
            {"tg",
             {{"tokens", o.n_gen}, {"tps_mean", ftg.mean}, {"tps_std", ftg.stddev}, {"tps", tg}}},
            {"repetitions", o.repetitions}};
        std::printf("%s\n", j.dump(2).c_str());
        return;
    }
    std::printf(
        "| model | size | threads | isa | precision | kv cache | test | t/s "
        "|\n|---|---|---|---|---|---|---|---|\n");
    const std::string precision = o.model.precision + (o.model.repack ? " (repacked)" : "");
    const std::string kv = o.model.cache_type_k == o.model.cache_type_v
                               ? o.model.cache_type_k
                               : o.model.cache_type_k + "/" + o.model.cache_type_v;
    const std::string size = human_bytes(static_cast<double>(lm.model->weights().total_bytes));
    auto row = [&](const char* kind, int n, const Figure& f) {
        const std::string depth = o.n_depth > 0 ? " @ d" + std::to_string(o.n_depth) : "";
        std::printf("| %s | %s | %d | %s | %s | %s | %s%d%s | %.2f ± %.2f |\n",
                    c.name.empty() ? c.arch.c_str() : c.name.c_str(), size.c_str(), threads, isa,
                    precision.c_str(), kv.c_str(), kind, n, depth.c_str(), f.mean, f.stddev);
    };
    if (o.n_prompt > 0) row("pp", o.n_prompt, fpp);
    if (o.n_gen > 0) row("tg", o.n_gen, ftg);
}

}  // namespace

void add_bench_command(CLI::App& app) {
    auto o = std::make_shared<BenchOptions>();
    CLI::App* cmd =
        app.add_subcommand("bench", "Measure prompt processing (pp) and generation (tg) tokens/s");
    add_model_options(*cmd, o->model);
    add_device_option(*cmd, o->model.device);
    cmd->add_option("-p,--n-prompt", o->n_prompt, "Prompt tokens for the pp test (0: skip)")
        ->check(in_range({0, 1 << 20}, true))
        ->capture_default_str();
    cmd->add_option("-n,--n-gen", o->n_gen, "Generated tokens for the tg test (0: skip)")
        ->check(in_range({0, 1 << 20}, true))
        ->capture_default_str();
    cmd->add_option("-d,--n-depth", o->n_depth,
                    "Tokens of context cached before each test (llama-bench's -d)")
        ->check(in_range({0, 1 << 20}, true))
        ->capture_default_str();
    cmd->add_option("-r,--repetitions", o->repetitions, "Timed repetitions")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--json", o->json, "Print JSON instead of a Markdown table");
    cmd->callback([o] { bench(*o); });
}

}  // namespace flash::cli
