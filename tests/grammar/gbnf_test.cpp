// GBNF front end: llama.cpp-style grammars (languages through the reference recognizer) and
// error messages with line and column.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/error.h"
#include "grammar/compiled_grammar.h"
#include "grammar/gbnf.h"
#include "grammar/matcher.h"
#include "grammar/vocabulary.h"
#include "reference_recognizer.h"

namespace flash::grammar {
namespace {

using testing::ReferenceRecognizer;

void expect_language(const std::string& text, const std::vector<std::string>& yes,
                     const std::vector<std::string>& no) {
    const Grammar g = parse_gbnf(text);
    ReferenceRecognizer rr(g);
    for (const std::string& s : yes) EXPECT_TRUE(rr.accepts(s)) << "should accept '" << s << "'";
    for (const std::string& s : no) EXPECT_FALSE(rr.accepts(s)) << "should reject '" << s << "'";
}

TEST(GbnfTest, LiteralsClassesAndRepetition) {
    expect_language(R"(root ::= "a" [b-d]+ "\x41\u00e9\U0001F600" [^\n]? . # comment
)",
                    {"abAé😀z", "abcdAé😀-x"}, {"aAé😀z", "abAé😀\nx"});
    expect_language(R"(root ::= ("ab" | "c"){2,3} x{0,1} y{2,}
x ::= "x"
y ::= "y")",
                    {"abcyy", "ababcxyyy", "cccyy"}, {"abyy", "cccccyy", "abcy"});
    expect_language("root ::= [a-]+ \"\\\"\\\\\" [\\]\\[]\n", {"a-\"\\]", "--\"\\["}, {"a\"\\x"});
}

TEST(GbnfTest, JsonLikeGrammarWithRecursionAndMultilineGroups) {
    const std::string text = R"(
# A small JSON subset, in llama.cpp's layout.
root   ::= value
value  ::= object | array | number | "true" | "false" | "null"
object ::=
  "{" ws (
            string ":" ws value
    ("," ws string ":" ws value)*
  )? "}"
array  ::= "[" ws ( value ("," ws value)* )? "]"
string ::= "\"" [a-z]* "\""
number ::= "-"? [0-9]+
ws     ::= [ \t\n]*
)";
    expect_language(text, {"{\"a\":1,\n \"b\":[true,null,{}]}", "[]", "-12"},
                    {"{\"a\"}", "[1,]", "01x"});
}

TEST(GbnfTest, TopLevelAlternativeMayContinueOnNextLine) {
    expect_language("root ::= \"a\"\n     | \"b\"\n  | \"c\"\nother ::= \"z\"\n", {"a", "b", "c"},
                    {"z"});
}

TEST(GbnfTest, NullableRepetitionBodiesAreFine) {
    expect_language("root ::= (opt)* \"x\" (\"a\"? \"b\"?)+\nopt ::= \"o\"?\n",
                    {"x", "ooox", "xab", "xbab"}, {"o", "xc"});
}

void expect_error(const std::string& text, const std::string& message) {
    try {
        parse_gbnf(text);
        ADD_FAILURE() << "no error for:\n" << text;
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), message) << text;
    }
}

TEST(GbnfTest, ErrorsNameLineAndColumn) {
    expect_error("root ::= \"a\"\nfoo = \"b\"\n", "gbnf:2:5: expected '::='");
    expect_error("root ::= \"a\" bar\n", "gbnf:1:14: undefined rule 'bar'");
    expect_error("start ::= \"a\"\n", "gbnf: no 'root' rule");
    expect_error("root ::= \"abc\n", "gbnf:1:10: unterminated string literal");
    expect_error("root ::= [a-z\n", "gbnf:1:10: unterminated character class");
    expect_error("root ::= (\"a\" \"b\"\n", "gbnf:1:10: missing ')' for the group opened here");
    expect_error("root ::= \"a\")\n", "gbnf:1:13: unbalanced ')'");
    expect_error("root ::= <[1234]>\n", "gbnf:1:10: token references are not supported");
    expect_error("root ::= \"a\"\nroot ::= \"b\"\n",
                 "gbnf:2:1: rule 'root' is already defined on line 1");
    expect_error("root ::= \"a\"{3,1}\n", "gbnf:1:13: repetition {min,max} has min > max");
    expect_error("root ::= \"\\q\"\n", "gbnf:1:11: unknown escape");
    expect_error("root ::= * \"a\"\n", "gbnf:1:10: '*' has nothing to repeat");
    expect_error("root ::= [z-a]\n", "gbnf:1:11: character range out of order");
    expect_error("root ::= a\na ::= \"x\" a\n", "gbnf:2:1: rule 'a' never matches a finite string");
    expect_error("  ::= \"a\"\n", "gbnf:1:3: expected a rule name");
}

TEST(GbnfTest, LeftRecursionIsReported) {
    try {
        parse_gbnf("root ::= root \"a\" | \"b\"\n");
        ADD_FAILURE() << "left recursion accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("gbnf: grammar: rule 'root' is left-recursive"),
                  std::string::npos)
            << e.what();
    }
}

// Found by the GBNF fuzzer: fifty stacked stars made every byte's closure explode (12 s for
// 200 bytes, 1.7 GB). Matching now stops with an error naming the cause, well under a second.
TEST(GbnfTest, PathologicalAmbiguityIsAnErrorNotAHang) {
    const Grammar g = parse_gbnf("root ::= [^\"\\\\]* " + std::string(50, '*') + " \"b\"");
    const auto vocab = TokenVocabulary::from_pieces({" "}, {});
    Matcher m(CompiledGrammar::compile(g), vocab);
    const auto t0 = std::chrono::steady_clock::now();
    try {
        m.accept_bytes(std::string(200, 'a'));
        FAIL() << "matched without refusing";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("too ambiguous"), std::string::npos) << e.what();
    }
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 10.0);
}

}  // namespace
}  // namespace flash::grammar
