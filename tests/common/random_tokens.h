// Reproducible random token ids for tests that feed a model arbitrary sequences.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace flash::testing {

// n ids in [0, vocab), from a Mersenne Twister seeded with `seed`.
inline std::vector<int32_t> random_tokens(int n, int64_t vocab, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<int32_t> ids(static_cast<size_t>(n));
    for (auto& id : ids) id = static_cast<int32_t>(rng() % static_cast<unsigned>(vocab));
    return ids;
}

}  // namespace flash::testing
