// The sampling a chat starts from: flash's defaults by model size, the model file's
// general.sampling.* advice over them, bad advice skipped with a warning, flags over both.
#include <gtest/gtest.h>

#include "common/gguf_builder.h"
#include "core/gguf.h"
#include "runtime/sampling_preset.h"

namespace flash {
namespace {

// A file of one F32 tensor of `n` weights, with `kvs` metadata written by `add_kvs`.
template <typename AddKvs>
std::string file_with(const std::string& name, uint64_t n, uint64_t kvs, AddKvs add_kvs) {
    testing::GgufBuilder b;
    b.header(1, kvs);
    add_kvs(b);
    b.tensor("w", {n}, 0, 0).align().zeros(n * 4);
    return b.write(testing::temp_path(name));
}

TEST(SamplingPreset, SmallModelsDecodeGreedilyWithALightPenalty) {
    const SamplerConfig small = chat_sampling_defaults(135'000'000);
    EXPECT_EQ(small.temperature, 0.0f);
    EXPECT_FLOAT_EQ(small.repeat_penalty, 1.1f);
    EXPECT_EQ(small.repeat_last_n, 64);
    const SamplerConfig large = chat_sampling_defaults(kSamplingMinParameters);
    EXPECT_FLOAT_EQ(large.temperature, 0.7f);
    EXPECT_FLOAT_EQ(large.top_p, 0.9f);
    EXPECT_FLOAT_EQ(large.min_p, 0.05f);
    EXPECT_FLOAT_EQ(large.repeat_penalty, 1.1f);
    EXPECT_EQ(describe(small), "greedy, repeat-penalty 1.1");
}

TEST(SamplingPreset, TheFilesAdviceWins) {
    const std::string path = file_with("advice.gguf", 64, 3, [](testing::GgufBuilder& b) {
        b.kv_f32("general.sampling.temp", 0.6f)
            .kv_u32("general.sampling.top_k", 20)
            .kv_f32("general.sampling.top_p", 0.8f);
    });
    const GgufFile file(path);
    std::vector<std::string> warnings;
    const SamplerConfig c = chat_sampling(file, &warnings);
    EXPECT_TRUE(warnings.empty());
    EXPECT_FLOAT_EQ(c.temperature, 0.6f);
    EXPECT_EQ(c.top_k, 20);
    EXPECT_FLOAT_EQ(c.top_p, 0.8f);
    EXPECT_FLOAT_EQ(c.repeat_penalty, 1.1f);  // not advised: flash's default stays
}

TEST(SamplingPreset, BadAdviceIsSkippedAndNamed) {
    const std::string path = file_with("bad_advice.gguf", 64, 2, [](testing::GgufBuilder& b) {
        b.kv_f32("general.sampling.temp", 7.5f).kv_str("general.sampling.top_p", "high");
    });
    const GgufFile file(path);
    std::vector<std::string> warnings;
    const SamplerConfig c = chat_sampling(file, &warnings);
    EXPECT_EQ(c.temperature, 0.0f);  // a 64-weight model: the small-model default
    EXPECT_FLOAT_EQ(c.top_p, 0.9f);
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_NE(warnings[0].find("general.sampling.temp = 7.5 is outside [0, 2]"), std::string::npos)
        << warnings[0];
    EXPECT_NE(warnings[1].find("general.sampling.top_p"), std::string::npos) << warnings[1];
}

TEST(SamplingPreset, GivenFlagsOverrideThePreset) {
    SamplingOverrides flags;
    flags.temperature = 0.3f;
    flags.seed = 7;
    const SamplerConfig c = flags.over(chat_sampling_defaults(2'000'000'000));
    EXPECT_FLOAT_EQ(c.temperature, 0.3f);
    EXPECT_EQ(c.seed, 7u);
    EXPECT_FLOAT_EQ(c.top_p, 0.9f);
    const SamplerConfig g = SamplingOverrides{}.over(greedy_sampling());
    EXPECT_EQ(g.temperature, 0.0f);
    EXPECT_FLOAT_EQ(g.repeat_penalty, 1.0f);
}

}  // namespace
}  // namespace flash
