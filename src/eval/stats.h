// Confidence intervals for the ladder's per-sample right/wrong outcomes: Wilson's interval for
// one accuracy, and for two runs over the same samples the flips between them and a paired
// bootstrap interval of the accuracy difference (samples resampled together, so the shared
// difficulty of a case cancels). Depends on nothing.
#pragma once

#include <cstdint>
#include <vector>

namespace flash::eval {

struct Interval {
    double low = 0, high = 0;
};

// 95% Wilson score interval of hits / n ({0, 0} when n is 0).
Interval wilson_interval(int64_t hits, int64_t n);

struct PairedComparison {
    int64_t n = 0;
    int64_t right_to_wrong = 0;  // right in the baseline, wrong in the candidate
    int64_t wrong_to_right = 0;
    double difference = 0;  // candidate accuracy minus baseline accuracy
    Interval ci;            // 95% paired bootstrap interval of the difference
};

// `baseline` and `candidate` are outcomes of the same samples in the same order (sizes must
// match). Deterministic: the resampling uses a fixed seed.
PairedComparison paired_comparison(const std::vector<bool>& baseline,
                                   const std::vector<bool>& candidate, int resamples = 2000,
                                   uint64_t seed = 1);

}  // namespace flash::eval
