// Regex front end: languages (through the reference recognizer) and error messages.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "grammar/regex.h"
#include "reference_recognizer.h"

namespace flash::grammar {
namespace {

using testing::ReferenceRecognizer;

struct Case {
    const char* pattern;
    std::vector<std::string> yes;
    std::vector<std::string> no;
};

void expect_language(const Grammar& g, const Case& c) {
    ReferenceRecognizer rr(g);
    for (const std::string& s : c.yes)
        EXPECT_TRUE(rr.accepts(s)) << c.pattern << " should match '" << s << "'";
    for (const std::string& s : c.no)
        EXPECT_FALSE(rr.accepts(s)) << c.pattern << " should not match '" << s << "'";
}

TEST(RegexTest, FullMatchLanguages) {
    const std::vector<Case> cases = {
        {"abc", {"abc"}, {"", "ab", "abcd", "xabc"}},
        {"^abc$", {"abc"}, {"abcabc"}},
        {"a|bc|", {"a", "bc", ""}, {"b", "abc"}},
        {"[a-c]+x?", {"a", "abcx", "ccc"}, {"", "x", "ad"}},
        {"[^a-c]", {"d", "é", "😀", "\n"}, {"a", "b", ""}},
        {"\\d{2,3}", {"12", "123"}, {"1", "1234", "ab"}},
        {"\\w\\W\\s\\S", {"a-\tb", "_. x"}, {"aa b", "a-\t "}},
        {"a{3}", {"aaa"}, {"aa", "aaaa"}},
        {"a{2,}", {"aa", "aaaaaa"}, {"a"}},
        {"(?:ab)*c", {"c", "ababc"}, {"abc c", "aba"}},
        {"(a|b)*?c", {"c", "abbac"}, {"d"}},
        {"(a*)*b", {"b", "aaab"}, {"a"}},
        {"(a?b?)+", {"", "ab", "ba", "aabb"}, {"c"}},
        {"x(|a)+y", {"xy", "xay", "xaay"}, {"x"}},
        {".", {"a", "é", "😀"}, {"\n", "\r", "ab"}},
        {"\\.\\\\\\/\\n\\t", {".\\/\n\t"}, {"a\\/\n\t"}},
        {"\\u00e9\\x41\\u{1F600}", {"éA😀"}, {"eA😀"}},
        {"\\uD83D\\uDE00", {"😀"}, {"a"}},
        {"[\\d.-]+", {"1.5-2"}, {"a"}},
        {"[-a]", {"-", "a"}, {"b"}},
        {"a}b]", {"a}b]"}, {"ab"}},
        {"(?<year>\\d{4})-\\d\\d", {"2024-01"}, {"24-01"}},
        {"[\\u0041-\\u0043]", {"A", "C"}, {"D"}},
        {"(){0}a", {"a"}, {""}},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.pattern);
        expect_language(compile_regex(c.pattern), c);
    }
}

// Class escapes are read so that whatever the grammar allows matches under both engines
// (ECMAScript and Python); inside a negated class that means their widest reading. Before,
// [^\s\S] allowed U+FEFF (whitespace to one engine, not the other) and [^\d] a Unicode digit.
TEST(RegexTest, NegatedClassEscapesAllowOnlyWhatBothEnginesMatch) {
    for (const char* empty : {"[^\\s\\S]", "[^\\d\\D]", "[^\\w\\W]"}) {
        try {
            compile_regex(empty);
            ADD_FAILURE() << empty << " compiled";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("matches no character"), std::string::npos)
                << e.what();
        }
    }
    expect_language(compile_regex("[^\\s]"),
                    {"[^\\s]", {"a", "\xC3\xA9"}, {" ", "\xEF\xBB\xBF", "\x1C"}});
    expect_language(compile_regex("[^\\d]"), {"[^\\d]", {"a"}, {"5", "\xD9\xA3"}});  // U+0663
    expect_language(compile_regex("[^\\W]"), {"[^\\W]", {"a", "_", "7"}, {"\xC3\xA9", "-"}});
    expect_language(compile_regex("[^\\S]"), {"[^\\S]", {" ", "\t"}, {"a", "\xEF\xBB\xBF"}});
}

