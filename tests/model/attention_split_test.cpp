// Decoding a few sequences splits each key/value head's context across the threads and merges
// the pieces' softmaxes (model.cpp, flash-decoding). Over a long context the split decode must
// give the logits of a prompt read in one batch (which never splits), on every architecture:
// GQA groups, sliding rings that wrap (Gemma 3's 32-token window) and recurrent layers.
#include <gtest/gtest.h>

#include <string>

#include "common/random_tokens.h"
#include "common/reference.h"
#include "common/testdata.h"
#include "model/model.h"
#include "runtime/session.h"

namespace flash {
namespace {

class AttentionSplit : public ::testing::TestWithParam<std::string> {};

TEST_P(AttentionSplit, SplitDecodeEqualsABatchOverALongContext) {
    const auto model = Model::load(testing::testdata_path("models/" + GetParam() + "-F32.gguf"));
    const int64_t n_vocab = model->config().n_vocab;
    const auto tokens = testing::random_tokens(250, static_cast<int>(n_vocab), 11);
    const int64_t n = static_cast<int64_t>(tokens.size());

    // The whole prompt as one batch: one item per (kv head, token), no split.
    Session batch(*model, nullptr, {.n_ctx = 256, .n_threads = 4, .n_batch = n});
    std::vector<float> at_once(tokens.size() * static_cast<size_t>(n_vocab));
    batch.eval_all(tokens, at_once.data());

    // All but the last 3 as a batch, then one token at a time with 4 threads: fewer (kv head,
    // token) pairs than threads, so each 250-position context (pieces of at least 64 positions) is
    // split and merged.
    Session step(*model, nullptr, {.n_ctx = 256, .n_threads = 4, .n_batch = n});
    step.eval(std::span<const int32_t>(tokens).first(tokens.size() - 3));
    for (size_t t = tokens.size() - 3; t < tokens.size(); ++t) {
        const int32_t one[1] = {tokens[t]};
        const std::span<float> got = step.eval(one);
        const std::vector<float> want(
            at_once.begin() + static_cast<std::ptrdiff_t>(t * n_vocab),
            at_once.begin() + static_cast<std::ptrdiff_t>((t + 1) * n_vocab));
        EXPECT_LT(testing::nmse(std::vector<float>(got.begin(), got.end()), want), 1e-9)
            << GetParam() << " token " << t;
    }
}

INSTANTIATE_TEST_SUITE_P(Architectures, AttentionSplit,
                         ::testing::Values("llama", "qwen2", "qwen3", "gemma3", "qwen35"));

}  // namespace
}  // namespace flash
