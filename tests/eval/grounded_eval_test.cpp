// Grounded-answer scoring: answer matching and the suite file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/error_of.h"
#include "core/error.h"
#include "eval/grounded_eval.h"

namespace flash::eval {
namespace {

const std::string k_suite = std::string(FLASH_SOURCE_DIR) + "/data/eval/grounded";

TEST(GroundedScoring, AnswersMatchAsWholeWordsAfterNormalising) {
    EXPECT_TRUE(answer_matches("Unopened items can go back within 30 days.", {"30 days"}));
    EXPECT_TRUE(answer_matches("It costs $1,200.00 a year", {"1200"}));
    EXPECT_TRUE(answer_matches("THIRTY DAYS", {"30 days", "thirty days"}));
    EXPECT_TRUE(answer_matches("No, labor is not covered.", {"no"}));
    EXPECT_FALSE(answer_matches("It takes 300 days", {"30 days"}));
    EXPECT_FALSE(answer_matches("Nobody knows", {"no"}));
    EXPECT_FALSE(answer_matches("", {"30"}));
    EXPECT_FALSE(answer_matches("30 days", {}));
}

TEST(GroundedScoring, HedgingAcrossNumbersIsNotRight) {
    GroundedCase c;
    c.question = "How many days do customers have to return an unopened item?";
    c.answerable = true;
    c.answers = {"30 days", "30"};
    c.support = {
        {"refund_policy.md", "Unopened items may be returned within 30 days of delivery."}};
    EXPECT_TRUE(answer_is_right("Within 30 days of delivery.", c));
    EXPECT_FALSE(answer_is_right("10 days, 15 days or 30 days.", c));
    c.answerable = false;
    EXPECT_FALSE(answer_is_right("Within 30 days of delivery.", c));
}

TEST(GroundedScoring, TheSuiteLoads) {
    const std::vector<GroundedCase> cases = load_grounded_suite(k_suite);
    ASSERT_GE(cases.size(), 150u);
    size_t unanswerable = 0;
    for (const GroundedCase& c : cases) {
        unanswerable += !c.answerable;
        EXPECT_FALSE(c.documents.empty()) << c.id;
        if (c.answerable) {
            EXPECT_FALSE(c.support.empty()) << c.id;
            EXPECT_FALSE(c.answers.empty()) << c.id;
        }
    }
    EXPECT_GE(unanswerable * 4, cases.size()) << "about a third should be unanswerable";
}

TEST(GroundedScoring, ABadLineNamesItsPlace) {
    const std::string dir = ::testing::TempDir() + "/grounded_bad";
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/questions.jsonl")
        << R"({"id": "g1", "question": "q", "documents": ["a.md"], "answerable": false, "answers": [], "support": []})"
        << "\n{\"id\": \"g2\", \"question\": 5}\n";
    const std::string e = testing::error_of([&] { load_grounded_suite(dir); });
    EXPECT_NE(e.find("questions.jsonl:2"), std::string::npos) << e;
    EXPECT_NE(testing::error_of([&] { load_grounded_suite(dir + "/missing"); }).find("cannot read"),
              std::string::npos);
}

}  // namespace
}  // namespace flash::eval
