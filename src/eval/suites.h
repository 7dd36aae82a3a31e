// The three capability suites run as one measurement on a backend — tool calling (calls
// forced, the grammar on), grounded answers (verification on) and instruction following
// (enforcement on) — each reduced to one right/wrong outcome per sample so that runs over the
// same samples can be compared case by case. What `flash eval all` and the ladder run.
// Depends on eval/.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "eval/backend.h"
#include "eval/grounded_eval.h"

namespace flash::eval {

struct SuitesOptions {
    std::string data_dir = "data/eval";  // holds tools/, grounded/, instruct/
    int tools_limit = 0;                 // cases spread over each suite; 0: all
    int grounded_limit = 0;
    int instruct_limit = 0;
    int tool_max_tokens = 256;
    int grounded_max_tokens = 200;
    int instruct_max_tokens = 256;
    int instruct_retries = 2;
    bool instruct_enforce = true;   // off: the model's own first answer, only checked
    std::vector<std::string> only;  // suite names to run; empty: all three
};

struct Sample {
    std::string id;
    bool right = false;
    Json detail;  // what the model produced, short
};

struct SuiteResult {
    std::string suite;   // "tools", "grounded", "instruct"
    std::string metric;  // what `right` means, e.g. "overall accuracy (calls required)"
    std::vector<Sample> samples;
    Json figures;  // the suite's own summary figures
    double seconds = 0;
    int64_t hits() const;
    double accuracy() const;
};

// Spreads `limit` picks evenly over `n` items (all when limit <= 0 or >= n): their indices.
std::vector<size_t> spread_indices(size_t n, int limit);

// The items at spread_indices(all.size(), limit), in order (what --limit N evaluates).
template <typename T>
std::vector<T> spread(const std::vector<T>& all, int limit) {
    std::vector<T> picked;
    for (size_t i : spread_indices(all.size(), limit)) picked.push_back(all[i]);
    return picked;
}

using SuitesProgress = std::function<void(const std::string& suite, size_t done, size_t total)>;

std::vector<SuiteResult> run_suites(Backend& backend, const SuitesOptions& options,
                                    const SuitesProgress& progress = {});

// The suites' settings as JSON, for reports and for telling whether saved results still apply.
Json suites_settings(const SuitesOptions& options);

}  // namespace flash::eval
