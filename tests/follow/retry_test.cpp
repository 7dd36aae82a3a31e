// The check-and-retry policy: what cannot be enforced is checked, generated again on failure
// with another seed at a higher temperature, and reported by the try that passed.
#include <gtest/gtest.h>

#include "common/error_of.h"
#include "fake_model.h"

namespace flash::follow {
namespace {

using instruct::Instruction;

// A generator that answers try k with replies[k - 1] and records the sampling it was given.
struct ScriptedModel {
    std::vector<std::string> replies;
    std::vector<SamplerConfig> seen;

    InstructionFollower follower() {
        return InstructionFollower(
            [this](const std::string&, const std::string&, const GenerateOptions& o,
                   GenerationStats& stats) {
                seen.push_back(o.sampling);
                stats.generated_tokens = 5;
                return replies.at(std::min(seen.size(), replies.size()) - 1);
            },
            testing::fake_vocab());
    }
};

const Instruction kIncludeSea{"keywords:include", {{"keywords", {"sea"}}}};

TEST(Retry, PassesOnTheSecondTryWithAnotherSeedAndTemperature) {
    ScriptedModel model{{"The sun is warm.", "The sea is calm.", "unused"}};
    FollowOptions o;
    o.retries = 2;
    const InstructedGeneration g = model.follower().follow("Write.", {kIncludeSea}, o);
    EXPECT_EQ(g.response, "The sea is calm.");
    EXPECT_EQ(g.tries, 2);
    EXPECT_EQ(g.kept_try, 2);
    EXPECT_EQ(g.generated_tokens, 10);
    ASSERT_EQ(g.instructions.size(), 1u);
    EXPECT_EQ(g.instructions[0].status(), "checked and retried (passed on try 2)");
    ASSERT_EQ(model.seen.size(), 2u);
    EXPECT_NE(model.seen[0].seed, model.seen[1].seed);
    EXPECT_GE(model.seen[1].temperature, o.retry_temperature);
}

TEST(Retry, NotMetAfterEveryTryKeepsTheFirstBestTry) {
    ScriptedModel model{{"No water here.", "Only sand.", "Dry land."}};
    FollowOptions o;
    o.retries = 2;
    const InstructedGeneration g = model.follower().follow("Write.", {kIncludeSea}, o);
    EXPECT_EQ(g.tries, 3);
    EXPECT_EQ(g.kept_try, 1);
    EXPECT_EQ(g.response, "No water here.");
    EXPECT_FALSE(g.all_met());
    EXPECT_EQ(g.instructions[0].status(), "not met");
    EXPECT_NE(g.instructions[0].reason.find("sea"), std::string::npos) << g.instructions[0].reason;
}

TEST(Retry, PassingOnTheFirstTryMakesNoOtherTry) {
    ScriptedModel model{{"By the sea."}};
    const InstructedGeneration g = model.follower().follow("Write.", {kIncludeSea}, {});
    EXPECT_EQ(g.tries, 1);
    EXPECT_EQ(g.instructions[0].status(), "checked (passed on try 1)");
    const auto j = g.to_json();
    EXPECT_EQ(j["instructions"][0]["status"], "checked (passed on try 1)");
    EXPECT_EQ(j["response"], "By the sea.");
}

TEST(Retry, KeepsTheTryThatMeetsMostInstructions) {
    ScriptedModel model{{"nothing", "the sea", "The Sea and sun."}};
    const Instruction sun{"keywords:include", {{"keywords", {"sun"}}}};
    FollowOptions o;
    o.enforce = false;
    o.retries = 2;
    const InstructedGeneration g = model.follower().follow("Write.", {kIncludeSea, sun}, o);
    EXPECT_EQ(g.kept_try, 3);
    EXPECT_TRUE(g.all_met());
}

TEST(Retry, BadInstructionIsAnErrorEvenWithEnforcementOff) {
    ScriptedModel model{{"x"}};
    FollowOptions o;
    o.enforce = false;
    const std::string e = flash::testing::error_of([&] {
        model.follower().follow("Write.", {{"length:words", {{"num_words", 3}}}}, o);
    });
    EXPECT_NE(e.find("relation"), std::string::npos) << e;
}

}  // namespace
}  // namespace flash::follow
