// The answer shape: the citation grammar's language and the parser that reads answers back.
#include <gtest/gtest.h>

#include "ask/answer_format.h"
#include "core/error.h"
#include "grammar/reference_recognizer.h"

namespace flash::ask {
namespace {

using grammar::testing::ReferenceRecognizer;

TEST(AnswerGrammar, AcceptsCitedSentencesAndTheAbstention) {
    ReferenceRecognizer rr(answer_grammar(12));
    EXPECT_TRUE(rr.accepts("I don't know."));
    EXPECT_TRUE(rr.accepts("Returns are accepted for 30 days. [3]"));
    EXPECT_TRUE(rr.accepts("Returns are accepted for 30 days. [3][12]"));
    EXPECT_TRUE(rr.accepts("First claim [1]\nSecond claim. [2]\nThird [12]"));
    EXPECT_TRUE(rr.accepts("Le café coûte 3 € [4]"));
    EXPECT_TRUE(rr.accepts("It opens at 9 a.m. and costs $7.95! [4]"));
    EXPECT_TRUE(rr.accepts("Is it v1.2.3? [4]"));
}

TEST(AnswerGrammar, RejectsWhatCouldMislead) {
    ReferenceRecognizer rr(answer_grammar(12));
    EXPECT_FALSE(rr.accepts("Returns are accepted for 30 days."));  // no citation
    EXPECT_FALSE(rr.accepts("Returns are accepted [13]"));          // outside the context
    EXPECT_FALSE(rr.accepts("Returns are accepted [0]"));
    EXPECT_FALSE(rr.accepts("Returns [are] accepted [1]"));         // brackets inside a claim
    EXPECT_FALSE(rr.accepts(" Leading space [1]"));
    EXPECT_FALSE(rr.accepts("[1] citation first"));
    EXPECT_FALSE(rr.accepts("One sentence. Then another [1]"));  // a claim is one sentence
    EXPECT_FALSE(rr.accepts(". [1]"));
    EXPECT_FALSE(rr.accepts("A [1]\nB [1]\nC [1]\nD [1]"));  // more claims than the default 3
}

TEST(AnswerGrammar, ShapeLimits) {
    AnswerShape shape;
    shape.max_claims = 1;
    shape.max_claim_chars = 5;
    shape.max_citations = 1;
    ReferenceRecognizer rr(answer_grammar(3, shape));
    EXPECT_TRUE(rr.accepts("abcde [1]"));
    EXPECT_TRUE(rr.accepts("abcde. [1]"));
    EXPECT_FALSE(rr.accepts("abcdef [1]"));
    EXPECT_FALSE(rr.accepts("abc [1][2]"));
    EXPECT_FALSE(rr.accepts("abc [1]\nabc [2]"));
    EXPECT_THROW(answer_grammar(0), Error);
}

TEST(ParseAnswer, ClaimsAndTheirCitations) {
    const DraftAnswer a = parse_answer("Returns are accepted for 30 days. [3]\nOpened items get credit [4][7].");
    ASSERT_FALSE(a.abstained);
    ASSERT_EQ(a.claims.size(), 2u);
    EXPECT_EQ(a.claims[0].text, "Returns are accepted for 30 days.");
    EXPECT_EQ(a.claims[0].cited, (std::vector<int>{3}));
    EXPECT_EQ(a.claims[1].text, "Opened items get credit.");
    EXPECT_EQ(a.claims[1].cited, (std::vector<int>{4, 7}));
}

TEST(ParseAnswer, UnconstrainedShapes) {
    // Comma-separated markers, a claim with no marker, a bracket that is not a marker.
    const DraftAnswer a = parse_answer("It is blue [2], [5] and that is all.\nNo citation here\nSee [note] too");
    ASSERT_EQ(a.claims.size(), 4u);
    EXPECT_EQ(a.claims[0].cited, (std::vector<int>{2, 5}));
    EXPECT_EQ(a.claims[1].text, "and that is all.");
    EXPECT_TRUE(a.claims[1].cited.empty());
    EXPECT_EQ(a.claims[2].text, "No citation here");
    EXPECT_EQ(a.claims[3].text, "See [note] too");
}

TEST(ParseAnswer, Abstentions) {
    EXPECT_TRUE(parse_answer("I don't know.").abstained);
    EXPECT_TRUE(parse_answer("Sorry, I do not know the answer.").abstained);
    EXPECT_TRUE(parse_answer("I don’t know").abstained);
    // Citing something is an answer, whatever else is said.
    EXPECT_FALSE(parse_answer("I don't know the exact date, but it is May [2]").abstained);
    const DraftAnswer empty = parse_answer("");
    EXPECT_FALSE(empty.abstained);
    EXPECT_TRUE(empty.claims.empty());
}

}  // namespace
}  // namespace flash::ask
