// Loose checking: IFEval's eight variants of the response.
#include <gtest/gtest.h>

#include "check_helpers.h"
#include "instruct/loose_variants.h"

namespace flash::instruct::testing {
namespace {

using nlohmann::json;

TEST(LooseVariants, EightInIfevalsOrderOfConstruction) {
    const auto variants = loose_variants("Sure!\n**Body** text\nHope this helps.");
    ASSERT_EQ(variants.size(), 8u);
    EXPECT_EQ(variants[0].text, "Sure!\n**Body** text\nHope this helps.");
    EXPECT_EQ(variants[1].text, "**Body** text\nHope this helps.");
    EXPECT_EQ(variants[2].text, "Sure!\n**Body** text");
    EXPECT_EQ(variants[3].text, "**Body** text");
    EXPECT_EQ(variants[4].text, "Sure!\nBody text\nHope this helps.");
    EXPECT_EQ(variants[7].name, "first and last lines dropped, asterisks removed");
    EXPECT_EQ(variants[7].text, "Body text");
}

TEST(LooseVariants, SingleLineResponses) {
    const auto variants = loose_variants("only line");
    EXPECT_EQ(variants[1].text, "");
    EXPECT_EQ(variants[2].text, "");
    EXPECT_EQ(variants[3].text, "");
}

TEST(CheckLoose, ForgivesAChattyFirstLine) {
    const json args = {{"start_phrase", "Dear friend"}};
    const std::string text = "Sure, here is your letter:\nDear friend, hello.";
    EXPECT_FALSE(strict("startend:start_checker", args, text).passed);
    const CheckResult result = loose("startend:start_checker", args, text);
    EXPECT_TRUE(result.passed);
    EXPECT_EQ(result.reason, "starts with \"Dear friend\" (first line dropped)");
}

TEST(CheckLoose, ForgivesAClosingRemark) {
    const json args = {{"end_phrase", "Thanks for reading."}};
    EXPECT_TRUE(
        loose("startend:end_checker", args, "Story.\nThanks for reading.\nHope you liked it!")
            .passed);
}

TEST(CheckLoose, ForgivesBoldAroundAPhrase) {
    const json args = {{"start_phrase", "Here is"}};
    EXPECT_FALSE(strict("startend:start_checker", args, "**Here is** the plan.").passed);
    const CheckResult result = loose("startend:start_checker", args, "**Here is** the plan.");
    EXPECT_TRUE(result.passed);
    EXPECT_EQ(result.reason, "starts with \"Here is\" (asterisks removed)");
}

TEST(CheckLoose, StillFailsWhatNoVariantFixes) {
    const json args = {{"num_bullets", 3}};
    const CheckResult result = loose("format:bullet_count", args, "* a\n* b\n* c\n* d\n* e\n* f");
    EXPECT_FALSE(result.passed);
    EXPECT_EQ(result.reason, "found 6 bullets, expected exactly 3");
    EXPECT_FALSE(loose("punctuation:no_comma", json::object(), "a, b\nc, d\ne, f").passed);
}

TEST(CheckLoose, EmptyResponsesFailEverything) {
    EXPECT_FALSE(loose("punctuation:no_comma", json::object(), "").passed);
    EXPECT_FALSE(loose("case:lowercase", json::object(), "   \n\t").passed);
    EXPECT_EQ(loose("keywords:exclude", {{"keywords", {"x"}}}, "").reason, "empty response");
}

TEST(CheckLoose, InvalidUtf8IsRepairedNotRejected) {
    EXPECT_TRUE(loose("punctuation:no_comma", json::object(), "caf\xC3 ok").passed);
    EXPECT_TRUE(strict("length:words", {{"relation", "at least"}, {"num_words", 2}},
                       "bad\xFF"
                       "bytes here")
                    .passed);
}

}  // namespace
}  // namespace flash::instruct::testing
