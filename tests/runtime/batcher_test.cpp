// Continuous batching must not change a single logit: sequences joined into one forward pass
// (different lengths, positions and caches; attention, sliding-window and recurrent layers)
// give what each gives alone, and sessions stepping through a shared Batcher from their own
// threads match sessions that run by themselves.
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "common/random_tokens.h"
#include "common/reference.h"
#include "common/session_script.h"
#include "common/testdata.h"
#include "core/error.h"
#include "model/model.h"
#include "runtime/batcher.h"
#include "runtime/session.h"

namespace flash {
namespace {

using testing::random_tokens;

class BatchedForward : public ::testing::TestWithParam<const char*> {};

TEST_P(BatchedForward, SequencesInOnePassEqualEachAlone) {
    const auto model = Model::load(testing::testdata_path(std::string("models/") + GetParam()));
    const ModelConfig& c = model->config();
    const int64_t n_vocab = c.n_vocab;
    ThreadPool pool(2);
    const std::vector<int> prefix = {5, 17, 40};  // tokens already cached per sequence
    const std::vector<int> fresh = {1, 9, 3};     // tokens each adds in the joined pass

    std::vector<std::vector<float>> alone(3), joined(3);
    std::vector<KvCache> caches;
    for (int s = 0; s < 3; ++s) caches.emplace_back(c, 128, 64);
    std::vector<std::vector<int32_t>> tokens;
    for (int s = 0; s < 3; ++s)
        tokens.push_back(random_tokens(prefix[s] + fresh[s], n_vocab, 11 + s));

    for (int s = 0; s < 3; ++s) {
        KvCache cache(c, 128, 64);
        Workspace ws;
        std::vector<float> scratch(static_cast<size_t>(n_vocab));
        model->forward(std::span(tokens[s]).first(prefix[s]), 0, cache, ws, pool, scratch.data(),
                       false);
        alone[s].resize(static_cast<size_t>(fresh[s] * n_vocab));
        model->forward(std::span(tokens[s]).subspan(prefix[s]), prefix[s], cache, ws, pool,
                       alone[s].data(), true);
        // The same prefix into the cache the joined pass will extend.
        model->forward(std::span(tokens[s]).first(prefix[s]), 0, caches[s], ws, pool,
                       scratch.data(), false);
    }
    std::vector<SequenceBatch> seqs;
    for (int s = 0; s < 3; ++s) {
        joined[s].resize(static_cast<size_t>(fresh[s] * n_vocab));
        seqs.push_back({std::span(tokens[s]).subspan(prefix[s]), prefix[s], &caches[s],
                        joined[s].data(), true});
    }
    Workspace ws;
    model->forward_batch(seqs, ws, pool);
    for (int s = 0; s < 3; ++s)
        EXPECT_LT(testing::nmse(alone[s], joined[s]), 1e-10) << "sequence " << s;
}

INSTANTIATE_TEST_SUITE_P(Architectures, BatchedForward,
                         ::testing::Values("llama-Q4_K_M.gguf", "gemma3-F32.gguf",
                                           "qwen35-Q8_0.gguf"));

TEST(BatchedForward, ABadSequenceIsRefusedBeforeAnythingRuns) {
    const auto model = Model::load(testing::testdata_path("models/llama-Q4_0.gguf"));
    ThreadPool pool(1);
    KvCache a(model->config(), 16, 8), b(model->config(), 16, 8);
    std::vector<float> la(static_cast<size_t>(model->config().n_vocab)), lb(la.size());
    const std::vector<int32_t> ok = {1, 2}, bad = {-3};
    const std::vector<SequenceBatch> seqs = {{ok, 0, &a, la.data()}, {bad, 0, &b, lb.data()}};
    Workspace ws;
    EXPECT_THROW(model->forward_batch(seqs, ws, pool), Error);
    const std::vector<SequenceBatch> full = {{ok, 15, &a, la.data()}};
    EXPECT_THROW(model->forward_batch(full, ws, pool), Error);
}

TEST(Batcher, ConcurrentSessionsMatchSessionsAlone) {
    const auto model = Model::load(testing::testdata_path("models/qwen3-Q8_0.gguf"));
    const int64_t n_vocab = model->config().n_vocab;
    constexpr int kSessions = 4, kSteps = 6;
    // Each session: a prompt, then kSteps single tokens (as decoding does); logits recorded.
    auto script = [&](Session& s, int which) {
        const auto prompt = random_tokens(7 + 5 * which, n_vocab, 100 + which);
        return testing::scripted_logits(s, prompt, which, kSteps, n_vocab);
    };
    std::vector<std::vector<float>> alone(kSessions), batched(kSessions);
    for (int i = 0; i < kSessions; ++i) {
        Session s(*model, nullptr, {.n_ctx = 64, .n_threads = 1, .n_batch = 8});
        alone[i] = script(s, i);
    }
    Batcher batcher(*model, 2, 64);
    std::vector<std::thread> threads;
    for (int i = 0; i < kSessions; ++i)
        threads.emplace_back([&, i] {
            Batcher::Active active(batcher);
            Session s(*model, nullptr, {.n_ctx = 64, .n_batch = 8, .runner = &batcher});
            batched[i] = script(s, i);
        });
    for (auto& t : threads) t.join();
    // Joined passes have other batch sizes, so other matmul paths (dot products or the GEMM):
    // equal within float rounding compounded over the layers.
    for (int i = 0; i < kSessions; ++i)
        EXPECT_LT(testing::nmse(alone[i], batched[i]), 1e-7) << "session " << i;
    const BatcherStats st = batcher.stats();
    EXPECT_GT(st.sequences, st.steps) << "no pass ever joined two sessions";
}

}  // namespace
}  // namespace flash
