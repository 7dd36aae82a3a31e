#include "eval/suites.h"

#include <chrono>

#include "eval/instruct_eval.h"
#include "eval/tool_eval.h"

namespace flash::eval {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

bool wanted(const SuitesOptions& o, const std::string& suite) {
    if (o.only.empty()) return true;
    for (const auto& s : o.only)
        if (s == suite) return true;
    return false;
}

SuiteResult tools_suite(Backend& backend, const SuitesOptions& o, const SuitesProgress& progress) {
    auto cases = load_tool_suite(o.data_dir + "/tools");
    // Calls forced: these small models seldom choose to call on their own, so "auto" would
    // measure only that reluctance; irrelevance cases have no right call and are left out.
    std::erase_if(cases, [](const ToolCase& c) { return c.category == "irrelevance"; });
    cases = spread(cases, o.tools_limit);
    ToolEvalOptions options;
    options.choice = tools::ToolChoice::parse(tools::Json("required"));
    options.max_tokens = o.tool_max_tokens;
    const auto t0 = std::chrono::steady_clock::now();
    const ToolEvalReport report =
        run_tool_eval(backend, cases, options, [&](size_t done, size_t total, const auto&) {
            if (progress) progress("tools", done, total);
        });
    SuiteResult r{"tools", "calls fully right (tool_choice required, grammar on)", {}, {}, 0};
    for (const auto& c : report.results)
        r.samples.push_back({c.id, c.right, Json{{"calls", c.calls}, {"why", c.why}}});
    const Json all = report.to_json();
    for (const auto& [k, v] : all.items())
        if (k != "samples") r.figures[k] = v;
    r.seconds = seconds_since(t0);
    return r;
}

SuiteResult grounded_suite(Backend& backend, const SuitesOptions& o,
                           const SuitesProgress& progress) {
    const std::string dir = o.data_dir + "/grounded";
    const auto cases = spread(load_grounded_suite(dir), o.grounded_limit);
    GroundedEvalOptions options;
    options.ask.generation.max_tokens = o.grounded_max_tokens;
    const auto t0 = std::chrono::steady_clock::now();
    const GroundedEvalReport report = run_grounded_eval(
        &backend, dir, cases, options, [&](size_t done, size_t total, const auto&) {
            if (progress) progress("grounded", done, total);
        });
    SuiteResult r{"grounded", "answered right or rightly abstained (verification on)", {}, {}, 0};
    for (const auto& c : report.results) {
        const bool right = c.answerable ? c.verified.answer_right : c.verified.abstained;
        r.samples.push_back({c.id, right,
                             Json{{"answerable", c.answerable},
                                  {"abstained", c.verified.abstained},
                                  {"answer", c.verified.answer}}});
    }
    const GroundedRates v = report.rates(true);
    r.figures = Json{{"answer_accuracy", v.answer_accuracy.value()},
                     {"citation_precision", v.citation_precision.value()},
                     {"citation_recall", v.citation_recall.value()},
                     {"abstention", v.abstention.value()},
                     {"false_abstention", v.false_abstention.value()},
                     {"overall", v.overall.value()}};
    r.seconds = seconds_since(t0);
    return r;
}

SuiteResult instruct_suite(Backend& backend, const SuitesOptions& o,
                           const SuitesProgress& progress) {
    const auto cases = spread(load_instruct_suite(o.data_dir + "/instruct"), o.instruct_limit);
    follow::FollowOptions options;
    options.enforce = o.instruct_enforce;
    options.retries = o.instruct_enforce ? o.instruct_retries : 0;
    options.generation.max_tokens = o.instruct_max_tokens;
    options.generation.sampling.temperature = 0;
    const auto t0 = std::chrono::steady_clock::now();
    const InstructEvalReport report =
        run_instruct_eval(backend, cases, options, [&](size_t done, size_t total, const auto&) {
            if (progress) progress("instruct", done, total);
        });
    SuiteResult r{"instruct",
                  std::string("every instruction followed, strict (enforcement ") +
                      (o.instruct_enforce ? "on)" : "off)"),
                  {},
                  {},
                  0};
    for (const auto& c : report.results) {
        Json failed = Json::array();
        for (const auto& s : c.scores)
            if (!s.strict) failed.push_back(s.type + ": " + s.reason);
        r.samples.push_back({c.id, c.strict(), Json{{"failed", failed}, {"tries", c.tries}}});
    }
    r.figures = Json{{"prompt_strict", report.prompt_strict().value()},
                     {"instruction_strict", report.instruction_strict().value()},
                     {"prompt_loose", report.prompt_loose().value()},
                     {"instruction_loose", report.instruction_loose().value()}};
    r.seconds = seconds_since(t0);
    return r;
}

}  // namespace

int64_t SuiteResult::hits() const {
    int64_t h = 0;
    for (const auto& s : samples) h += s.right;
    return h;
}

double SuiteResult::accuracy() const {
    return samples.empty() ? 0.0
                           : static_cast<double>(hits()) / static_cast<double>(samples.size());
}

std::vector<size_t> spread_indices(size_t n, int limit) {
    std::vector<size_t> out;
    if (limit <= 0 || static_cast<size_t>(limit) >= n) {
        for (size_t i = 0; i < n; ++i) out.push_back(i);
        return out;
    }
    const double step = static_cast<double>(n) / limit;
    for (double i = 0; i < static_cast<double>(n) && out.size() < static_cast<size_t>(limit);
         i += step)
        out.push_back(static_cast<size_t>(i));
    return out;
}

std::vector<SuiteResult> run_suites(Backend& backend, const SuitesOptions& o,
                                    const SuitesProgress& progress) {
    std::vector<SuiteResult> out;
    if (wanted(o, "tools")) out.push_back(tools_suite(backend, o, progress));
    if (wanted(o, "grounded")) out.push_back(grounded_suite(backend, o, progress));
    if (wanted(o, "instruct")) out.push_back(instruct_suite(backend, o, progress));
    return out;
}

Json suites_settings(const SuitesOptions& o) {
    return Json{{"tools",
                 {{"limit", o.tools_limit},
                  {"tool_choice", "required"},
                  {"grammar", true},
                  {"max_tokens", o.tool_max_tokens}}},
                {"grounded",
                 {{"limit", o.grounded_limit},
                  {"verification", true},
                  {"max_tokens", o.grounded_max_tokens}}},
                {"instruct",
                 {{"limit", o.instruct_limit},
                  {"enforcement", o.instruct_enforce},
                  {"retries", o.instruct_enforce ? o.instruct_retries : 0},
                  {"max_tokens", o.instruct_max_tokens}}},
                {"sampling", "greedy (instruct retries: temperature 0.8, new seed)"},
                {"only", o.only}};
}

}  // namespace flash::eval
