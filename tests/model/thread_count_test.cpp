// A prompt's logits must not depend on how many threads read it: the matrix products sum each
// output in one order however the rows are split, and the row-wise steps (norms, rotary
// embedding, activations, residual adds), which go to the pool for large enough batches, treat
// every row alike. Bit-for-bit, on every architecture, in both precisions.
#include <gtest/gtest.h>

#include <string>

#include "common/prompt_logits.h"
#include "common/random_tokens.h"
#include "common/testdata.h"
#include "model/model.h"

namespace flash {
namespace {

struct Case {
    std::string file;
    kernels::Precision precision;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.file << (c.precision == kernels::Precision::Exact ? " exact" : " fast");
}

class ThreadCount : public ::testing::TestWithParam<Case> {};

TEST_P(ThreadCount, PromptLogitsAreTheSameOnOneAndThreeThreads) {
    const auto model = Model::load(testing::testdata_path("models/" + GetParam().file + ".gguf"));
    const auto tokens = testing::random_tokens(200, static_cast<int>(model->config().n_vocab), 5);
    const auto one = testing::prompt_logits(*model, tokens, 1, GetParam().precision);
    const auto three = testing::prompt_logits(*model, tokens, 3, GetParam().precision);
    ASSERT_EQ(one.size(), three.size());
    size_t differ = 0;
    for (size_t i = 0; i < one.size(); ++i) differ += one[i] != three[i];
    EXPECT_EQ(differ, 0u) << "of " << one.size() << " logits";
}

std::vector<Case> cases() {
    std::vector<Case> out;
    for (const char* arch : {"llama", "qwen2", "qwen3", "gemma3", "qwen35"})
        for (const char* type : {"F32", "Q4_K_M"})
            for (auto p : {kernels::Precision::Exact, kernels::Precision::Fast})
                out.push_back({std::string(arch) + "-" + type, p});
    return out;
}

INSTANTIATE_TEST_SUITE_P(Models, ThreadCount, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                             std::string name =
                                 info.param.file +
                                 (info.param.precision == kernels::Precision::Exact ? "_exact"
                                                                                    : "_fast");
                             for (char& ch : name)
                                 if (ch == '-') ch = '_';
                             return name;
                         });

}  // namespace
}  // namespace flash
