// Token sampling: greedy, or temperature with top-k, top-p, min-p and a repetition penalty,
// from a seeded generator so a run can be reproduced. Depends on nothing but the standard library.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace flash {

struct SamplerConfig {
    float temperature = 0.0f;     // <= 0: greedy
    int top_k = 40;               // <= 0: off
    float top_p = 0.95f;          // >= 1: off
    float min_p = 0.05f;          // <= 0: off
    float repeat_penalty = 1.0f;  // 1: off
    int repeat_last_n = 64;       // how many recent tokens the penalty looks at
    uint64_t seed = 0xF1A5;
};

// The valid range of each setting, stated once: the CLI's flags and the server's request fields
// both check against this table (a value outside is refused by name, never clamped).
struct ValueRange {
    double lo, hi;
};
namespace sampling_range {
inline constexpr ValueRange kTemperature{0.0, 2.0};
inline constexpr ValueRange kTopK{0, 1 << 20};
inline constexpr ValueRange kTopP{0.0, 1.0};
inline constexpr ValueRange kMinP{0.0, 1.0};
inline constexpr ValueRange kRepeatPenalty{0.0, 10.0};
inline constexpr ValueRange kRepeatLastN{0, 1 << 20};
inline constexpr ValueRange kMaxTokens{1, 1 << 20};
}  // namespace sampling_range

class Sampler {
  public:
    explicit Sampler(const SamplerConfig& config);

    // Chooses a token from raw logits (modified in place by the penalty). `recent` holds the
    // tokens generated or read so far. Tokens whose logit is -inf are never chosen (masks
    // from higher layers plug in that way); throws flash::Error if every logit is -inf.
    int32_t sample(std::span<float> logits, std::span<const int32_t> recent);

    const SamplerConfig& config() const { return config_; }

  private:
    SamplerConfig config_;
    std::mt19937_64 rng_;
    std::vector<std::pair<float, int32_t>> candidates_;
};

// Index of the largest value (first on ties).
int32_t argmax(std::span<const float> values);

}  // namespace flash
