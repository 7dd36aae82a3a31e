// User queries → FTS5 MATCH expressions that are always valid.
#include "retrieval/fts_query.h"

#include <gtest/gtest.h>

namespace flash::retrieval {
namespace {

TEST(FtsQuery, WordsAreLowercasedDeduplicatedAndOred) {
    EXPECT_EQ(query_words("What's \"the\" PRICE? the price!"),
              (std::vector<std::string>{"what", "s", "the", "price"}));
    EXPECT_EQ(fts_match_query("What's the price or cost?"), "\"price\" OR \"cost\"");
}

// "the", "is", "what" match nearly every passage: matching on them padded results with
// unrelated passages, so a query of function words alone matches nothing.
TEST(FtsQuery, FunctionWordsAreNotMatched) {
    EXPECT_EQ(fts_match_query("What is the warranty?"), "\"warranty\"");
    EXPECT_EQ(fts_match_query("What is it, and how?"), "");
    EXPECT_TRUE(is_function_word("the"));
    EXPECT_FALSE(is_function_word("kettle"));
}

TEST(FtsQuery, OperatorsAndPunctuationAreJustSeparators) {
    EXPECT_EQ(query_words("NEAR(a b) AND -c OR d* ^e col:f {g} (h)"),
              (std::vector<std::string>{"near", "a", "b", "and", "c", "or", "d", "e", "col", "f",
                                        "g", "h"}));
    EXPECT_EQ(fts_match_query("\"\" ** () -- :: ?!"), "");
}

TEST(FtsQuery, UnicodeWordsStayWholeAndUnicodePunctuationSeparates) {
    EXPECT_EQ(query_words("Café — “crème” brûlée… 東京。"),
              (std::vector<std::string>{"café", "crème", "brûlée", "東京"}));
}

TEST(FtsQuery, AtMostSixtyFourWords) {
    std::string q;
    for (int i = 0; i < 100; ++i) {
        q += 'w';
        q += std::to_string(i);
        q += ' ';
    }
    EXPECT_EQ(query_words(q).size(), 64u);
}

}  // namespace
}  // namespace flash::retrieval
