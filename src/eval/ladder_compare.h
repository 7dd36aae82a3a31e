// Two ladders over the same suites side by side — a base model and its fine-tune — at every
// level both measured: each measure's score and 95% interval for both, and the paired
// difference on the samples both answered (bootstrap interval, flips). Measures are each
// suite's outcome and its parts that answer different questions: grounded answers split into
// answerable (answered right) and unanswerable (abstained), tool calling into its categories.
// Reads the ladders' own outputs (ladder.json, samples.jsonl). Depends on eval/.
#pragma once

#include <string>
#include <vector>

#include "eval/ladder_result.h"
#include "eval/stats.h"

namespace flash::eval {

struct MeasureComparison {
    std::string suite, measure;  // measure: "all", "answerable", "unanswerable", "simple", …
    int64_t base_hits = 0, tuned_hits = 0, n = 0;  // over the samples both ladders have
    Interval base_ci, tuned_ci;
    PairedComparison paired;  // tuned minus base
};

struct LevelComparison {
    std::string level;
    double base_bits_per_weight = 0, tuned_bits_per_weight = 0;
    double base_kl_mean = 0, tuned_kl_mean = 0;  // each against its own ladder's baseline
    std::vector<MeasureComparison> measures;
};

struct LadderComparison {
    std::string base_model, tuned_model;
    LadderSettings base_settings, tuned_settings;
    std::vector<LevelComparison> levels;        // the levels both measured, in the base's order
    std::vector<std::string> unmatched_levels;  // measured by one ladder only
};

// A ladder's output directory read back with every sample; a missing or malformed file is a
// flash::Error naming it.
LadderResult read_ladder_outputs(const std::string& dir);

// Pairs the two; a flash::Error when their suites were run with different settings (other
// samples, limits or enforcement would make the comparison meaningless) or no level is shared.
LadderComparison compare_ladders(const LadderResult& base, const LadderResult& tuned);

Json to_json(const LadderComparison& c);
// `curves_note`: a Markdown line about the training curves ("" : none); `curves_svg`: an
// <svg> drawn in the HTML page.
std::string comparison_markdown(const LadderComparison& c, const std::string& curves_note = "");
std::string comparison_html(const LadderComparison& c, const std::string& curves_svg = "");

}  // namespace flash::eval
