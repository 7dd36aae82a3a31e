// The answer shape: the citation grammar's language and the parser that reads answers back.
#include <gtest/gtest.h>

#include "ask/answer_format.h"
#include "core/error.h"
#include "grammar/reference_recognizer.h"

namespace flash::ask {
namespace {

using grammar::testing::ReferenceRecognizer;

TEST(AnswerGrammar, AcceptsCitedLinesAndTheAbstention) {
    ReferenceRecognizer rr(answer_grammar(12));
    EXPECT_TRUE(rr.accepts("I don't know."));
    EXPECT_TRUE(rr.accepts("[3] Returns are accepted for 30 days."));
    EXPECT_TRUE(rr.accepts("[3][12] Returns are accepted for 30 days. Opened items get credit."));
    EXPECT_TRUE(rr.accepts("[1] First claim\n[2] Second claim.\n[12] Third"));
    EXPECT_FALSE(rr.accepts("[1] A\n[1] B\n[1] C\n[1] D"));  // more lines than the default 3
    EXPECT_TRUE(rr.accepts("[4] Le café coûte 3 €"));
    EXPECT_TRUE(rr.accepts("[4] It opens at 9 a.m. and costs $7.95!"));
}

TEST(AnswerGrammar, RejectsWhatCouldMislead) {
    ReferenceRecognizer rr(answer_grammar(12));
    EXPECT_FALSE(rr.accepts("Returns are accepted for 30 days."));  // no citation
    EXPECT_FALSE(rr.accepts("Returns are accepted [3]"));           // citation last
    EXPECT_FALSE(rr.accepts("[13] Returns are accepted"));          // outside the context
    EXPECT_FALSE(rr.accepts("[0] Returns are accepted"));
    EXPECT_FALSE(rr.accepts("[1] Returns [are] accepted"));  // brackets inside a claim
    EXPECT_FALSE(rr.accepts("[1]  Two spaces"));
    EXPECT_FALSE(rr.accepts("[1]"));  // a citation with no claim
    EXPECT_FALSE(rr.accepts("[1] A\n\n[2] B"));
    EXPECT_FALSE(rr.accepts("I don't know. [1]"));
}

TEST(AnswerGrammar, ShapeLimits) {
    AnswerShape shape;
    shape.max_claims = 1;
    shape.max_claim_chars = 5;
    shape.max_citations = 1;
    ReferenceRecognizer rr(answer_grammar(3, shape));
    EXPECT_TRUE(rr.accepts("[1] abcde"));
    EXPECT_FALSE(rr.accepts("[1] abcdef"));
    EXPECT_FALSE(rr.accepts("[1][2] abc"));
    EXPECT_FALSE(rr.accepts("[1] abc\n[2] abc"));
    EXPECT_THROW(answer_grammar(0), Error);
}

TEST(ParseAnswer, LinesAndTheirCitations) {
    const DraftAnswer a =
        parse_answer("[3] Returns are accepted for 30 days.\n[4][7] Opened items get credit.");
    ASSERT_FALSE(a.abstained);
    ASSERT_EQ(a.claims.size(), 2u);
    EXPECT_EQ(a.claims[0].text, "Returns are accepted for 30 days.");
    EXPECT_EQ(a.claims[0].cited, (std::vector<int>{3}));
    EXPECT_EQ(a.claims[1].text, "Opened items get credit.");
    EXPECT_EQ(a.claims[1].cited, (std::vector<int>{4, 7}));
}

TEST(ParseAnswer, EachSentenceOfALineIsAClaim) {
    const DraftAnswer a =
        parse_answer("[2] It opens at 9 a.m. on weekdays. It closes at 5 p.m. Parking is free.");
    ASSERT_EQ(a.claims.size(), 3u);
    EXPECT_EQ(a.claims[0].text, "It opens at 9 a.m. on weekdays.");
    EXPECT_EQ(a.claims[1].text, "It closes at 5 p.m.");
    EXPECT_EQ(a.claims[2].text, "Parking is free.");
    for (const DraftClaim& c : a.claims) EXPECT_EQ(c.cited, (std::vector<int>{2}));
}

TEST(ParseAnswer, UnconstrainedShapes) {
    // Markers after the text, comma-separated markers, a line with none, a bracket that is
    // not a marker.
    const DraftAnswer a =
        parse_answer("It is blue [2], [5].\nNo citation here\nSee [note] too [1]");
    ASSERT_EQ(a.claims.size(), 3u);
    EXPECT_EQ(a.claims[0].text, "It is blue.");
    EXPECT_EQ(a.claims[0].cited, (std::vector<int>{2, 5}));
    EXPECT_EQ(a.claims[1].text, "No citation here");
    EXPECT_TRUE(a.claims[1].cited.empty());
    EXPECT_EQ(a.claims[2].text, "See [note] too");
    EXPECT_EQ(a.claims[2].cited, (std::vector<int>{1}));
}

TEST(ParseAnswer, Abstentions) {
    EXPECT_TRUE(parse_answer("I don't know.").abstained);
    EXPECT_TRUE(parse_answer("Sorry, I do not know the answer.").abstained);
    EXPECT_TRUE(parse_answer("I don’t know").abstained);
    // Citing something is an answer, whatever else is said.
    EXPECT_FALSE(parse_answer("[2] I don't know the exact date, but it is May").abstained);
    const DraftAnswer empty = parse_answer("");
    EXPECT_FALSE(empty.abstained);
    EXPECT_TRUE(empty.claims.empty());
}

}  // namespace
}  // namespace flash::ask
