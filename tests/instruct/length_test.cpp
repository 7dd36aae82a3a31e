#include <gtest/gtest.h>

#include "check_helpers.h"

namespace flash::instruct::testing {
namespace {

using nlohmann::json;

TEST(LengthWords, AtLeastAndLessThan) {
    const std::string five = "Café naïve, don't stop now!";
    EXPECT_TRUE(passes("length:words", {{"relation", "at least"}, {"num_words", 5}}, five));
    EXPECT_FALSE(passes("length:words", {{"relation", "at least"}, {"num_words", 6}}, five));
    EXPECT_TRUE(passes("length:words", {{"relation", "less than"}, {"num_words", 6}}, five));
    const CheckResult result =
        strict("length:words", {{"relation", "less than"}, {"num_words", 5}}, five);
    EXPECT_FALSE(result.passed);
    EXPECT_EQ(result.reason, "found 5 words, expected less than 5");
}

TEST(LengthWords, EmptyResponseFollowsNothing) {
    const CheckResult result =
        strict("length:words", {{"relation", "less than"}, {"num_words", 50}}, " \n ");
    EXPECT_FALSE(result.passed);
    EXPECT_EQ(result.reason, "empty response");
}

TEST(LengthSentences, AtLeastAndLessThan) {
    const std::string three = "Dr. Brown arrived. He smiled! Was it 3.5 hours late?";
    EXPECT_TRUE(
        passes("length:sentences", {{"relation", "at least"}, {"num_sentences", 3}}, three));
    EXPECT_FALSE(
        passes("length:sentences", {{"relation", "at least"}, {"num_sentences", 4}}, three));
    EXPECT_TRUE(
        passes("length:sentences", {{"relation", "less than"}, {"num_sentences", 4}}, three));
    EXPECT_EQ(
        strict("length:sentences", {{"relation", "less than"}, {"num_sentences", 3}}, three).reason,
        "found 3 sentences, expected less than 3");
}

TEST(LengthParagraphs, ExactlyNSeparatedByDividers) {
    const json three = {{"num_paragraphs", 3}};
    EXPECT_TRUE(passes("length:paragraphs", three, "One.\n\n***\n\nTwo.\n***\nThree.   \n"));
    EXPECT_TRUE(passes("length:paragraphs", three, "***\nOne.\n***\nTwo.\n***\nThree.\n***"));
    EXPECT_TRUE(passes("length:paragraphs", three, "One. *** Two. *** Three."));
    EXPECT_EQ(strict("length:paragraphs", three, "One.\n\nTwo.\n\nThree.").reason,
              "found 1 paragraph separated by ***, expected exactly 3");
    EXPECT_EQ(strict("length:paragraphs", three, "One.\n***\n***\nTwo.\n***\nThree.").reason,
              "paragraph 2 between *** dividers is empty");
    EXPECT_FALSE(passes("length:paragraphs", three, "One.\n***\nTwo.\n***\nThree.\n***\nFour."));
    EXPECT_FALSE(passes("length:paragraphs", {{"num_paragraphs", 2}}, "One.\n******\nTwo."));
}

TEST(LengthNthParagraphFirstWord, CountAndFirstWord) {
    const json args = {{"num_paragraphs", 3}, {"nth_paragraph", 3}, {"first_word", "lastly"}};
    EXPECT_TRUE(passes("length:nth_paragraph_first_word", args,
                       "First part.\n\nSecond part.\n\nLastly, the end.\n"));
    EXPECT_TRUE(passes("length:nth_paragraph_first_word", args,
                       "\n\nFirst.\n \n\n\nSecond.\n\n\"**Lastly**\" the end."));
    EXPECT_EQ(
        strict("length:nth_paragraph_first_word", args, "First.\n\nSecond.\n\nFinally, the end.")
            .reason,
        "paragraph 3 starts with \"Finally\", expected \"lastly\"");
    EXPECT_EQ(strict("length:nth_paragraph_first_word", args, "First.\n\nLastly, the end.").reason,
              "found 2 paragraphs separated by blank lines, expected exactly 3");
    EXPECT_FALSE(passes("length:nth_paragraph_first_word", args, "A.\n\nB.\n\nLastlyx the end."));
    EXPECT_FALSE(
        passes("length:nth_paragraph_first_word", args, "A.\n***\nB.\n***\nLastly, the end."));
}

TEST(LengthNthParagraphFirstWord, MultiByteFirstWord) {
    const json args = {{"num_paragraphs", 2}, {"nth_paragraph", 1}, {"first_word", "été"}};
    EXPECT_TRUE(passes("length:nth_paragraph_first_word", args, "Été chaud.\n\nHiver froid."));
    EXPECT_FALSE(passes("length:nth_paragraph_first_word", args, "Étés chauds.\n\nHiver froid."));
}

}  // namespace
}  // namespace flash::instruct::testing
