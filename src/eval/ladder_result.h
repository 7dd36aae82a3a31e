// The ladder's results as types: what run_ladder measures per level, the settings a saved
// level must match to be reused, and the whole run — with to_json/from_json in one place, so
// that the files (levels/*.json, ladder.json) and the reports read and write one schema.
// Depends on eval/ (suites, stats).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eval/fidelity.h"
#include "eval/stats.h"
#include "eval/suites.h"

namespace flash::eval {

// How a run was configured; a saved level is reused only when its settings equal the run's.
struct LadderSettings {
    std::string source, source_sha256;
    std::string chat_template;  // "(the file's)" when the file's own
    SuitesOptions suites;       // written as suites_settings() writes them
    std::string fidelity_corpus;
    int64_t fidelity_window = 0, fidelity_max_tokens = 0;
    int threads = 0;
    std::string precision;  // "exact" or "fast"
    struct FileHash {
        std::string file, sha256;
    };
    std::optional<FileHash> imatrix;  // absent in the JSON when none (older results resume)
};

// One suite on one level: the outcome counts and interval, and the samples when loaded from
// a level's own file (ladder.json keeps only the figures).
struct SuiteScore {
    std::string metric;
    int64_t hits = 0, n = 0;
    double accuracy = 0;
    Interval ci95;
    Json figures;
    double seconds = 0;
    std::vector<Sample> samples;

    static SuiteScore of(const SuiteResult& result);
};

struct Throughput {
    int64_t prompt_tokens = 0, generated_tokens = 0;
    double prefill_tokens_per_s = 0, decode_tokens_per_s = 0;
};

// The level against the baseline on the samples both have (compare_with_baseline).
using BaselineComparison = PairedComparison;

struct LevelResult {
    std::string level;  // quant::Target name
    std::string file;   // relative to the output directory when inside it
    uint64_t bytes = 0;
    std::string sha256;
    double bits_per_weight = 0;
    int64_t parameters = 0;
    std::vector<std::pair<std::string, int64_t>> tensor_types;  // matrices per type
    Fidelity fidelity;  // written with ppl_reference as "ppl_baseline" and ppl_ratio()
    Throughput throughput;
    std::vector<std::pair<std::string, SuiteScore>> suites;  // in the order they ran
    int64_t peak_resident_bytes = 0;
    double seconds = 0;
    LadderSettings settings;
    std::vector<std::pair<std::string, BaselineComparison>> vs_baseline;

    const SuiteScore* suite(const std::string& name) const;
    const BaselineComparison* comparison(const std::string& name) const;
};

struct LadderResult {
    std::string model;  // the source file's stem
    std::string baseline_level, baseline_file, baseline_note;
    std::string source_weights;  // "Q4_K_M (most matrices Q5_0)"
    LadderSettings settings;
    std::string command;  // how the run was started; "" when not known
    std::vector<LevelResult> levels;

    // Suite names over all levels, in first-seen order.
    std::vector<std::string> suite_names() const;
};

Json to_json(const LadderSettings& settings);
// `with_samples` false: the figures only (ladder.json); samples go to samples.jsonl.
Json to_json(const LevelResult& level, bool with_samples = true);
Json to_json(const LadderResult& result, bool with_samples = true);

// Read back; a missing or mistyped key is a flash::Error naming it and `what` (the file).
LadderSettings settings_from_json(const Json& json, const std::string& what);
LevelResult level_from_json(const Json& json, const std::string& what);
LadderResult ladder_from_json(const Json& json, const std::string& what);

}  // namespace flash::eval