TEST(RegexTest, SearchSemanticsAnchorsOnlyWhereWritten) {
    RegexOptions search;
    search.search = true;
    expect_language(compile_regex("ab", search), {"ab", {"ab", "xxabyy", "ab\n"}, {"a", "ba"}});
    expect_language(compile_regex("^ab", search), {"^ab", {"ab", "abyy"}, {"xab"}});
    expect_language(compile_regex("ab$", search), {"ab$", {"ab", "xxab"}, {"abx"}});
    expect_language(compile_regex("^a$|b", search), {"^a$|b", {"a", "xbx", "b"}, {"aa", "xa"}});
    expect_language(compile_regex("^$", search), {"^$", {""}, {"a"}});
}

TEST(RegexTest, ExcludedCharactersNeverMatch) {
    RegexOptions json;
    json.exclude = {{'"', '"'}, {'\\', '\\'}, {0, 0x1F}};
    json.search = true;
    const Grammar g = compile_regex("a.b|[^x]", json);
    ReferenceRecognizer rr(g);
    EXPECT_TRUE(rr.accepts("a-b"));
    EXPECT_TRUE(rr.accepts("y"));
    EXPECT_FALSE(rr.accepts("a\"b"));
    EXPECT_FALSE(rr.accepts("\\"));
    EXPECT_FALSE(rr.accepts("x\ty"));  // the wandering part excludes them too
    EXPECT_THROW(compile_regex("^\"$", json), Error);
}

void expect_error(const std::string& pattern, const std::string& message) {
    try {
        compile_regex(pattern);
        ADD_FAILURE() << "no error for " << pattern;
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), message) << pattern;
    }
}

TEST(RegexTest, ErrorsNamePositionAndProblem) {
    expect_error("(ab)c)d", "regex: unbalanced ')' at position 5");
    expect_error("abc(de", "regex: missing ')' for the group opened at position 3");
    expect_error("*a", "regex: nothing to repeat at position 0");
    expect_error("a**", "regex: nothing to repeat at position 2");
    expect_error("a[bc", "regex: unterminated character class at position 1");
    expect_error("[z-a]", "regex: character range out of order at position 1");
    expect_error("(a)\\1", "regex: backreferences are not supported at position 3");
    expect_error("a(?=b)", "regex: lookahead is not supported at position 1");
    expect_error("(?<!a)b", "regex: lookbehind is not supported at position 0");
    expect_error("a\\bc", "regex: word boundary '\\b' is not supported at position 1");
    expect_error("a^b",
                 "regex: anchor '^' is only supported at the start of the pattern at position 1");
    expect_error("a$b",
                 "regex: anchor '$' is only supported at the end of the pattern at position 1");
    expect_error("a{3,2}", "regex: repetition {min,max} has min > max at position 1");
    expect_error("a{,2}", "regex: '{,n}' is not a quantifier in ECMAScript at position 1");
    expect_error("a{1000001}", "regex: repetition bound is too large (limit 100000) at position 2");
    expect_error("\\p{L}", "regex: Unicode property escapes are not supported at position 0");
    expect_error("\\q", "regex: unknown escape '\\q' at position 0");
    expect_error("[]", "regex: empty class '[]' is not supported at position 0");
    expect_error("ab\\", "regex: trailing backslash at position 2");
    expect_error("[^\\x00-\\u{10FFFF}]",
                 "regex: character class matches no character at position 0");
}

TEST(RegexTest, AddsIntoAnExistingBuilder) {
    GrammarBuilder b;
    const uint32_t a = add_regex(b, "[0-9]+");
    const uint32_t c = add_regex(b, "x|y");
    const uint32_t root = b.add("root", {{GrammarBuilder::ref(a), GrammarBuilder::ref(c)}});
    ReferenceRecognizer rr(b.build(root));
    EXPECT_TRUE(rr.accepts("123x"));
    EXPECT_FALSE(rr.accepts("x"));
}

// Found by the regex fuzzer: F4 AC AC AC decodes (leniently) past U+10FFFF, which made an
// empty one-character class and a read through an empty vector. Patterns are strict UTF-8.
TEST(RegexTest, InvalidUtf8InAPatternIsRefusedWithItsOffset) {
    expect_error("[a\xF4\xAC\xAC\xAC-z]", "regex: the pattern is not valid UTF-8 at byte 2");
    expect_error("ab\xC0\xAF", "regex: the pattern is not valid UTF-8 at byte 2");    // overlong
    expect_error("\xED\xA0\x80", "regex: the pattern is not valid UTF-8 at byte 0");  // surrogate
    EXPECT_NO_THROW(compile_regex("caf\xC3\xA9 \xEF\xBF\xBD"));  // é and a real U+FFFD
}

}  // namespace
}  // namespace flash::grammar
