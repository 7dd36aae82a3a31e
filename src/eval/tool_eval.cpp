#include "eval/tool_eval.h"

#include <chrono>
#include <cstdio>

#include "core/error.h"

namespace flash::eval {

namespace {

ToolCaseResult run_case(Backend& backend, const ToolCase& c, const ToolEvalOptions& o) {
    ToolCaseResult r;
    r.id = c.id;
    r.category = c.category;
    tools::ToolRequest req;
    req.messages = Json::array({Json{{"role", "user"}, {"content", c.question}}});
    req.tools = tools::parse_tools(c.tools);
    req.constrained = o.constrained;
    req.choice = o.choice;
    req.generation.max_tokens = o.max_tokens;
    req.generation.sampling.temperature = 0;  // greedy: the figures are reproducible
    const auto start = std::chrono::steady_clock::now();
    const tools::ToolResponse resp = backend.call_tools(req);
    r.ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    r.raw = resp.raw;
    r.attempted = resp.attempted;
    r.well_formed = resp.attempted && resp.problems.empty();
    r.warnings = resp.warnings;
    for (const auto& call : resp.calls)
        r.calls.push_back(Json{{"name", call.name}, {"arguments", call.arguments}});
    const CallScore s = score_calls(resp.calls, c.expected);
    r.names_right = s.names_right;
    r.right = s.right;
    r.why = s.why;
    if (!resp.problems.empty()) {
        // A malformed or schema-breaking call is never right, whatever else was called.
        r.right = r.names_right = false;
        r.why = resp.problems.front();
    }
    return r;
}

}  // namespace

ToolEvalReport run_tool_eval(Backend& backend, const std::vector<ToolCase>& cases,
                             const ToolEvalOptions& options, const ToolEvalProgress& progress) {
    ToolEvalReport report;
    if (options.choice.mode == tools::ToolChoice::Mode::None ||
        options.choice.mode == tools::ToolChoice::Mode::Named)
        throw Error("the tool evaluation runs with tool_choice auto or required");
    for (size_t i = 0; i < cases.size(); ++i) {
        try {
            report.results.push_back(run_case(backend, cases[i], options));
        } catch (const Error& e) {
            throw Error("case " + cases[i].id + ": " + e.what());
        }
        if (progress) progress(i + 1, cases.size(), report.results.back());
    }
    return report;
}

using Rate = ToolEvalReport::Rate;

Rate ToolEvalReport::well_formed() const {
    Rate r;
    for (const auto& x : results)
        if (x.attempted) ++r.total, r.hits += x.well_formed;
    return r;
}

Rate ToolEvalReport::names() const {
    Rate r;
    for (const auto& x : results)
        if (x.category != "irrelevance") ++r.total, r.hits += x.names_right;
    return r;
}

Rate ToolEvalReport::arguments() const {
    Rate r;
    for (const auto& x : results)
        if (x.category != "irrelevance" && x.names_right) ++r.total, r.hits += x.right;
    return r;
}

Rate ToolEvalReport::irrelevance() const {
    return category("irrelevance");
}

Rate ToolEvalReport::overall() const {
    Rate r;
    for (const auto& x : results) ++r.total, r.hits += x.right;
    return r;
}

Rate ToolEvalReport::category(const std::string& name) const {
    Rate r;
    for (const auto& x : results)
        if (x.category == name) ++r.total, r.hits += x.right;
    return r;
}

Json ToolEvalReport::to_json() const {
    auto rate = [](const Rate& r) {
        return Json{{"value", r.value()}, {"hits", r.hits}, {"total", r.total}};
    };
    Json j{{"well_formed_rate", rate(well_formed())},
           {"name_accuracy", rate(names())},
           {"argument_accuracy", rate(arguments())},
           {"irrelevance_accuracy", rate(irrelevance())},
           {"overall_accuracy", rate(overall())}};
    Json cats = Json::object();
    for (const char* c : {"simple", "multiple", "parallel", "irrelevance"})
        cats[c] = rate(category(c));
    j["by_category"] = cats;
    Json samples = Json::array();
    for (const auto& x : results)
        samples.push_back(Json{{"id", x.id},
                               {"category", x.category},
                               {"right", x.right},
                               {"names_right", x.names_right},
                               {"attempted", x.attempted},
                               {"well_formed", x.well_formed},
                               {"why", x.why},
                               {"warnings", x.warnings},
                               {"calls", x.calls},
                               {"output", x.raw},
                               {"ms", x.ms}});
    j["samples"] = samples;
    return j;
}

std::string ToolEvalReport::summary() const {
    std::string out;
    char line[160];
    auto row = [&](const char* name, const Rate& r) {
        std::snprintf(line, sizeof line, "  %-22s %6.1f%%  (%d/%d)\n", name, 100 * r.value(),
                      r.hits, r.total);
        out += line;
    };
    row("well-formed calls", well_formed());
    row("name accuracy", names());
    row("argument accuracy", arguments());
    row("irrelevance accuracy", irrelevance());
    row("overall accuracy", overall());
    for (const char* c : {"simple", "multiple", "parallel", "irrelevance"}) {
        const std::string label = std::string("  ") + c;
        row(label.c_str(), category(c));
    }
    return out;
}

}  // namespace flash::eval
