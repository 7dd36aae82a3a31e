#include "eval/stats.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace flash::eval {

Interval wilson_interval(int64_t hits, int64_t n) {
    if (n <= 0) return {};
    constexpr double z = 1.959963984540054;  // the 97.5th percentile of the normal
    const double p = static_cast<double>(hits) / static_cast<double>(n);
    const double nn = static_cast<double>(n);
    const double denom = 1 + z * z / nn;
    const double centre = (p + z * z / (2 * nn)) / denom;
    const double half = z * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / denom;
    return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

PairedComparison paired_comparison(const std::vector<bool>& baseline,
                                   const std::vector<bool>& candidate, int resamples,
                                   uint64_t seed) {
    if (baseline.size() != candidate.size())
        throw std::invalid_argument("paired_comparison: the runs cover different samples");
    PairedComparison c;
    c.n = static_cast<int64_t>(baseline.size());
    if (c.n == 0) return c;
    // Per sample: +1 wrong→right, -1 right→wrong, 0 unchanged.
    std::vector<int> delta(baseline.size());
    for (size_t i = 0; i < baseline.size(); ++i) {
        delta[i] = static_cast<int>(candidate[i]) - static_cast<int>(baseline[i]);
        c.right_to_wrong += delta[i] < 0;
        c.wrong_to_right += delta[i] > 0;
    }
    c.difference =
        static_cast<double>(c.wrong_to_right - c.right_to_wrong) / static_cast<double>(c.n);
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<size_t> pick(0, delta.size() - 1);
    std::vector<double> diffs(static_cast<size_t>(resamples));
    for (double& d : diffs) {
        int64_t sum = 0;
        for (size_t i = 0; i < delta.size(); ++i) sum += delta[pick(rng)];
        d = static_cast<double>(sum) / static_cast<double>(c.n);
    }
    std::sort(diffs.begin(), diffs.end());
    auto at = [&](double q) {
        const size_t i = static_cast<size_t>(q * static_cast<double>(diffs.size() - 1) + 0.5);
        return diffs[std::min(i, diffs.size() - 1)];
    };
    c.ci = {at(0.025), at(0.975)};
    return c;
}

}  // namespace flash::eval
