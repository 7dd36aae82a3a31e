// Sampling: greedy picks the maximum; top-k/top-p/min-p restrict the candidates; the seed makes
// runs reproducible; masked (-inf) tokens are never chosen; the penalty discourages repeats.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>

#include "core/error.h"
#include "runtime/sampler.h"

namespace flash {
namespace {

std::vector<float> logits_of(std::initializer_list<float> v) { return std::vector<float>(v); }

TEST(Sampler, GreedyTakesTheArgmax) {
    Sampler s({.temperature = 0});
    auto l = logits_of({0.1f, 2.0f, 1.9f, -1.0f});
    EXPECT_EQ(s.sample(l, {}), 1);
}

TEST(Sampler, TopKOneIsGreedyEvenWithTemperature) {
    Sampler s({.temperature = 1.5f, .top_k = 1, .top_p = 1.0f, .min_p = 0.0f});
    for (int i = 0; i < 50; ++i) {
        auto l = logits_of({0.1f, 2.0f, 1.9f, -1.0f});
        EXPECT_EQ(s.sample(l, {}), 1);
    }
}

TEST(Sampler, TopKRestrictsToTheKBest) {
    Sampler s({.temperature = 5.0f, .top_k = 2, .top_p = 1.0f, .min_p = 0.0f, .seed = 3});
    for (int i = 0; i < 300; ++i) {
        auto l = logits_of({0.0f, 3.0f, 2.9f, 2.8f, 0.0f});
        const int32_t id = s.sample(l, {});
        EXPECT_TRUE(id == 1 || id == 2) << id;
    }
}

TEST(Sampler, TopPKeepsTheSmallestSufficientPrefix) {
    // Probabilities ~ 0.665, 0.245, 0.09 at T=1: top_p 0.6 keeps only the first.
    Sampler s({.temperature = 1.0f, .top_k = 0, .top_p = 0.6f, .min_p = 0.0f});
    for (int i = 0; i < 100; ++i) {
        auto l = logits_of({2.0f, 1.0f, 0.0f});
        EXPECT_EQ(s.sample(l, {}), 0);
    }
}

TEST(Sampler, MinPDropsUnlikelyTokens) {
    Sampler s({.temperature = 1.0f, .top_k = 0, .top_p = 1.0f, .min_p = 0.5f, .seed = 11});
    for (int i = 0; i < 300; ++i) {
        auto l = logits_of({1.0f, 0.9f, -3.0f, -3.0f});  // last two are < 0.5 x the best
        const int32_t id = s.sample(l, {});
        EXPECT_TRUE(id == 0 || id == 1) << id;
    }
}

TEST(Sampler, FrequenciesFollowTheSoftmax) {
    Sampler s({.temperature = 1.0f, .top_k = 0, .top_p = 1.0f, .min_p = 0.0f, .seed = 5});
    std::map<int32_t, int> counts;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        auto l = logits_of({std::log(0.5f), std::log(0.3f), std::log(0.2f)});
        ++counts[s.sample(l, {})];
    }
    EXPECT_NEAR(counts[0] / double(n), 0.5, 0.02);
    EXPECT_NEAR(counts[1] / double(n), 0.3, 0.02);
    EXPECT_NEAR(counts[2] / double(n), 0.2, 0.02);
}

TEST(Sampler, SameSeedSameSequence) {
    auto run = [](uint64_t seed) {
        Sampler s({.temperature = 1.0f, .top_k = 0, .top_p = 1.0f, .min_p = 0.0f, .seed = seed});
        std::vector<int32_t> out;
        for (int i = 0; i < 64; ++i) {
            auto l = logits_of({0.0f, 0.1f, 0.2f, 0.3f, 0.4f});
            out.push_back(s.sample(l, {}));
        }
        return out;
    };
    EXPECT_EQ(run(42), run(42));
    EXPECT_NE(run(42), run(43));
}

TEST(Sampler, MaskedTokensAreNeverChosen) {
    const float ninf = -std::numeric_limits<float>::infinity();
    Sampler s({.temperature = 2.0f, .top_k = 0, .top_p = 1.0f, .min_p = 0.0f});
    for (int i = 0; i < 200; ++i) {
        auto l = logits_of({ninf, 0.0f, ninf, 0.0f});
        const int32_t id = s.sample(l, {});
        EXPECT_TRUE(id == 1 || id == 3);
    }
    auto all = logits_of({ninf, ninf});
    EXPECT_THROW(s.sample(all, {}), Error);
}

TEST(Sampler, RepetitionPenaltyChangesTheGreedyChoice) {
    Sampler s({.temperature = 0, .repeat_penalty = 1.5f});
    auto l = logits_of({1.0f, 1.2f});
    const int32_t recent[] = {1};
    EXPECT_EQ(s.sample(l, recent), 0);  // 1.2 / 1.5 = 0.8 < 1.0
    EXPECT_FLOAT_EQ(l[1], 0.8f);
}

}  // namespace
}  // namespace flash
