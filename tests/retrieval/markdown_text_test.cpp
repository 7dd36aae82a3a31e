// Markdown → text: markup goes, words stay, one output line per input line.
#include "retrieval/markdown_text.h"

#include <gtest/gtest.h>

namespace flash::retrieval {
namespace {

TEST(MarkdownText, HeadingMarksAndSetextUnderlinesGo) {
    EXPECT_EQ(markdown_to_text("# One\n## Two ##\n###### Six\nTitle\n=====\nSub\n---\n#hashtag"),
              "One\nTwo\nSix\nTitle\n\nSub\n\n#hashtag");
    EXPECT_EQ(markdown_to_text("## C#"), "C#");
}

TEST(MarkdownText, EmphasisGoesButIntrawordUnderscoresStay) {
    EXPECT_EQ(markdown_to_text("**bold**, *it*, __b__, _i_, ***both***, ~~gone~~"),
              "bold, it, b, i, both, gone");
    EXPECT_EQ(markdown_to_text("keys (prefix pw_test_) and snake_case_name"),
              "keys (prefix pw_test_) and snake_case_name");
    EXPECT_EQ(markdown_to_text("5 * 3 * 2 and a*b"), "5 * 3 * 2 and a*b");
    EXPECT_EQ(markdown_to_text("an *unclosed emphasis"), "an *unclosed emphasis");
}

TEST(MarkdownText, LinksAndImagesKeepTheirText) {
    EXPECT_EQ(markdown_to_text("See [the docs](https://x.example/a_(b)) and ![a cat](cat.png)."),
              "See the docs and a cat.");
    EXPECT_EQ(markdown_to_text(
                  "[ref link][1] and [other][] and <https://a.example/x> and <me@a.example>"),
              "ref link and other and https://a.example/x and me@a.example");
    EXPECT_EQ(markdown_to_text("[**bold link**](u)"), "bold link");
    EXPECT_EQ(markdown_to_text("[1]: https://x.example\nplain [brackets] stay"),
              "\nplain [brackets] stay");
}

TEST(MarkdownText, CodeIsKeptVerbatim) {
    EXPECT_EQ(markdown_to_text("Run `du -sh /var/*` or `a_b_c` now"),
              "Run `du -sh /var/*` or `a_b_c` now");
    EXPECT_EQ(markdown_to_text("```sh\n*not emphasis* [x](y)\n```\nafter"),
              "\n*not emphasis* [x](y)\n\nafter");
    EXPECT_EQ(markdown_to_text("~~~\n# not a heading\n~~~"), "\n# not a heading\n");
}

TEST(MarkdownText, ListsStayOneItemPerLine) {
    EXPECT_EQ(markdown_to_text("- one\n* two\n  + nested *x*\n1. first\n2) second"),
              "- one\n* two\n  + nested x\n1. first\n2) second");
}

TEST(MarkdownText, QuotesRulesTablesCommentsEscapes) {
    EXPECT_EQ(markdown_to_text("> quoted *text*\n> > deeper"), "quoted text\ndeeper");
    EXPECT_EQ(markdown_to_text("a\n***\nb\n- - -\nc"), "a\n\nb\n\nc");
    EXPECT_EQ(markdown_to_text("| A | B |\n|---|:-:|\n| 1 | 2 |"), "| A | B |\n\n| 1 | 2 |");
    EXPECT_EQ(markdown_to_text("x\n<!-- note\nstill note -->\ny"), "x\n\n\ny");
    EXPECT_EQ(markdown_to_text("\\*literal\\* and \\[x\\]"), "*literal* and [x]");
}

TEST(MarkdownText, LineCountIsPreserved) {
    const std::string md = "# A\n\ntext *x*\n```\ncode\n```\n- [l](u)\n";
    const std::string out = markdown_to_text(md);
    EXPECT_EQ(std::count(md.begin(), md.end(), '\n'), std::count(out.begin(), out.end(), '\n'));
}

}  // namespace
}  // namespace flash::retrieval
