// `flash doctor`'s recommendation: which quantization level and context size of a model fit
// this machine with headroom, how fast it should generate, and which deployment recipe suits
// the hardware. Pure functions of a Hardware description, the model's facts and the levels to
// choose from (a ladder report's measured ones, or sizes estimated from the parameter count),
// so the rules are tested with invented machines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/gguf.h"
#include "doctor/hardware.h"

namespace flash::doctor {

// What the choice needs to know about a model.
struct ModelFacts {
    std::string name;
    int64_t parameters = 0;
    uint64_t file_bytes = 0;
    std::string quantization;  // the file's ("Q4_1", "F16")
    double file_bits_per_weight = 0;
    int64_t context_train = 0;
    int64_t kv_bytes_per_token = 0;
    int64_t fixed_state_bytes = 0;  // recurrent state per sequence (qwen35), else 0
};

// Reads them from the file's header; flash::Error when flash cannot run the architecture.
ModelFacts model_facts(const GgufFile& file, const std::string& name);

struct LevelOption {
    std::string level;  // "Q4_K_M", or "as is" for the file itself
    uint64_t bytes = 0;
    bool estimated = false;       // bytes from parameters x typical bits per weight
    double decode_tps = 0;        // measured (ladder), 0: unknown
    int ladder_threads = 0;       // threads the measurement used
    std::optional<double> score;  // mean suite accuracy in the ladder
    std::optional<double> kl_mean;
};

// The levels of a `flash eval ladder` report (ladder.json); flash::Error naming what is wrong.
std::vector<LevelOption> levels_from_ladder(const nlohmann::json& ladder, const std::string& where);
// The pulled file itself as a level when `ladder` was measured from it after dequantizing it
// (its F16 baseline holds exactly the file's weights, so the file is as faithful as the
// baseline: KL 0); nullopt otherwise.
std::optional<LevelOption> source_level(const nlohmann::json& ladder, const ModelFacts& model);
// The file as it is, plus the usual levels at or below its precision, sized from its parameter
// count (estimates: llama.cpp's typical bits per weight for each mix).
std::vector<LevelOption> estimated_levels(const ModelFacts& model);

struct Choice {
    LevelOption level;
    int64_t context = 0;
    uint64_t kv_bytes = 0;
    uint64_t total_bytes = 0;  // weights + KV cache + working memory
};

struct Advice {
    uint64_t budget_bytes = 0;  // memory flash may plan to use
    bool fits = false;
    Choice choice;                     // when fits
    std::vector<Choice> alternatives;  // other levels that fit, best first
    double expected_tps = 0;           // 0: unknown
    std::string speed_basis;
    std::string recipe;  // "apple-silicon", "nvidia", "colocated"
    std::string recipe_why;
    std::vector<std::string> notes;
};

// Working memory besides weights and KV cache: activations, scratch, the process itself.
inline constexpr uint64_t kWorkingBytes = uint64_t{256} << 20;
// The share of available memory a model may take (the rest is the OS's and other programs').
inline constexpr double kMemoryShare = 0.8;
// The share of the read bandwidth generation reaches, for estimates (flash measures 55-95%).
inline constexpr double kBandwidthShare = 0.6;

Advice advise(const Hardware& hw, const ModelFacts& model, std::vector<LevelOption> levels);

nlohmann::json to_json(const Advice& a);

// "1.23 GB" (decimal, as disks and memory are sold), for the advice's notes and the CLI.
std::string gigabytes(double bytes);

}  // namespace flash::doctor
