#include <gtest/gtest.h>

#include "check_helpers.h"

namespace flash::instruct::testing {
namespace {

using nlohmann::json;

TEST(KeywordsInclude, EveryKeywordAsAWholeWordInAnyCase) {
    const json args = {{"keywords", {"attic", "candle"}}};
    EXPECT_TRUE(passes("keywords:include", args, "A CANDLE in the Attic."));
    const CheckResult missing = strict("keywords:include", args, "A candle in the attics.");
    EXPECT_FALSE(missing.passed);
    EXPECT_EQ(missing.reason, "missing \"attic\"");
    EXPECT_FALSE(passes("keywords:include", {{"keywords", {"art"}}}, "a party"));
}

TEST(KeywordsInclude, MultiByteKeywords) {
    EXPECT_TRUE(passes("keywords:include", {{"keywords", {"café"}}}, "Le CAFÉ est ouvert."));
    EXPECT_FALSE(passes("keywords:include", {{"keywords", {"café"}}}, "Le cafétéria."));
}

TEST(KeywordsExclude, NoneOfTheWords) {
    const json args = {{"keywords", {"great", "amazing"}}};
    EXPECT_TRUE(passes("keywords:exclude", args, "A greater, amazingly good day."));
    const CheckResult found = strict("keywords:exclude", args, "Great! Truly great and AMAZING.");
    EXPECT_FALSE(found.passed);
    EXPECT_EQ(found.reason, "contains forbidden \"great\" 2 times, \"amazing\" 1 time");
}

TEST(KeywordsFrequency, AtLeastAndLessThan) {
    const std::string text = "The teacher thanked every teacher; teachers and a Teacher.";
    EXPECT_TRUE(passes("keywords:frequency",
                       {{"keyword", "teacher"}, {"relation", "at least"}, {"frequency", 3}}, text));
    const CheckResult four =
        strict("keywords:frequency",
               {{"keyword", "teacher"}, {"relation", "at least"}, {"frequency", 4}}, text);
    EXPECT_FALSE(four.passed);
    EXPECT_EQ(four.reason, "\"teacher\" appears 3 times, expected at least 4");
    EXPECT_TRUE(passes("keywords:frequency",
                       {{"keyword", "teacher"}, {"relation", "less than"}, {"frequency", 4}},
                       text));
    EXPECT_FALSE(passes("keywords:frequency",
                        {{"keyword", "teacher"}, {"relation", "less than"}, {"frequency", 3}},
                        text));
}

TEST(KeywordsLetterFrequency, CountsTheLetterInEitherCase) {
    const json at_least_3 = {{"letter", "z"}, {"relation", "at least"}, {"frequency", 3}};
    EXPECT_TRUE(passes("keywords:letter_frequency", at_least_3, "Zebras zigzag."));
    EXPECT_FALSE(passes("keywords:letter_frequency", at_least_3, "Zebras zoom; ž is not one."));
    const json less_than_2 = {{"letter", "w"}, {"relation", "less than"}, {"frequency", 2}};
    EXPECT_TRUE(passes("keywords:letter_frequency", less_than_2, "One wish."));
    const CheckResult two = strict("keywords:letter_frequency", less_than_2, "We wish.");
    EXPECT_FALSE(two.passed);
    EXPECT_EQ(two.reason, "letter \"w\" appears 2 times, expected less than 2");
}

}  // namespace
}  // namespace flash::instruct::testing
