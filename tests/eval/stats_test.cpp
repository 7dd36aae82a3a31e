// Wilson intervals against published values and the paired comparison's flips and bootstrap.
#include <gtest/gtest.h>

#include <stdexcept>

#include "eval/stats.h"

namespace flash::eval {
namespace {

TEST(Stats, WilsonIntervalMatchesTheFormula) {
    // 5 of 10: 0.2366 to 0.7634; 0 of 10: 0 to 0.2775; 10 of 10: 0.7225 to 1.
    Interval i = wilson_interval(5, 10);
    EXPECT_NEAR(i.low, 0.2366, 1e-4);
    EXPECT_NEAR(i.high, 0.7634, 1e-4);
    i = wilson_interval(0, 10);
    EXPECT_NEAR(i.low, 0.0, 1e-12);
    EXPECT_NEAR(i.high, 0.2775, 1e-4);
    i = wilson_interval(10, 10);
    EXPECT_NEAR(i.low, 0.7225, 1e-4);
    EXPECT_NEAR(i.high, 1.0, 1e-12);
    i = wilson_interval(0, 0);
    EXPECT_EQ(i.low, 0.0);
    EXPECT_EQ(i.high, 0.0);
    // More samples, narrower interval.
    EXPECT_LT(wilson_interval(500, 1000).high - wilson_interval(500, 1000).low,
              wilson_interval(5, 10).high - wilson_interval(5, 10).low);
}

TEST(Stats, PairedComparisonCountsFlipsAndBracketsTheDifference) {
    std::vector<bool> base(100, true), cand(100, true);
    PairedComparison same = paired_comparison(base, cand);
    EXPECT_EQ(same.right_to_wrong, 0);
    EXPECT_EQ(same.wrong_to_right, 0);
    EXPECT_EQ(same.difference, 0.0);
    EXPECT_EQ(same.ci.low, 0.0);
    EXPECT_EQ(same.ci.high, 0.0);

    for (int i = 0; i < 20; ++i) cand[i] = false;    // 20 right→wrong
    for (int i = 90; i < 100; ++i) base[i] = false;  // 10 wrong→right
    const PairedComparison p = paired_comparison(base, cand);
    EXPECT_EQ(p.n, 100);
    EXPECT_EQ(p.right_to_wrong, 20);
    EXPECT_EQ(p.wrong_to_right, 10);
    EXPECT_NEAR(p.difference, -0.10, 1e-12);
    EXPECT_LT(p.ci.low, p.difference);
    EXPECT_GT(p.ci.high, p.difference);
    EXPECT_GT(p.ci.low, -0.3);
    EXPECT_LT(p.ci.high, 0.1);
    // Deterministic.
    const PairedComparison again = paired_comparison(base, cand);
    EXPECT_EQ(again.ci.low, p.ci.low);
    EXPECT_EQ(again.ci.high, p.ci.high);
    EXPECT_THROW(paired_comparison(base, std::vector<bool>(3)), std::invalid_argument);
}

}  // namespace
}  // namespace flash::eval
