// Model::repack_for_fast packs the weight matrices once at load for the fast GEMM. Prompts (whose
// batches take the GEMM) and decode must give the logits of the unpacked model bit for bit, in
// both precisions, on every architecture (qwen35's recurrent projections included).
#include <gtest/gtest.h>

#include <string>

#include "common/prompt_logits.h"
#include "common/random_tokens.h"
#include "common/testdata.h"
#include "core/thread_pool.h"
#include "model/model.h"

namespace flash {
namespace {

class Repack : public ::testing::TestWithParam<std::string> {};

TEST_P(Repack, PackedWeightsGiveTheSameLogits) {
    const std::string path = testing::testdata_path("models/" + GetParam() + ".gguf");
    const auto plain = Model::load(path);
    auto packed = Model::load(path);
    ThreadPool pool(2);
    EXPECT_GT(packed->repack_for_fast(pool), 0u) << "nothing was packed";
    EXPECT_EQ(packed->repack_for_fast(pool), 0u) << "packed twice";
    const auto tokens = testing::random_tokens(40, static_cast<int>(plain->config().n_vocab), 9);
    for (auto p : {kernels::Precision::Fast, kernels::Precision::Exact}) {
        const auto a = testing::prompt_logits(*plain, tokens, 2, p);
        const auto b = testing::prompt_logits(*packed, tokens, 2, p);
        ASSERT_EQ(a.size(), b.size());
        size_t differ = 0;
        for (size_t i = 0; i < a.size(); ++i) differ += a[i] != b[i];
        EXPECT_EQ(differ, 0u) << (p == kernels::Precision::Fast ? "fast" : "exact") << ": of "
                              << a.size() << " logits";
    }
}

INSTANTIATE_TEST_SUITE_P(Models, Repack,
                         ::testing::Values("llama-Q4_K_M", "qwen2-Q4_K_M", "qwen3-Q8_0",
                                           "gemma3-Q4_K_M", "qwen35-Q4_K_M", "llama-Q4_0"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                             std::string name = info.param;
                             for (char& ch : name)
                                 if (ch == '-') ch = '_';
                             return name;
                         });

}  // namespace
}  // namespace flash
