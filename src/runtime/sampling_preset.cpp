#include "runtime/sampling_preset.h"

#include <cstdio>

#include "core/error.h"

namespace flash {

SamplerConfig chat_sampling_defaults(int64_t parameters) {
    SamplerConfig c;
    c.temperature = parameters < kSamplingMinParameters ? 0.0f : 0.7f;
    c.top_k = 40;
    c.top_p = 0.9f;
    c.min_p = 0.05f;
    c.repeat_penalty = 1.1f;
    c.repeat_last_n = 64;
    return c;
}

SamplerConfig greedy_sampling() {
    SamplerConfig c;
    c.temperature = 0;
    c.top_p = 1;
    c.repeat_penalty = 1;
    return c;
}

namespace {

// Reads one general.sampling.* number into `field` when present and within `range`.
template <typename T>
void apply_key(const GgufFile& gguf, const char* key, ValueRange range, T& field,
               std::vector<std::string>* warnings) {
    std::optional<double> value;
    try {
        value = gguf.get_float(key);
    } catch (const Error& e) {  // not a number: the file's advice is unusable, not fatal
        if (warnings) warnings->push_back(std::string(e.what()) + "; ignored");
        return;
    }
    if (!value) return;
    if (*value >= range.lo && *value <= range.hi) {
        field = static_cast<T>(*value);
    } else if (warnings) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "the model file's %s = %g is outside [%g, %g]; ignored", key,
                      *value, range.lo, range.hi);
        warnings->push_back(buf);
    }
}

}  // namespace

SamplerConfig chat_sampling(const GgufFile& gguf, std::vector<std::string>* warnings) {
    using namespace sampling_range;
    int64_t parameters = 0;
    for (const GgufTensor& t : gguf.tensors()) parameters += t.n_elements;
    SamplerConfig c = chat_sampling_defaults(parameters);
    apply_key(gguf, "general.sampling.temp", kTemperature, c.temperature, warnings);
    apply_key(gguf, "general.sampling.top_k", kTopK, c.top_k, warnings);
    apply_key(gguf, "general.sampling.top_p", kTopP, c.top_p, warnings);
    apply_key(gguf, "general.sampling.min_p", kMinP, c.min_p, warnings);
    apply_key(gguf, "general.sampling.penalty_repeat", kRepeatPenalty, c.repeat_penalty, warnings);
    apply_key(gguf, "general.sampling.penalty_last_n", kRepeatLastN, c.repeat_last_n, warnings);
    return c;
}

SamplerConfig SamplingOverrides::over(SamplerConfig c) const {
    if (temperature) c.temperature = *temperature;
    if (top_k) c.top_k = *top_k;
    if (top_p) c.top_p = *top_p;
    if (min_p) c.min_p = *min_p;
    if (repeat_penalty) c.repeat_penalty = *repeat_penalty;
    if (repeat_last_n) c.repeat_last_n = *repeat_last_n;
    if (seed) c.seed = *seed;
    return c;
}

std::string describe(const SamplerConfig& c) {
    char buf[160];
    if (c.temperature <= 0)
        std::snprintf(buf, sizeof buf, "greedy, repeat-penalty %g", c.repeat_penalty);
    else
        std::snprintf(buf, sizeof buf,
                      "temp %g, top-k %d, top-p %g, min-p %g, repeat-penalty %g over %d, seed %llu",
                      c.temperature, c.top_k, c.top_p, c.min_p, c.repeat_penalty, c.repeat_last_n,
                      static_cast<unsigned long long>(c.seed));
    return buf;
}

}  // namespace flash
