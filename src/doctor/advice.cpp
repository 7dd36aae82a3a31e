#include "doctor/advice.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/error.h"
#include "core/text_file.h"
#include "model/config.h"
#include "quant/mix.h"

namespace flash::doctor {
namespace {

struct TypicalSize {
    const char* level;
    double bits_per_weight;
};
// Typical bits per weight of llama.cpp's mixes on small models (the embedding and output
// matrices weigh more there than in large ones).
constexpr std::array kTypicalSizes = {
    TypicalSize{"F16", 16.0},   TypicalSize{"Q8_0", 8.5},   TypicalSize{"Q6_K", 6.6},
    TypicalSize{"Q5_K_M", 5.7}, TypicalSize{"Q4_K_M", 4.9}, TypicalSize{"Q3_K_M", 3.9},
    TypicalSize{"Q2_K", 3.4},
};
// Without scores, the first of these that fits: near-lossless first, then smaller.
constexpr std::array kPreference = {"Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K", "F16"};
// A level this close to the baseline (mean KL divergence per token, nats) is taken as good as
// it: about what Q5_K_M/Q4_K_M keep on small models. The ladder's suite scores do not separate
// levels at the sample sizes a ladder runs (their 95% intervals overlap), its fidelity does.
constexpr double kFaithfulKl = 0.05;
constexpr int64_t kMinContext = 2048;
constexpr int64_t kMaxContext = 32768;

int preference_rank(const std::string& level) {
    for (size_t i = 0; i < kPreference.size(); ++i)
        if (level == kPreference[i]) return static_cast<int>(i);
    return static_cast<int>(kPreference.size());  // "as is" and others: after the known ones
}

uint64_t kv_bytes(const ModelFacts& m, int64_t context) {
    return static_cast<uint64_t>(m.kv_bytes_per_token * context + m.fixed_state_bytes);
}

// The largest context (the model's, at most kMaxContext, then halved down to kMinContext)
// that fits `budget` beside the level's weights; nullopt when none does.
std::optional<Choice> fit(const ModelFacts& m, const LevelOption& level, uint64_t budget) {
    const int64_t top = std::min(kMaxContext, m.context_train > 0 ? m.context_train : kMinContext);
    for (int64_t ctx = top;; ctx /= 2) {
        const uint64_t total = level.bytes + kv_bytes(m, ctx) + kWorkingBytes;
        if (total <= budget) return Choice{level, ctx, kv_bytes(m, ctx), total};
        if (ctx / 2 < std::min(kMinContext, top)) return std::nullopt;
    }
}

// The measured level closest in size to `bytes`, if any.
const LevelOption* nearest_measured(const std::vector<LevelOption>& levels, uint64_t bytes) {
    const LevelOption* best = nullptr;
    for (const LevelOption& l : levels) {
        if (l.decode_tps <= 0) continue;
        const auto gap = [&](const LevelOption& x) {
            return std::abs(static_cast<double>(x.bytes) - static_cast<double>(bytes));
        };
        if (!best || gap(l) < gap(*best)) best = &l;
    }
    return best;
}

void choose_recipe(const Hardware& hw, Advice& a) {
    if (!hw.gpus.empty()) {
        a.recipe = "nvidia";
        a.recipe_why =
            "a GPU is present (deploy/nvidia/): vLLM under systemd serving the model converted by "
            "flash convert until flash's CUDA backend exists, VRAM sizing per card";
    } else if (hw.os == "macOS") {
        a.recipe = "apple-silicon";
        a.recipe_why =
            "a Mac (deploy/apple-silicon/): the Homebrew build and a launchd agent that serves on "
            "login";
    } else {
        a.recipe = "colocated";
        a.recipe_why =
            "a CPU machine you run yourself (deploy/colocated/): `flash serve` under a hardened "
            "systemd unit behind nginx with TLS and an API key, Prometheus on /metrics; for many "
            "users, deploy/cloud/ (Kubernetes; vLLM on GPU fleets)";
    }
}

}  // namespace

ModelFacts model_facts(const GgufFile& file, const std::string& name) {
    const ModelConfig c = ModelConfig::from_gguf(file);
    ModelFacts m;
    m.name = name;
    for (const GgufTensor& t : file.tensors()) m.parameters += t.n_elements;
    m.file_bytes = file.file_size();
    m.quantization = quant::quantization_name(file);
    m.file_bits_per_weight = m.parameters > 0 ? 8.0 * static_cast<double>(m.file_bytes) /
                                                    static_cast<double>(m.parameters)
                                              : 0;
    m.context_train = c.n_ctx_train;
    m.kv_bytes_per_token = c.kv_bytes_per_token();
    m.fixed_state_bytes = c.has_recurrent_layers() ? c.recurrent_state_bytes() : 0;
    return m;
}

std::vector<LevelOption> levels_from_ladder(const nlohmann::json& ladder,
                                            const std::string& where) {
    if (!ladder.is_object() || !ladder.contains("levels") || !ladder["levels"].is_array())
        throw Error(where + ": not a ladder report (no \"levels\" array)");
    const int threads = ladder.value("/settings/threads"_json_pointer, 0);
    std::vector<LevelOption> out;
    for (const nlohmann::json& l : ladder["levels"]) {
        if (!l.is_object() || !l.contains("level") || !l["level"].is_string() ||
            !l.contains("bytes") || !l["bytes"].is_number_unsigned())
            throw Error(where + ": a level without a \"level\" name or \"bytes\"");
        LevelOption o;
        o.level = l["level"];
        o.bytes = l["bytes"];
        o.ladder_threads = threads;
        if (l.contains("throughput") && l["throughput"].is_object())
            o.decode_tps = l["throughput"].value("decode_tokens_per_s", 0.0);
        if (l.contains("fidelity") && l["fidelity"].is_object() &&
            l["fidelity"].contains("kl_mean"))
            o.kl_mean = l["fidelity"].value("kl_mean", 0.0);
        if (l.contains("suites") && l["suites"].is_object() && !l["suites"].empty()) {
            double sum = 0;
            int n = 0;
            for (const auto& [suite, s] : l["suites"].items())
                if (s.is_object() && s.contains("accuracy") && s["accuracy"].is_number())
                    sum += s["accuracy"].get<double>(), ++n;
            if (n > 0) o.score = sum / n;
        }
        out.push_back(o);
    }
    return out;
}

std::optional<LevelOption> source_level(const nlohmann::json& ladder, const ModelFacts& m) {
    const std::string source = ladder.is_object() ? ladder.value("source_weights", "") : "";
    // "Q4_K_M (most matrices Q5_0)": the first word is the file's type
    if (source.empty() || source.substr(0, source.find(' ')) != m.quantization) return std::nullopt;
    if (m.quantization.starts_with("F") || m.quantization.starts_with("BF")) return std::nullopt;
    LevelOption l;
    l.level = "as is";
    l.bytes = m.file_bytes;
    l.kl_mean = 0.0;
    return l;
}

std::vector<LevelOption> estimated_levels(const ModelFacts& m) {
    std::vector<LevelOption> out;
    out.push_back({"as is", m.file_bytes, false, 0, 0, std::nullopt, std::nullopt});
    for (const TypicalSize& t : kTypicalSizes) {
        // Levels above the file's precision cannot bring back what it lost.
        if (t.bits_per_weight > m.file_bits_per_weight + 0.5 || t.level == m.quantization) continue;
        const auto bytes =
            static_cast<uint64_t>(t.bits_per_weight / 8.0 * static_cast<double>(m.parameters));
        out.push_back({t.level, bytes, true, 0, 0, std::nullopt, std::nullopt});
    }
    return out;
}

Advice advise(const Hardware& hw, const ModelFacts& m, std::vector<LevelOption> levels) {
    Advice a;
    const double usable = hw.ram_available > 0
                              ? static_cast<double>(hw.ram_available) * kMemoryShare
                              : static_cast<double>(hw.ram_total) * 0.5;
    a.budget_bytes = static_cast<uint64_t>(usable);
    choose_recipe(hw, a);

    std::vector<Choice> fitting;
    for (const LevelOption& l : levels)
        if (const auto c = fit(m, l, a.budget_bytes)) fitting.push_back(*c);
    if (fitting.empty()) {
        const auto smallest =
            std::min_element(levels.begin(), levels.end(),
                             [](const auto& x, const auto& y) { return x.bytes < y.bytes; });
        a.notes.push_back(
            "no level fits: the smallest (" +
            (smallest == levels.end() ? std::string("none") : smallest->level) + ") needs " +
            gigabytes(smallest == levels.end()
                          ? 0
                          : static_cast<double>(smallest->bytes + kv_bytes(m, kMinContext) +
                                                kWorkingBytes)) +
            " with a " + std::to_string(kMinContext) + "-token context; flash may use " +
            gigabytes(static_cast<double>(a.budget_bytes)) + " here");
        return a;
    }
    const bool measured = std::any_of(fitting.begin(), fitting.end(),
                                      [](const Choice& c) { return c.level.kl_mean.has_value(); });
    if (measured) {
        // The smallest (fastest on a CPU) faithful level; then the rest by fidelity.
        std::stable_sort(fitting.begin(), fitting.end(), [](const Choice& x, const Choice& y) {
            const double kx = x.level.kl_mean.value_or(1e9), ky = y.level.kl_mean.value_or(1e9);
            const bool fx = kx <= kFaithfulKl, fy = ky <= kFaithfulKl;
            if (fx != fy) return fx;
            if (fx) return x.level.bytes < y.level.bytes;
            return kx < ky;
        });
        char buf[200];
        std::snprintf(buf, sizeof buf,
                      "chosen: the smallest level whose KL divergence from the baseline is at "
                      "most %.2f (the ladder's fidelity); suite scores are shown, not used, as "
                      "their sample is small",
                      kFaithfulKl);
        a.notes.push_back(buf);
    } else {
        std::stable_sort(fitting.begin(), fitting.end(), [](const Choice& x, const Choice& y) {
            return preference_rank(x.level.level) < preference_rank(y.level.level);
        });
        a.notes.push_back(
            "no ladder report for this model: sizes are estimates; `flash eval ladder` "
            "measures every level's fidelity, scores and speed");
    }
    a.fits = true;
    a.choice = fitting.front();
    a.alternatives.assign(fitting.begin() + 1, fitting.end());

    const LevelOption& l = a.choice.level;
    if (l.decode_tps > 0) {
        a.expected_tps = l.decode_tps;
        a.speed_basis = "measured by flash eval ladder with " + std::to_string(l.ladder_threads) +
                        " threads on the machine that made the report";
    } else if (const LevelOption* near = nearest_measured(levels, l.bytes); near && l.bytes > 0) {
        // Small models are not bandwidth-bound alone: a measured neighbour, scaled by size,
        // is closer than the roofline.
        a.expected_tps =
            near->decode_tps * static_cast<double>(near->bytes) / static_cast<double>(l.bytes);
        a.speed_basis = "scaled by size from the ladder's " + near->level + " (" +
                        format_number("%.0f", near->decode_tps) + " tokens/s with " +
                        std::to_string(near->ladder_threads) + " threads)";
    } else if (hw.read_gb_per_s > 0 && l.bytes > 0) {
        a.expected_tps = kBandwidthShare * hw.read_gb_per_s * 1e9 / static_cast<double>(l.bytes);
        char buf[160];
        std::snprintf(buf, sizeof buf,
                      "estimated: %.0f%% of the %.1f GB/s read bandwidth measured here, over %s "
                      "of weights per token",
                      kBandwidthShare * 100, hw.read_gb_per_s,
                      gigabytes(static_cast<double>(l.bytes)).c_str());
        a.speed_basis = buf;
    } else {
        a.speed_basis = "unknown: `flash bench` measures it";
    }
    if (hw.disk_free > 0 && hw.disk_free < l.bytes)
        a.notes.push_back("the models directory has " +
                          gigabytes(static_cast<double>(hw.disk_free)) + " free, less than the " +
                          gigabytes(static_cast<double>(l.bytes)) + " this level needs");
    return a;
}

nlohmann::json to_json(const Advice& a) {
    auto choice = [](const Choice& c) {
        nlohmann::json j{{"level", c.level.level},
                         {"weights_bytes", c.level.bytes},
                         {"estimated_size", c.level.estimated},
                         {"context", c.context},
                         {"kv_cache_bytes", c.kv_bytes},
                         {"total_bytes", c.total_bytes}};
        if (c.level.score) j["ladder_score"] = *c.level.score;
        if (c.level.decode_tps > 0) j["ladder_decode_tokens_per_s"] = c.level.decode_tps;
        return j;
    };
    nlohmann::json alternatives = nlohmann::json::array();
    for (const Choice& c : a.alternatives) alternatives.push_back(choice(c));
    nlohmann::json j{{"budget_bytes", a.budget_bytes}, {"fits", a.fits},
                     {"alternatives", alternatives},   {"expected_tokens_per_s", a.expected_tps},
                     {"speed_basis", a.speed_basis},   {"recipe", a.recipe},
                     {"recipe_why", a.recipe_why},     {"notes", a.notes}};
    if (a.fits) j["choice"] = choice(a.choice);
    return j;
}

std::string gigabytes(double bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f GB", bytes / 1e9);
    return buf;
}

}  // namespace flash::doctor
