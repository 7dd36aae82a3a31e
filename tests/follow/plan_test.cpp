// plan_response: which instructions are enforced and how the response is laid out.
#include <gtest/gtest.h>

#include "common/error_of.h"
#include "follow/plan.h"

namespace flash::follow {
namespace {

using instruct::Instruction;

Instruction make(const std::string& type, nlohmann::json args = nlohmann::json::object()) {
    return {type, std::move(args)};
}

TEST(Plan, LowercaseAndNoCommasBecomeOneTokenFilter) {
    const ResponsePlan p = plan_response({make("case:lowercase"), make("punctuation:no_comma")});
    EXPECT_EQ(p.rules.letter_case, LetterCase::Lower);
    EXPECT_TRUE(p.rules.no_commas);
    EXPECT_EQ(p.enforced, (std::vector<bool>{true, true}));
    ASSERT_EQ(p.segments.size(), 1u);
    EXPECT_TRUE(p.segments[0].generated);
    EXPECT_EQ(p.segments[0].grammar, nullptr);
}

TEST(Plan, WordLimitIsOneBelowLessThan) {
    const ResponsePlan p =
        plan_response({make("length:words", {{"relation", "less than"}, {"num_words", 50}})});
    ASSERT_TRUE(p.rules.max_words.has_value());
    EXPECT_EQ(*p.rules.max_words, 49u);
    const ResponsePlan at_least =
        plan_response({make("length:words", {{"relation", "at least"}, {"num_words", 50}})});
    EXPECT_FALSE(at_least.rules.max_words.has_value());
    EXPECT_FALSE(at_least.enforced[0]);
}

TEST(Plan, JsonLeavesCommasAndPhrasesToTheChecks) {
    const ResponsePlan p = plan_response({make("format:json"), make("punctuation:no_comma"),
                                          make("startend:end_checker", {{"end_phrase", "Bye."}})});
    EXPECT_EQ(p.enforced, (std::vector<bool>{true, false, false}));
    EXPECT_FALSE(p.rules.no_commas);
    ASSERT_EQ(p.segments.size(), 1u);
    EXPECT_EQ(p.segments[0].grammar_key, "json");
    EXPECT_NE(p.how[1].find("conflicts with format:json"), std::string::npos) << p.how[1];
}

TEST(Plan, StartPhraseInTheResponseCaseThenBulletsOnANewLineThenEndPhrase) {
    const ResponsePlan p = plan_response(
        {make("case:uppercase"), make("startend:start_checker", {{"start_phrase", "Dear friend"}}),
         make("format:bullet_count", {{"num_bullets", 3}}),
         make("startend:end_checker", {{"end_phrase", "Any questions?"}})});
    EXPECT_EQ(p.enforced, (std::vector<bool>{true, true, true, true}));
    ASSERT_EQ(p.segments.size(), 3u);
    EXPECT_EQ(p.segments[0].text, "DEAR FRIEND ");
    EXPECT_EQ(p.segments[1].grammar_key, "bullets:3:nl");
    EXPECT_EQ(p.segments[2].text, "\n\nANY QUESTIONS?");
}

TEST(Plan, OnlyOneOpeningIsEnforced) {
    const ResponsePlan p = plan_response(
        {make("startend:quotation"), make("startend:start_checker", {{"start_phrase", "Hi"}})});
    EXPECT_EQ(p.enforced, (std::vector<bool>{true, false}));
    EXPECT_EQ(p.segments.front().text, "\"");
    EXPECT_EQ(p.segments.back().text, "\"");
}

TEST(Plan, KeywordsAreLeftToChecking) {
    const ResponsePlan p = plan_response({make("keywords:include", {{"keywords", {"sea"}}})});
    EXPECT_FALSE(p.enforces_anything());
    EXPECT_NE(p.how[0].find("checked only"), std::string::npos);
}

TEST(Plan, BadInstructionIsAnErrorNamingIt) {
    const std::string e = flash::testing::error_of([] { plan_response({make("format:bullets")}); });
    EXPECT_NE(e.find("format:bullets"), std::string::npos) << e;
    const std::string missing =
        flash::testing::error_of([] { plan_response({make("format:bullet_count")}); });
    EXPECT_NE(missing.find("num_bullets"), std::string::npos) << missing;
}

}  // namespace
}  // namespace flash::follow
