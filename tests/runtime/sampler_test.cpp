// Sampling: greedy picks the maximum; top-k/top-p/min-p restrict the candidates; the seed makes
// runs reproducible; masked (-inf) tokens are never chosen; the penalty discourages repeats.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "core/error.h"
#include "runtime/sampler.h"

namespace flash {
namespace {

std::vector<float> logits_of(std::initializer_list<float> v) {
    return std::vector<float>(v);
}

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

// Top-k picks its k best in one pass over a heap; it must keep the same tokens, in the same
// order (ties: the lower id first), as sorting the whole vocabulary. The reference masks all but
// those k by hand and samples without top-k: with the same seed both draw the same tokens.
TEST(Sampler, TopKSelectionMatchesAFullSortWithTiesAndMasks) {
    const float ninf = -std::numeric_limits<float>::infinity();
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> level(0, 60);  // few levels: many ties
    for (const int k : {1, 5, 40}) {
        SamplerConfig cfg{
            .temperature = 0.8f, .top_k = k, .top_p = 0.9f, .min_p = 0.01f, .seed = 11};
        Sampler with_k(cfg);
        cfg.top_k = 0;
        Sampler by_hand(cfg);
        for (int round = 0; round < 50; ++round) {
            std::vector<float> l(3000);
            for (float& v : l) v = level(rng) == 0 ? ninf : static_cast<float>(level(rng)) * 0.25f;
            std::vector<int32_t> order(l.size());
            for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
            std::stable_sort(order.begin(), order.end(),
                             [&](int32_t a, int32_t b) { return l[a] > l[b]; });
            std::vector<float> masked(l.size(), ninf);
            for (int i = 0; i < k; ++i) masked[order[i]] = l[order[i]];
            const int32_t got = with_k.sample(l, {});
            EXPECT_EQ(got, by_hand.sample(masked, {})) << "k " << k << ", round " << round;
            EXPECT_NE(masked[got], ninf);
        }
    }
}

}  // namespace
}  // namespace flash
