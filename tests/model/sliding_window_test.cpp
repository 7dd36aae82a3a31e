// Sliding-window attention (Gemma 3's local layers) keeps a ring of window + batch - 1
// positions. Past the window, a ring that wraps every 32 tokens must give the same logits as
// one large enough never to wrap.
#include <gtest/gtest.h>

#include <random>

#include "common/random_tokens.h"
#include "common/reference.h"
#include "common/testdata.h"
#include "model/model.h"
#include "runtime/session.h"

namespace flash {
namespace {

using testing::random_tokens;

TEST(SlidingWindow, WrappingRingEqualsAFullCacheBeyondTheWindow) {
    const auto model = Model::load(testing::testdata_path("models/gemma3-F32.gguf"));
    ASSERT_EQ(model->config().sliding_window, 32);
    ASSERT_TRUE(model->config().layers[0].sliding);
    const auto tokens = random_tokens(100, static_cast<int>(model->config().n_vocab), 7);
    const int64_t n_vocab = model->config().n_vocab;

    // Token by token: the sliding layer's ring holds 32 positions and wraps three times.
    Session one(*model, nullptr, {.n_ctx = 256, .n_threads = 1, .n_batch = 1});
    std::vector<float> stepped(tokens.size() * static_cast<size_t>(n_vocab));
    for (size_t t = 0; t < tokens.size(); ++t) {
        const int32_t id[1] = {tokens[t]};
        const auto l = one.eval(id);
        std::copy(l.begin(), l.end(), stepped.begin() + static_cast<std::ptrdiff_t>(t * n_vocab));
    }
    // One batch of 100: the ring holds 131 positions and never wraps.
    Session all(*model, nullptr, {.n_ctx = 256, .n_threads = 2, .n_batch = 100});
    std::vector<float> batched(stepped.size());
    all.eval_all(tokens, batched.data());
    EXPECT_LT(testing::nmse(stepped, batched), 1e-10);
}

}  // namespace
}  // namespace flash
