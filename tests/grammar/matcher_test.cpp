// Matcher on hand-built grammars: literals, alternation, nullable rules, recursion, Unicode
// sets and negation, repetition bounds; accept/reject, is_complete, can_continue,
// forced_bytes, and masks over a small explicit vocabulary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "grammar/grammar.h"
#include "grammar/gbnf.h"
#include "grammar/json_schema.h"
#include "grammar/matcher.h"

namespace flash::grammar {
namespace {

using B = GrammarBuilder;

// Tokens 0..255 are the single bytes; then a few longer pieces; the last is end-of-generation.
std::shared_ptr<const TokenVocabulary> byte_vocab() {
    static const auto v = [] {
        std::vector<std::string> pieces;
        for (int b = 0; b < 256; ++b) pieces.push_back(std::string(1, static_cast<char>(b)));
        for (const char* p :
             {"he", "hello", "hello!", "ab", "((", "))", "é", "\xC3", "12", "", "<eos>"}) {
            pieces.push_back(p);
        }
        const auto eos = static_cast<int32_t>(pieces.size() - 1);
        return TokenVocabulary::from_pieces(pieces, {eos});
    }();
    return v;
}
int32_t tok(const std::string& piece) {
    const auto& v = *byte_vocab();
    for (int32_t i = v.size() - 1; i >= 0; --i) {
        if (v.piece(i) == piece) return i;
    }
    return -1;
}

Matcher make(const Grammar& g) {
    return Matcher(CompiledGrammar::compile(g), byte_vocab());
}

bool full(const Grammar& g, std::string_view s) {
    Matcher m = make(g);
    return m.accept_bytes(s) && m.is_complete();
}
bool prefix(const Grammar& g, std::string_view s) {
    return make(g).accept_bytes(s);
}

Grammar one_rule(std::vector<Sequence> alts) {
    B b;
    return b.build(b.add("root", std::move(alts)));
}

TEST(Matcher, Literal) {
    const Grammar g = one_rule({B::literal("hello")});
    EXPECT_TRUE(full(g, "hello"));
    EXPECT_TRUE(prefix(g, "hell"));
    EXPECT_FALSE(full(g, "hell"));
    EXPECT_FALSE(prefix(g, "hellx"));
    EXPECT_FALSE(prefix(g, "hello!"));
    Matcher m = make(g);
    EXPECT_FALSE(m.is_complete());
    EXPECT_TRUE(m.can_continue());
    EXPECT_EQ(m.forced_bytes(), "hello");
    ASSERT_TRUE(m.accept_bytes("hel"));
    EXPECT_EQ(m.forced_bytes(), "lo");
    EXPECT_FALSE(m.accept_bytes("lx"));  // rejected: state unchanged
    EXPECT_EQ(m.forced_bytes(), "lo");
    ASSERT_TRUE(m.accept_bytes("lo"));
    EXPECT_TRUE(m.is_complete());
    EXPECT_FALSE(m.can_continue());
    EXPECT_EQ(m.forced_bytes(), "");
}

TEST(Matcher, Alternation) {
    const Grammar g = one_rule({B::literal("cat"), B::literal("car"), B::literal("dog")});
    for (const char* s : {"cat", "car", "dog"}) EXPECT_TRUE(full(g, s)) << s;
    EXPECT_FALSE(prefix(g, "cow"));
    Matcher m = make(g);
    EXPECT_EQ(m.forced_bytes(), "");
    ASSERT_TRUE(m.accept_bytes("c"));
    EXPECT_EQ(m.forced_bytes(), "a");
    Matcher d = make(g);
    ASSERT_TRUE(d.accept_bytes("d"));
    EXPECT_EQ(d.forced_bytes(), "og");
}

TEST(Matcher, NullableRulesAndEmptyAlternatives) {
    B b;
    const uint32_t a = b.optional("a", B::literal("a"));
    const uint32_t none = b.add("none", {{}});
    const uint32_t bb = b.add("b", {{}, B::literal("b"), {B::ref(none)}});
    const uint32_t c = b.star("c", B::literal("c"));
    const uint32_t root = b.add("root", {{B::ref(a), B::ref(none), B::ref(bb), B::ref(c)}});
    const Grammar g = b.build(root);
    for (const char* s : {"", "a", "b", "c", "ab", "ac", "abc", "bccc", "acc"}) {
        EXPECT_TRUE(full(g, s)) << s;
    }
    for (const char* s : {"ba", "ca", "cb", "aa", "bb"}) EXPECT_FALSE(prefix(g, s)) << s;
    Matcher m = make(g);
    EXPECT_TRUE(m.is_complete());
    EXPECT_TRUE(m.can_continue());
}

TEST(Matcher, EmptyLanguage) {
    B b;
    const uint32_t loop = b.declare("loop");
    b.define(loop, {{B::literal("x")[0], B::ref(loop)}});  // no finite string
    const uint32_t root = b.add("root", {{B::ref(loop)}});
    Matcher m = make(b.build(root));
    EXPECT_FALSE(m.is_complete());
    EXPECT_FALSE(m.can_continue());
    EXPECT_FALSE(m.accept_bytes("x"));
    TokenMask mask;
    m.compute_mask(mask);
    EXPECT_EQ(mask.count(), 0);
}

TEST(Matcher, UnproductiveAlternativeIsDropped) {
    B b;
    const uint32_t loop = b.declare("loop");
    b.define(loop, {{B::literal("x")[0], B::ref(loop)}});
    const uint32_t root = b.add("root", {{B::ref(loop)}, B::literal("xy")});
    const Grammar g = b.build(root);
    EXPECT_TRUE(full(g, "xy"));
    EXPECT_FALSE(prefix(g, "xx"));  // would lead only into the endless rule
    Matcher m = make(g);
    EXPECT_EQ(m.forced_bytes(), "xy");
}

TEST(Matcher, BalancedBrackets) {
    B b;
    const uint32_t s = b.declare("s");
    b.define(s, {{B::literal("(")[0], B::ref(s), B::literal(")")[0], B::ref(s)}, {}});
    const Grammar g = b.build(s);
    for (const char* ok : {"", "()", "(())", "()()", "(()(()))()"}) EXPECT_TRUE(full(g, ok)) << ok;
    EXPECT_TRUE(prefix(g, "(()"));
    EXPECT_FALSE(full(g, "(()"));
    EXPECT_FALSE(prefix(g, "())"));
    EXPECT_FALSE(prefix(g, ")"));
    const std::string deep = std::string(5000, '(') + std::string(5000, ')');
    EXPECT_TRUE(full(g, deep));
    Matcher m = make(g);
    ASSERT_TRUE(m.accept_bytes("(("));
    TokenMask mask;
    m.compute_mask(mask);
    EXPECT_TRUE(mask.allowed(tok("(")));
    EXPECT_TRUE(mask.allowed(tok(")")));
    EXPECT_TRUE(mask.allowed(tok("((")));
    EXPECT_TRUE(mask.allowed(tok("))")));
    EXPECT_FALSE(mask.allowed(tok("<eos>")));
    EXPECT_FALSE(mask.allowed(tok("a")));
    ASSERT_TRUE(m.accept_token(tok("))")));
    m.compute_mask(mask);
    EXPECT_TRUE(mask.allowed(tok("<eos>")));
    EXPECT_FALSE(mask.allowed(tok(")")));
    EXPECT_FALSE(mask.allowed(tok("")));  // empty tokens are never allowed
}

TEST(Matcher, UnicodeSets) {
    const Grammar greek = one_rule({{B::chars({{0x3B1, 0x3C9}}), B::chars({{0x1F600, 0x1F64F}})}});
    EXPECT_TRUE(full(greek, "λ😀"));
    EXPECT_FALSE(prefix(greek, "a"));
    EXPECT_FALSE(prefix(greek, "\xCE\xB0"));  // U+03B0, just below the range
    EXPECT_TRUE(prefix(greek, "\xCE"));       // a lead byte alone is a valid prefix
    EXPECT_FALSE(full(greek, "λ\xF0\x9F"));
}

TEST(Matcher, NegatedSetsCoverMultiByteButNotInvalidUtf8) {
    const Grammar g = one_rule({{B::chars({{'a', 'a'}}, true)}});
    for (const char* s : {"b", "é", "€", "😀", "\x7F"}) EXPECT_TRUE(full(g, s)) << s;
    EXPECT_TRUE(full(g, std::string_view("\0", 1)));
    EXPECT_FALSE(prefix(g, "a"));
    EXPECT_FALSE(prefix(g, "\xC0\x80"));          // overlong
    EXPECT_FALSE(prefix(g, "\xED\xA0\x80"));      // surrogate
    EXPECT_FALSE(prefix(g, "\xF4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(prefix(g, "\x80"));              // lone continuation byte
    EXPECT_FALSE(prefix(g, "\xC3\x28"));
    EXPECT_TRUE(full(g, "\xF4\x8F\xBF\xBF"));  // U+10FFFF
    EXPECT_TRUE(full(g, "\xEE\x80\x80"));      // U+E000, just after the surrogates
    // Negating everything but one multi-byte character.
    const Grammar not_e = one_rule({{B::chars({{0xE9, 0xE9}}, true)}});
    EXPECT_FALSE(prefix(not_e, "é"));
    EXPECT_TRUE(full(not_e, "è"));
    EXPECT_TRUE(prefix(not_e, "\xC3"));
}

TEST(Matcher, RepetitionBounds) {
    B b;
    const uint32_t r = b.repeat("d", {B::chars({{'0', '9'}})}, 2, 4);
    const Grammar g = b.build(r);
    EXPECT_FALSE(full(g, "1"));
    EXPECT_TRUE(full(g, "12"));
    EXPECT_TRUE(full(g, "123"));
    EXPECT_TRUE(full(g, "1234"));
    EXPECT_FALSE(prefix(g, "12345"));
    B u;
    const uint32_t un = u.repeat("ab", B::literal("ab"), 1, -1);
    const Grammar gu = u.build(un);
    EXPECT_FALSE(full(gu, ""));
    EXPECT_TRUE(full(gu, "ab"));
    std::string many;
    for (int i = 0; i < 1000; ++i) many += "ab";
    EXPECT_TRUE(full(gu, many));
    EXPECT_FALSE(prefix(gu, "aba b"));
    B z;
    const uint32_t zero = z.repeat("z", B::literal("x"), 0, 0);
    const Grammar gz = z.build(zero);
    EXPECT_TRUE(full(gz, ""));
    EXPECT_FALSE(prefix(gz, "x"));
}

TEST(Matcher, TokensAndEndOfGeneration) {
    const Grammar g = one_rule({B::literal("hello")});
    Matcher m = make(g);
    TokenMask mask;
    m.compute_mask(mask);
    EXPECT_EQ(mask.count(), 3);  // "h", "he", "hello"
    EXPECT_TRUE(mask.allowed(tok("h")));
    EXPECT_TRUE(mask.allowed(tok("he")));
    EXPECT_TRUE(mask.allowed(tok("hello")));
    EXPECT_FALSE(mask.allowed(tok("hello!")));
    EXPECT_FALSE(m.accept_token(tok("<eos>")));
    EXPECT_FALSE(m.accept_token(tok("hello!")));
    EXPECT_FALSE(m.accept_token(tok("")));
    EXPECT_FALSE(m.accept_token(-1));
    EXPECT_FALSE(m.accept_token(100000));
    ASSERT_TRUE(m.accept_token(tok("hello")));
    m.compute_mask(mask);
    EXPECT_EQ(mask.count(), 1);
    EXPECT_TRUE(mask.allowed(tok("<eos>")));
    ASSERT_TRUE(m.accept_token(tok("<eos>")));
    EXPECT_TRUE(m.is_complete());
    EXPECT_FALSE(m.can_continue());
    m.compute_mask(mask);
    EXPECT_EQ(mask.count(), 0);
    m.reset();
    EXPECT_FALSE(m.is_complete());
    EXPECT_EQ(m.forced_bytes(), "hello");
}

TEST(Matcher, CompileRejectsHandBuiltLeftRecursion) {
    Grammar g;  // assembled without GrammarBuilder::build()
    g.rules.push_back({"list", {{B::ref(0), B::chars({{'x', 'x'}})}, {}}});
    try {
        CompiledGrammar::compile(g);
        FAIL() << "left recursion not detected";
    } catch (const flash::Error& e) {
        EXPECT_NE(std::string(e.what()).find("'list'"), std::string::npos) << e.what();
    }
    g.rules[0].alternatives[0][0] = B::ref(9);
    EXPECT_THROW(CompiledGrammar::compile(g), flash::Error);
}

TEST(Matcher, CopiesAreIndependentStates) {
    const Grammar g = one_rule({B::literal("ab"), B::literal("ac")});
    Matcher m = make(g);
    ASSERT_TRUE(m.accept_bytes("a"));
    Matcher c = m;
    ASSERT_TRUE(c.accept_bytes("b"));
    EXPECT_TRUE(c.is_complete());
    EXPECT_FALSE(m.is_complete());
    EXPECT_TRUE(m.accept_bytes("c"));
}

}  // namespace
}  // namespace flash::grammar

namespace flash::grammar {
namespace {

std::shared_ptr<const TokenVocabulary> completion_vocab() {
    static const auto v = TokenVocabulary::from_pieces({" "}, {});
    return v;
}

Matcher gbnf_matcher(const std::string& text) {
    return Matcher(CompiledGrammar::compile(parse_gbnf(text)), completion_vocab());
}

TEST(ShortestCompletion, ClosesWhatIsOpenWithTheFewestBytes) {
    Matcher m = gbnf_matcher(R"g(root ::= "(" item ("," item)* ")"
item ::= [a-z]+ | "{" item "}")g");
    ASSERT_TRUE(m.accept_bytes("(ab,{{"));
    const auto done = m.shortest_completion();
    ASSERT_TRUE(done.has_value());
    EXPECT_EQ(done->size(), 4u) << *done;  // a letter, two braces, the parenthesis
    ASSERT_TRUE(m.accept_bytes(*done)) << *done;
    EXPECT_TRUE(m.is_complete());
    EXPECT_EQ(m.shortest_completion(), std::string());
}

TEST(ShortestCompletion, JsonSchemaRequiredMembersAreWrittenOut) {
    const Grammar g = compile_json_schema_text(R"({
        "type": "object", "required": ["city", "days"], "additionalProperties": false,
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}})")
                          .grammar;
    Matcher m(CompiledGrammar::compile(g), completion_vocab());
    ASSERT_TRUE(m.accept_bytes(R"({"city": "Ly)"));
    const auto done = m.shortest_completion();
    ASSERT_TRUE(done.has_value());
    ASSERT_TRUE(m.accept_bytes(*done)) << *done;
    EXPECT_TRUE(m.is_complete()) << *done;
    const auto value = nlohmann::json::parse(R"({"city": "Ly)" + *done);
    EXPECT_TRUE(value.contains("days")) << *done;
}

TEST(ShortestCompletion, NoneWithinTooFewBytes) {
    Matcher m = gbnf_matcher(R"(root ::= "abcdef")");
    EXPECT_EQ(m.shortest_completion(3), std::nullopt);
    EXPECT_EQ(m.shortest_completion(6), "abcdef");
}

}  // namespace
}  // namespace flash::grammar
