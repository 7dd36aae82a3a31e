// Words, sentences, paragraphs and UTF-8 repair: the units the length checkers count.
#include <gtest/gtest.h>

#include "instruct/paragraphs.h"
#include "instruct/sentences.h"
#include "instruct/utf8_repair.h"
#include "instruct/words.h"

namespace flash::instruct {
namespace {

TEST(Words, CountsRunsOfLettersAndDigits) {
    EXPECT_EQ(count_words("The cat sat on 2 mats."), 6u);
    EXPECT_EQ(count_words(""), 0u);
    EXPECT_EQ(count_words("  \n\t "), 0u);
    EXPECT_EQ(count_words("*** -- !!"), 0u);
}

TEST(Words, MultiByteLettersBelongToTheirWord) {
    EXPECT_EQ(count_words("café naïve 日本語"), 3u);
    EXPECT_EQ(count_words("Ärger über Öl"), 3u);
    EXPECT_EQ(count_words("crème brûlée—délicieuse"), 3u);  // the em dash separates
}

TEST(Words, InnerApostrophesAndHyphensJoin) {
    EXPECT_EQ(count_words("don't stop, it’s a meal-planning notebook"), 6u);
    EXPECT_EQ(count_words("'quoted' - dash"), 2u);
    EXPECT_EQ(count_words("The U.S.A. costs 3.50 dollars, e.g. here."), 7u);
}

TEST(Words, AllCapitalWordsFollowIsupper) {
    EXPECT_EQ(count_all_capital_words("BUY NOW and SAVE, I said. Ok? COVID-19 2024"), 5u);
    EXPECT_EQ(count_all_capital_words("ÉTÉ Été"), 1u);
    EXPECT_EQ(count_all_capital_words("P.S. I said U.S.A."), 3u);
    EXPECT_EQ(count_all_capital_words("nothing here 123"), 0u);
}

TEST(Words, WholeWordMatchesAreCaseInsensitive) {
    EXPECT_EQ(count_whole_word("Art and ART; the party's artist.", "art"), 2u);
    EXPECT_EQ(count_whole_word("The museum's exhibits", "museum"), 1u);
    EXPECT_EQ(count_whole_word("**Clouds** drift", "clouds"), 1u);
    EXPECT_EQ(count_whole_word("Café CAFÉ cafés", "café"), 2u);
    EXPECT_EQ(count_whole_word("a (b) c", "(b)"), 1u);  // punctuation in the word is literal
}

TEST(Sentences, EndAtTerminatorsFollowedBySpace) {
    EXPECT_EQ(count_sentences("One. Two! Three? Four"), 4u);
    EXPECT_EQ(count_sentences("Wait... what?! Fine…"), 3u);
    EXPECT_EQ(count_sentences("It costs 3.50 dollars. See example.com today."), 2u);
    EXPECT_EQ(count_sentences(""), 0u);
    EXPECT_EQ(count_sentences("   \n  "), 0u);
    EXPECT_EQ(count_sentences("Trailing space.   \n\n  "), 1u);
}

TEST(Sentences, ClosingQuotesStayWithTheirSentence) {
    EXPECT_EQ(count_sentences("She said \"Go home.\" Then she left."), 2u);
    EXPECT_EQ(count_sentences("“Ready?” he asked. (Yes.) **Done.** Next"), 5u);
}

TEST(Sentences, AbbreviationsAndInitials) {
    EXPECT_EQ(count_sentences("Dr. Smith met Mr. J. Jones at St. Paul's. They talked."), 2u);
    EXPECT_EQ(count_sentences("Bring fruit, e.g. apples, etc. and water."), 1u);
    EXPECT_EQ(count_sentences("Bring fruit, bread, etc. Then leave."), 2u);
    EXPECT_EQ(count_sentences("We open at 9 a.m. on Sundays. P.S. Bring a friend."), 2u);
    EXPECT_EQ(count_sentences("It was 2020. The year ended."), 2u);
    EXPECT_EQ(count_sentences("I have 3. You have 4."), 2u);
}

TEST(Sentences, LowercaseTextStillSplits) {
    EXPECT_EQ(count_sentences("the sun rose. the birds sang. we woke up."), 3u);
}

TEST(Sentences, LinesListsAndDividers) {
    EXPECT_EQ(count_sentences("A heading\n\nFirst line. Second line."), 3u);
    EXPECT_EQ(count_sentences("wrapped across\ntwo lines."), 1u);
    EXPECT_EQ(count_sentences("Shopping:\n- eggs\n- milk\n* bread"), 4u);
    EXPECT_EQ(count_sentences("1. Preheat the oven.\n2. Mix the flour.\n10) Bake it."), 3u);
    EXPECT_EQ(count_sentences("Part one\n***\nPart two"), 2u);
}

TEST(Sentences, MultiByteText) {
    EXPECT_EQ(count_sentences("C'est très bien. Ça marche! Où est-il?"), 3u);
    EXPECT_EQ(count_sentences("日本語です。ありがとう！本当？"), 3u);
    EXPECT_EQ(count_sentences("Ünïcödé everywhere. Ñandú corre."), 2u);
}

TEST(Paragraphs, DividersAreExactlyThreeStarsBetweenSpaces) {
    EXPECT_EQ(split_at_dividers("a\n***\nb\n\n***\nc").size(), 3u);
    EXPECT_EQ(split_at_dividers("a *** b").size(), 2u);
    EXPECT_EQ(split_at_dividers("***bold italic*** text").size(), 1u);
    EXPECT_EQ(split_at_dividers("one\n******\ntwo").size(), 1u);
}

TEST(Paragraphs, BlankLinesSplitAndEmptyParagraphsDrop) {
    const auto paragraphs =
        split_at_blank_lines("\n\nFirst one.\n  \t\nSecond\nstill second.\n\n\n\nThird  \n");
    ASSERT_EQ(paragraphs.size(), 3u);
    EXPECT_EQ(paragraphs[0], "First one.");
    EXPECT_EQ(paragraphs[1], "Second\nstill second.");
    EXPECT_EQ(paragraphs[2], "Third");
    EXPECT_TRUE(split_at_blank_lines(" \n\n ").empty());
}

TEST(Utf8Repair, ValidTextIsUnchangedInvalidBytesBecomeReplacementCharacters) {
    EXPECT_EQ(repair_utf8("café 日本語 😀"), "café 日本語 😀");
    EXPECT_EQ(repair_utf8("a\xFF"
                          "b"),
              "a\xEF\xBF\xBD"
              "b");
    EXPECT_EQ(repair_utf8("\xC3"), "\xEF\xBF\xBD");                                  // truncated
    EXPECT_EQ(repair_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong
    EXPECT_EQ(repair_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
}

}  // namespace
}  // namespace flash::instruct
