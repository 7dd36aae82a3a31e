// Sampling settings a chat starts from: the model file's own recommendation (llama.cpp's
// general.sampling.* keys, written from a model's generation_config) where it has one, else
// flash's defaults. Plain greedy decoding makes small models loop (SmolLM2-135M answered "You
// are a poet." with "I am a poet, a poet, a poet." to the token limit), and a light repetition
// penalty (1.1 over 64 tokens) ends that. Sampling on top of it helps models of a billion
// parameters and more, but hurts the smallest: SmolLM2-135M answered "What is the capital of
// France?" with a plain "The capital of France is Paris." for 1 seed in 3 at temperature 0.7
// (the others rambled or never named Paris) and 2 in 6 at its model card's 0.2 ("L'Etoile (The
// City) - ..."), and always greedily. So below kSamplingMinParameters the default is greedy with the penalty;
// from there on, temperature 0.7, top-p 0.9, min-p 0.05 with the penalty. Checked answers
// (tool calls, grounded answers, the evaluation suites) are greedy without a penalty.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/gguf.h"
#include "runtime/sampler.h"

namespace flash {

inline constexpr int64_t kSamplingMinParameters = 1'000'000'000;

// The defaults for open-ended chat for a model of `parameters` weights when its file
// recommends nothing.
SamplerConfig chat_sampling_defaults(int64_t parameters);

// chat_sampling_defaults(the file's weight count) with the file's
// general.sampling.{temp,top_k,top_p,min_p, penalty_repeat,penalty_last_n} applied; a value outside
// its valid range is skipped and named in `warnings` (when given).
SamplerConfig chat_sampling(const GgufFile& gguf, std::vector<std::string>* warnings = nullptr);

// Greedy, with no top-p or penalty: where an answer is checked (tool calls, structured output,
// grounded answers, evaluation suites), the model's most likely tokens are its most reliable.
SamplerConfig greedy_sampling();

// Sampling fields a caller may set; unset ones come from a preset.
struct SamplingOverrides {
    std::optional<float> temperature;
    std::optional<int> top_k;
    std::optional<float> top_p;
    std::optional<float> min_p;
    std::optional<float> repeat_penalty;
    std::optional<int> repeat_last_n;
    std::optional<uint64_t> seed;

    SamplerConfig over(SamplerConfig preset) const;
};

// "temp 0.7, top-k 40, top-p 0.9, min-p 0.05, repeat-penalty 1.1 over 64" (greedy: "greedy").
std::string describe(const SamplerConfig& c);

}  // namespace flash
