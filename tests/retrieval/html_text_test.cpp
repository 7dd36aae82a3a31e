// The hand-written HTML → text converter: hidden elements, blocks, tables, entities, whitespace.
#include "retrieval/html_text.h"

#include <gtest/gtest.h>

namespace flash::retrieval {
namespace {

TEST(HtmlText, ScriptStyleTemplateNoscriptAndCommentsAreDropped) {
    EXPECT_EQ(html_to_text("<p>a</p><SCRIPT type=x>if (a < b) { document.write('</p>') }</SCRIPT>"
                           "<style>p > a {}</style><!-- <p>no</p> --><template><p>t</p></template>"
                           "<noscript>enable js</noscript><p>b</p>"),
              "a\n\nb");
}

TEST(HtmlText, BlocksBreakLinesAndInlineTagsDoNot) {
    EXPECT_EQ(html_to_text("<div>one <b>bold</b> <a href=\"x>y\">link</a></div><p>two</p>"),
              "one bold link\n\ntwo");
    EXPECT_EQ(html_to_text("<ul><li>first</li><li>second</li></ul>"), "first\nsecond");
    EXPECT_EQ(html_to_text("line one<br>line two<br/><br>after a gap"),
              "line one\nline two\n\nafter a gap");
    EXPECT_EQ(html_to_text("<h1>Title</h1><h2>Sub</h2>text"), "Title\n\nSub\n\ntext");
    EXPECT_EQ(html_to_text("in<span>side</span>word"), "insideword");
}

TEST(HtmlText, TableRowsAreLinesWithCellsJoinedBySpaces) {
    EXPECT_EQ(
        html_to_text("<table>\n<tr><th>Product</th><th>Price</th></tr>\n"
                     "<tr><td>Cards,  matte</td>\n<td class=\"p\">$39.00</td></tr></table>after"),
        "Product Price\nCards, matte $39.00\n\nafter");
}

TEST(HtmlText, EntitiesNamedAndNumeric) {
    EXPECT_EQ(html_to_text(
                  "&amp; &lt;b&gt; &quot;q&quot; &apos;s&apos; &ndash; &mdash; &middot; &eacute;"),
              "& <b> \"q\" 's' \u2013 \u2014 \u00B7 \u00E9");
    EXPECT_EQ(html_to_text("&#65;&#x42;&#X43; &#8364; &#x1F600;"), "ABC \u20AC \U0001F600");
    EXPECT_EQ(html_to_text("&#0; &#xD800; &#x110000; &#150;"), "\uFFFD \uFFFD \uFFFD \u2013");
    EXPECT_EQ(html_to_text("AT&T &unknown; & done &amp"), "AT&T &unknown; & done &amp");
}

TEST(HtmlText, DecodedMarkupIsTextNotTags) {
    EXPECT_EQ(html_to_text("<p>&lt;p&gt;literal&lt;/p&gt;</p>"), "<p>literal</p>");
    EXPECT_EQ(html_to_text("a < b and c > d"), "a < b and c > d");
}

TEST(HtmlText, WhitespaceCollapsesAndNoBreakSpacesBecomeSpaces) {
    EXPECT_EQ(html_to_text("  <p>  many \n\t spaces&nbsp;&nbsp;here\u00A0too  </p>  "),
              "many spaces here too");
}

TEST(HtmlText, PreKeepsLinesAndIndentation) {
    EXPECT_EQ(html_to_text("<pre>if x:\n    y()\n</pre>after"), "if x:\n    y()\n\nafter");
}

TEST(HtmlText, MalformedMarkupDoesNotLoseText) {
    EXPECT_EQ(html_to_text("<p>unclosed <b>bold"), "unclosed bold");
    EXPECT_EQ(html_to_text("text <div class=\"never closed"), "text");
    EXPECT_EQ(html_to_text("<!-- unterminated comment"), "");
    EXPECT_EQ(html_to_text("<script>never closed"), "");
    EXPECT_EQ(html_to_text("</p>stray end</div>"), "stray end");
}

}  // namespace
}  // namespace flash::retrieval
