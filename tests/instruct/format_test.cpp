#include <gtest/gtest.h>

#include "check_helpers.h"

namespace flash::instruct::testing {
namespace {

using nlohmann::json;

TEST(BulletCount, StarAndDashBulletsCount) {
    const json three = {{"num_bullets", 3}};
    EXPECT_TRUE(passes("format:bullet_count", three, "Tips:\n* one\n- two\n*   three\n"));
    EXPECT_TRUE(passes("format:bullet_count", three, "* café\n* naïve\n* 日本語   "));
    const CheckResult six = strict("format:bullet_count", three, "* a\n* b\n* c\n- d\n- e\n- f");
    EXPECT_FALSE(six.passed);
    EXPECT_EQ(six.reason, "found 6 bullets, expected exactly 3");
}

TEST(BulletCount, NestedBulletsCountAndAreReported) {
    const CheckResult result =
        strict("format:bullet_count", {{"num_bullets", 3}}, "* fruit\n  - apples\n\t* pears\n");
    EXPECT_TRUE(result.passed);
    EXPECT_EQ(result.reason, "found 3 bullets (2 nested), expected exactly 3");
}

TEST(BulletCount, NumberedListsRulesBoldAndDashesAreNotBullets) {
    const std::string text =
        "1. first\n2) second\n**Bold line**\n*no space*\n-5 degrees\n***\n* * *\n---\n- - -\n-\n* "
        "\n"
        "text - with a dash\n";
    EXPECT_EQ(strict("format:bullet_count", {{"num_bullets", 1}}, text).reason,
              "found 0 bullets, expected exactly 1");
    EXPECT_TRUE(passes("format:bullet_count", {{"num_bullets", 1}}, text + "- real one"));
}

TEST(HighlightedSections, ItalicAndBoldSpans) {
    const json two = {{"num_highlights", 2}};
    EXPECT_TRUE(passes("format:highlighted_sections", two, "Use *this* and **that**."));
    EXPECT_TRUE(passes("format:highlighted_sections", two, "* bullet with *one*\n* and *two*"));
    EXPECT_TRUE(passes("format:highlighted_sections", two, "*café au lait* et *naïveté*"));
    EXPECT_EQ(strict("format:highlighted_sections", two, "2 * 3 * 4 and ** ** and *a\nb* and *one*")
                  .reason,
              "found 1 highlighted section, expected at least 2");
    EXPECT_FALSE(passes("format:highlighted_sections", two, "* a bullet\n* another bullet"));
}

TEST(Title, DoubleAngularBrackets) {
    EXPECT_TRUE(passes("format:title", json::object(), "<<A Fresh Start>>\n\nBody."));
    EXPECT_TRUE(passes("format:title", json::object(), "Intro <<été à Paris>> more"));
    EXPECT_FALSE(passes("format:title", json::object(), "<<>> and << >> and <<split\ntitle>>"));
    EXPECT_FALSE(passes("format:title", json::object(), "<A Title>"));
}

TEST(Sections, ExactlyNHeadersAtLineStarts) {
    const json three = {{"section_spliter", "SECTION"}, {"num_sections", 3}};
    EXPECT_TRUE(passes("format:sections", three,
                       "SECTION 1\nIntro.\nSECTION 2\nMiddle.\n## SECTION 3: End\nDone."));
    EXPECT_TRUE(
        passes("format:sections", three, "**SECTION 1**\na\n**SECTION 2**\nb\n**SECTION 3**\nc"));
    EXPECT_EQ(
        strict("format:sections", three, "SECTION 1\na\nSECTION 2\nb, as SECTION 3 says").reason,
        "found 2 sections starting with \"SECTION <number>\", expected exactly 3");
    EXPECT_FALSE(
        passes("format:sections", three, "Section 1\na\nSection 2\nb\nSection 3\nc"));  // case
    EXPECT_FALSE(
        passes("format:sections", three, "SECTION 1\na\nSECTION 2\nb\nSECTION 3\nc\nSECTION 4\nd"));
    EXPECT_FALSE(passes("format:sections", three, "SECTION A\na\nSECTION B\nb\nSECTION C\nc"));
}

TEST(Json, WholeResponseIsJsonPossiblyFenced) {
    EXPECT_TRUE(passes("format:json", json::object(), "{\"poem\": \"thank you, teacher\"}"));
    EXPECT_TRUE(
        passes("format:json", json::object(), "  ```json\n{\"a\": [1, 2, \"café\"]}\n```  \n"));
    EXPECT_TRUE(passes("format:json", json::object(), "```\n[1, 2]\n```"));
    EXPECT_FALSE(passes("format:json", json::object(), "Here is the JSON: {\"a\": 1}"));
    EXPECT_FALSE(passes("format:json", json::object(), "{\"a\": 1} I hope this helps!"));
    EXPECT_FALSE(passes("format:json", json::object(), "{\"a\": 1,}"));
}

TEST(ConstrainedResponse, OneOfTheThreeOptions) {
    EXPECT_TRUE(passes("format:constrained_response", json::object(), "My answer is yes."));
    EXPECT_TRUE(passes("format:constrained_response", json::object(),
                       "  My answer is maybe. It depends.\n"));
    EXPECT_FALSE(passes("format:constrained_response", json::object(), "my answer is yes."));
    EXPECT_FALSE(passes("format:constrained_response", json::object(), "My answer is yes"));
    EXPECT_FALSE(passes("format:constrained_response", json::object(), "Yes."));
}

}  // namespace
}  // namespace flash::instruct::testing
