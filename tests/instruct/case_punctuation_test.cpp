#include <gtest/gtest.h>

#include "check_helpers.h"

namespace flash::instruct::testing {
namespace {

using nlohmann::json;

TEST(Lowercase, NoCapitalOfAnyScript) {
    EXPECT_TRUE(passes("case:lowercase", json::object(), "café naïve 日本語 123 — ß!"));
    EXPECT_FALSE(passes("case:lowercase", json::object(), "an Idea"));
    const CheckResult accented = strict("case:lowercase", json::object(), "déjà vu à l'École");
    EXPECT_FALSE(accented.passed);
    EXPECT_EQ(accented.reason, "found 1 capital letter, first in \"déjà vu à l'École\"");
}

TEST(Uppercase, CapitalsOnlyAndEnglish) {
    EXPECT_TRUE(
        passes("case:uppercase", json::object(), "THE SMOOTHIE IS READY. IS THERE ANYTHING ELSE?"));
    EXPECT_TRUE(
        passes("case:uppercase", json::object(), "OK! 123"));  // no evidence against English
    EXPECT_FALSE(passes("case:uppercase", json::object(), "THE SMOOTHIE is READY."));
    EXPECT_FALSE(passes("case:uppercase", json::object(), "CRÈME BRÛLÉE ß"));  // ß is lowercase
    EXPECT_FALSE(
        passes("case:uppercase", json::object(), "LA RECETTE EST TRÈS FACILE POUR LES ENFANTS."));
    EXPECT_EQ(strict("case:uppercase", json::object(), "123 !!!").reason, "no letters at all");
}

TEST(CapitalWordFrequency, WordsWrittenInAllCapitals) {
    const std::string text = "Call NOW to SAVE big. I mean it, ASAP!";
    EXPECT_TRUE(
        passes("case:capital_word_frequency", {{"relation", "at least"}, {"frequency", 4}}, text));
    EXPECT_FALSE(
        passes("case:capital_word_frequency", {{"relation", "at least"}, {"frequency", 5}}, text));
    EXPECT_EQ(
        strict("case:capital_word_frequency", {{"relation", "less than"}, {"frequency", 4}}, text)
            .reason,
        "found 4 all-capital words, expected less than 4");
    EXPECT_TRUE(passes("case:capital_word_frequency", {{"relation", "less than"}, {"frequency", 2}},
                       "ÉCOLE école Ok"));
}

TEST(NoComma, AsciiAndFullwidthCommas) {
    EXPECT_TRUE(
        passes("punctuation:no_comma", json::object(), "No commas here; none at all. café"));
    EXPECT_FALSE(passes("punctuation:no_comma", json::object(), "日本語，です"));
    const CheckResult result = strict("punctuation:no_comma", json::object(), "One, two, three");
    EXPECT_FALSE(result.passed);
    EXPECT_EQ(result.reason, "found 2 commas, first in \"One, two, three\"");
}

}  // namespace
}  // namespace flash::instruct::testing
