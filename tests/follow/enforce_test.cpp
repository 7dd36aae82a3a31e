// Enforcement under a fake model that picks at random among what the masks allow: whatever
// it picks, every enforced instruction must pass its checker. With enforcement off, the same
// model breaks them (so these tests can fail).
#include <gtest/gtest.h>

#include "fake_model.h"
#include "instruct/check.h"

namespace flash::follow {
namespace {

using instruct::Instruction;

Instruction make(const std::string& type, nlohmann::json args = nlohmann::json::object()) {
    return {type, std::move(args)};
}

FollowOptions no_retries(bool enforce = true, int max_tokens = 120) {
    FollowOptions o;
    o.enforce = enforce;
    o.retries = 0;
    o.generation.max_tokens = max_tokens;
    return o;
}

// Every instruction the plan enforces passes on every seed.
void expect_enforced_pass(const std::vector<Instruction>& instructions, int max_tokens = 120,
                          const std::vector<std::string>& favoured = {}) {
    for (int seed = 1; seed <= 25; ++seed) {
        auto follower = testing::fake_follower(static_cast<uint32_t>(seed), favoured);
        const InstructedGeneration g =
            follower->follow("Write.", instructions, no_retries(true, max_tokens));
        for (const InstructionReport& r : g.instructions) {
            EXPECT_TRUE(r.enforced) << r.instruction.type << ": " << r.how;
            EXPECT_TRUE(r.passed) << r.instruction.type << " seed " << seed << ": " << r.reason
                                  << "\n---\n"
                                  << g.response << "\n---";
            EXPECT_EQ(r.status(), "enforced");
        }
    }
}

// With enforcement off, the fake model breaks the instructions on most seeds.
int unenforced_passes(const std::vector<Instruction>& instructions, int seeds = 25) {
    int met = 0;
    for (int seed = 1; seed <= seeds; ++seed) {
        auto follower = testing::fake_follower(static_cast<uint32_t>(seed));
        met += follower->follow("Write.", instructions, no_retries(false)).all_met();
    }
    return met;
}

TEST(Enforce, LowercaseAndNoCommasTogether) {
    const std::vector<Instruction> set = {make("case:lowercase"), make("punctuation:no_comma")};
    expect_enforced_pass(set);
    EXPECT_LT(unenforced_passes(set), 3);
}

TEST(Enforce, UppercaseLeavesNoLowercaseLetter) {
    // case:uppercase also wants English, which no mask gives: random text may read as French.
    const std::vector<Instruction> set = {make("case:uppercase")};
    for (int seed = 1; seed <= 25; ++seed) {
        auto follower = testing::fake_follower(static_cast<uint32_t>(seed));
        const InstructedGeneration g = follower->follow("Write.", set, no_retries());
        const InstructionReport& r = g.instructions[0];
        EXPECT_TRUE(r.enforced);
        EXPECT_TRUE(r.passed || r.reason.find("expected English") != std::string::npos)
            << "seed " << seed << ": " << r.reason << "\n"
            << g.response;
        EXPECT_EQ(g.response.find_first_of("abcdefghijklmnopqrstuvwxyz"), std::string::npos);
    }
    EXPECT_LT(unenforced_passes(set), 3);
}

TEST(Enforce, ExactlyFourBulletsWithLowercase) {
    const std::vector<Instruction> set = {make("format:bullet_count", {{"num_bullets", 4}}),
                                          make("case:lowercase")};
    expect_enforced_pass(set, /*max_tokens=*/1000);
    EXPECT_LT(unenforced_passes(set), 3);
}

TEST(Enforce, AnyJson) {
    // Closing characters favoured: a random walk in JSON must end within the budget.
    expect_enforced_pass({make("format:json")}, 400, {"\"", "}", "]", "1"});
    EXPECT_LT(unenforced_passes({make("format:json")}), 3);
}

TEST(Enforce, JsonAndBulletsCloseWithinATightBudget) {
    // No closing characters favoured: the last tokens of the budget close what is open.
    expect_enforced_pass({make("format:json")}, 60);
    expect_enforced_pass({make("format:bullet_count", {{"num_bullets", 5}})}, 60);
}

TEST(Enforce, StartAndEndPhrasesWithNoCommas) {
    const std::vector<Instruction> set = {
        make("startend:start_checker", {{"start_phrase", "Once upon a time"}}),
        make("startend:end_checker", {{"end_phrase", "The end."}}), make("punctuation:no_comma")};
    expect_enforced_pass(set);
    EXPECT_LT(unenforced_passes(set), 3);
}

TEST(Enforce, FewerThanTwelveWordsWithPhrasesCounted) {
    const std::vector<Instruction> set = {
        make("length:words", {{"relation", "less than"}, {"num_words", 12}}),
        make("startend:end_checker", {{"end_phrase", "See you soon"}})};
    expect_enforced_pass(set);
    EXPECT_LT(unenforced_passes(set), 3);
}

TEST(Enforce, QuotationPostscriptTitle) {
    const std::vector<Instruction> set = {
        make("startend:quotation"), make("content:postscript", {{"postscript_marker", "P.S."}}),
        make("format:title")};
    expect_enforced_pass(set);
    EXPECT_LT(unenforced_passes(set), 3);
}

TEST(Enforce, RepeatThePromptThenTwoResponses) {
    const std::vector<Instruction> set = {
        make("combination:repeat_prompt", {{"prompt_to_repeat", "Write a poem about the sea."}}),
        make("combination:two_responses")};
    expect_enforced_pass(set);
    EXPECT_LT(unenforced_passes(set), 3);
}

TEST(Enforce, ConstrainedResponse) {
    expect_enforced_pass({make("format:constrained_response")});
    EXPECT_LT(unenforced_passes({make("format:constrained_response")}), 3);
}

}  // namespace
}  // namespace flash::follow
