// The quantization ladder: one model quantized to each level asked for and every level
// measured the same way — file size, bits per weight, sha256, decode and prefill throughput,
// peak resident memory, distribution fidelity against the full-precision baseline on a text
// corpus, and the three capability suites with 95% intervals — then compared with the baseline
// sample by sample (flips and a paired bootstrap interval). Each finished level is saved at
// once, so an interrupted run resumes where it stopped. Depends on eval/, quant/, store/.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "eval/fidelity.h"
#include "eval/ladder_result.h"
#include "eval/suites.h"
#include "runtime/session.h"

namespace flash::eval {

struct LadderOptions {
    std::string model;                // a GGUF file
    std::vector<std::string> levels;  // quant::find_target names, in report order
    std::string out_dir;              // models/, levels/ and the reports go here
    std::string chat_template;        // as ChatTemplate::from_gguf takes it ("" : the file's)
    SuitesOptions suites;
    FidelityOptions fidelity;
    std::string corpus_dir;  // text files for fidelity
    std::string imatrix;     // flash imatrix file weighting the quantized levels; "" : none
    SessionOptions session;
    bool keep_models = true;  // false: each level's quantized file is deleted once measured
    std::string command;      // how the run was started, for the reports
};

// The default levels: the ones the issue names, highest precision first.
const std::vector<std::string>& default_ladder_levels();

// Lines for the terminal: transient ones (progress within a level) may be overwritten.
using LadderProgress = std::function<void(const std::string& line, bool transient)>;

// Runs (or resumes) the ladder and writes ladder.json, samples.jsonl, ladder.md and
// ladder.html under out_dir; returns the results (with each suite's samples).
LadderResult run_ladder(const LadderOptions& options, const LadderProgress& progress = {});

// Sets each level's vs_baseline: the paired comparison with the baseline level's samples.
// Exposed for tests and for reports rebuilt from saved levels.
void compare_with_baseline(LadderResult& results);

}  // namespace flash::eval
