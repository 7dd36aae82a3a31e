// Grouping sentences into passages: word budget, whole sentences, headings start passages.
#include "retrieval/passages.h"

#include <gtest/gtest.h>

#include <string>

namespace flash::retrieval {
namespace {

std::vector<std::string> passage_texts(const std::string& text, size_t max_words) {
    PassageOptions o;
    o.max_words = max_words;
    std::vector<std::string> out;
    for (const Passage& p : group_passages(text, split_sentences(text), o))
        out.push_back(text.substr(p.start, p.end - p.start));
    return out;
}

TEST(Passages, WordCount) {
    EXPECT_EQ(word_count(""), 0u);
    EXPECT_EQ(word_count("  one two\nthree\t four "), 4u);
}

TEST(Passages, FillUpToTheWordBudgetWithWholeSentences) {
    const std::string text = "One two three. Four five six. Seven eight nine. Ten.";
    EXPECT_EQ(passage_texts(text, 6), (std::vector<std::string>{"One two three. Four five six.",
                                                                "Seven eight nine. Ten."}));
    EXPECT_EQ(passage_texts(text, 100), (std::vector<std::string>{text}));
}

TEST(Passages, ASentenceLongerThanTheBudgetIsAPassageOfItsOwn) {
    const std::string text = "Short. This sentence has many more words than allowed. End.";
    EXPECT_EQ(passage_texts(text, 3),
              (std::vector<std::string>{"Short.", "This sentence has many more words than allowed.",
                                        "End."}));
}

TEST(Passages, HeadingsStartPassagesAndStayWithTheirText) {
    const std::string text =
        "# Guide\n\n## Setup\n\nPlug it in. Wait.\n\n## Reset\n\nHold the button.\n";
    // Markdown marks are already gone in extracted text; emulate that.
    const std::string extracted =
        "Guide\n\nSetup\n\nPlug it in. Wait.\n\nReset\n\nHold the button.\n";
    const auto sentences = split_sentences(extracted);
    const auto passages = group_passages(extracted, sentences);
    ASSERT_EQ(passages.size(), 2u);
    EXPECT_EQ(extracted.substr(passages[0].start, passages[0].end - passages[0].start),
              "Guide\n\nSetup\n\nPlug it in. Wait.");
    EXPECT_EQ(passages[0].sentences.size(), 4u);
    EXPECT_TRUE(passages[0].sentences[0].heading);
    EXPECT_EQ(extracted.substr(passages[1].start, passages[1].end - passages[1].start),
              "Reset\n\nHold the button.");
    (void)text;
}

TEST(Passages, PassageSentencesCoverEverySentenceInOrder) {
    std::string text;
    for (int i = 0; i < 200; ++i) text += "Sentence number " + std::to_string(i) + " is here. ";
    const auto sentences = split_sentences(text);
    const auto passages = group_passages(text, sentences, {});
    size_t k = 0;
    for (const auto& p : passages) {
        EXPECT_LE(word_count(std::string_view(text).substr(p.start, p.end - p.start)), 120u);
        for (const auto& s : p.sentences) {
            ASSERT_LT(k, sentences.size());
            EXPECT_EQ(s, sentences[k++]);
        }
    }
    EXPECT_EQ(k, sentences.size());
}

TEST(Passages, NoSentencesNoPassages) {
    EXPECT_TRUE(group_passages("", {}, {}).empty());
}

}  // namespace
}  // namespace flash::retrieval
