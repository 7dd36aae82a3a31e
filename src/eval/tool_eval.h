// The tool-calling evaluation: every case of the suite through ToolCaller (auto tool choice,
// greedy), scored BFCL-style, summed up as the figures `flash eval tools` prints and writes:
// well-formed rate, name accuracy, argument accuracy, irrelevance accuracy, overall accuracy,
// and accuracy per category. Depends on tools/ and eval/tool_scoring.h.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "eval/backend.h"
#include "eval/tool_scoring.h"
#include "tools/tool_caller.h"

namespace flash::eval {

struct ToolEvalOptions {
    bool constrained = true;  // grammar on (the product) or off (to show what it buys)
    // "auto": the model decides whether to call; "required": a call is forced, which shows
    // how well it picks the function and fills the arguments when a call is known to be needed
    // (irrelevance cases are then left out: no call cannot be right).
    tools::ToolChoice choice;
    int max_tokens = 512;
};

struct ToolCaseResult {
    std::string id, category;
    bool attempted = false;    // the output contained tool-call syntax
    bool well_formed = false;  // attempted, and every call parsed and fits its schema
    bool names_right = false;
    bool right = false;
    std::string why;                    // first mismatch or problem
    std::vector<std::string> warnings;  // values that reached a length cap
    std::string raw;                    // the model's output
    Json calls = Json::array();
    double ms = 0;
};

struct ToolEvalReport {
    std::vector<ToolCaseResult> results;

    // Fractions in [0, 1] (and how many cases each is over).
    struct Rate {
        int hits = 0, total = 0;
        double value() const { return total ? static_cast<double>(hits) / total : 0.0; }
    };
    Rate well_formed() const;  // over outputs that attempted a call
    Rate names() const;        // over cases that expect calls
    Rate arguments() const;    // over cases that expect calls and got the names right
    Rate irrelevance() const;  // over cases where no call is right
    Rate overall() const;      // over all cases
    Rate category(const std::string& name) const;

    Json to_json() const;         // figures plus per-case results
    std::string summary() const;  // the table printed to the terminal
};

using ToolEvalProgress = std::function<void(size_t done, size_t total, const ToolCaseResult&)>;

ToolEvalReport run_tool_eval(Backend& backend, const std::vector<ToolCase>& cases,
                             const ToolEvalOptions& options, const ToolEvalProgress& progress = {});

}  // namespace flash::eval
