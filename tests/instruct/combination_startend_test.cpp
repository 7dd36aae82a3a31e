#include <gtest/gtest.h>

#include "check_helpers.h"

namespace flash::instruct::testing {
namespace {

using nlohmann::json;

TEST(TwoResponses, TwoDifferentPiecesAroundSixAsterisks) {
    EXPECT_TRUE(
        passes("combination:two_responses", json::object(), "Version one.\n******\nVersion two."));
    EXPECT_TRUE(passes("combination:two_responses", json::object(),
                       "******\nOne.\n******\nTwo.\n******\n"));
    EXPECT_EQ(
        strict("combination:two_responses", json::object(), "Same.\n******\n  Same.  ").reason,
        "the two responses are the same");
    EXPECT_EQ(strict("combination:two_responses", json::object(), "One.\n***\nTwo.").reason,
              "found 1 response separated by ******, expected 2");
    EXPECT_FALSE(passes("combination:two_responses", json::object(), "One.\n******\n******\nTwo."));
    EXPECT_FALSE(passes("combination:two_responses", json::object(), "A\n******\nB\n******\nC"));
}

TEST(RepeatPrompt, StartsWithTheRequestCaseInsensitively) {
    const json args = {{"prompt_to_repeat", "Write a product description for a notebook."}};
    EXPECT_TRUE(passes("combination:repeat_prompt", args,
                       "\n write a product description for a notebook. This notebook is great."));
    EXPECT_FALSE(passes("combination:repeat_prompt", args,
                        "Sure! Write a product description for a notebook. This notebook..."));
    EXPECT_FALSE(passes("combination:repeat_prompt", args, "Write a product description."));
}

TEST(StartChecker, PhraseAtTheStartEndingAWord) {
    const json args = {{"start_phrase", "Here is"}};
    EXPECT_TRUE(passes("startend:start_checker", args, "  Here is the plan."));
    EXPECT_TRUE(passes("startend:start_checker", args, "HERE IS: the plan."));
    EXPECT_FALSE(passes("startend:start_checker", args, "Here isn't a plan."));
    EXPECT_FALSE(passes("startend:start_checker", args, "Well, here is the plan."));
    EXPECT_TRUE(passes("startend:start_checker", {{"start_phrase", "Great question,"}},
                       "Great question, indeed."));
}

TEST(EndChecker, NothingAfterThePhrase) {
    const json args = {{"end_phrase", "Is there anything else I can help with?"}};
    EXPECT_TRUE(
        passes("startend:end_checker", args, "Done. Is there anything else I can help with?  \n"));
    EXPECT_TRUE(
        passes("startend:end_checker", args, "DONE. IS THERE ANYTHING ELSE I CAN HELP WITH?"));
    EXPECT_FALSE(
        passes("startend:end_checker", args, "Is there anything else I can help with? Bye."));
    EXPECT_FALSE(passes("startend:end_checker", args, "Is there anything else I can help with"));
    EXPECT_TRUE(
        passes("startend:end_checker", {{"end_phrase", "à bientôt."}}, "Merci et À BIENTÔT."));
}

TEST(Quotation, WholeResponseInDoubleQuotes) {
    EXPECT_TRUE(passes("startend:quotation", json::object(), "  \"Hello, world.\"\n"));
    EXPECT_TRUE(passes("startend:quotation", json::object(), "“Bonjour à tous.”"));
    EXPECT_FALSE(passes("startend:quotation", json::object(), "\"Hello,\" she said."));
    EXPECT_FALSE(passes("startend:quotation", json::object(), "\""));
    EXPECT_FALSE(passes("startend:quotation", json::object(), "'single'"));
}

}  // namespace
}  // namespace flash::instruct::testing
