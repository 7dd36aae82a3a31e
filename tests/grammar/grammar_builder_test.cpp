// GrammarBuilder and build() validation: undefined rules, bad references and left recursion
// are errors naming the rule; shapes (optional, star, plus, repeat) and the printer.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>

#include "core/error.h"
#include "grammar/grammar.h"

namespace flash::grammar {
namespace {

using B = GrammarBuilder;

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const flash::Error& e) {
        return e.what();
    }
    return "";
}

TEST(GrammarBuilder, UndefinedRuleIsNamed) {
    B b;
    const uint32_t missing = b.declare("missing-rule");
    const uint32_t root = b.add("root", {{B::ref(missing)}});
    EXPECT_NE(error_of([&] { b.build(root); }).find("missing-rule"), std::string::npos);
}

TEST(GrammarBuilder, BadReferenceIsNamed) {
    B b;
    const uint32_t root = b.add("the-root", {{B::ref(42)}});
    const std::string msg = error_of([&] { b.build(root); });
    EXPECT_NE(msg.find("the-root"), std::string::npos) << msg;
    EXPECT_NE(error_of([&] {
                  B c;
                  c.add("x", {{}});
                  c.build(7);
              }),
              "");
}

TEST(GrammarBuilder, DirectLeftRecursionIsNamed) {
    B b;
    const uint32_t expr = b.declare("expr");
    b.define(expr, {{B::ref(expr), B::literal("+")[0], B::literal("1")[0]}, B::literal("1")});
    const std::string msg = error_of([&] { b.build(expr); });
    EXPECT_NE(msg.find("left-recursive"), std::string::npos) << msg;
    EXPECT_NE(msg.find("expr"), std::string::npos) << msg;
}

TEST(GrammarBuilder, LeftRecursionThroughNullablePrefix) {
    B b;
    const uint32_t a = b.declare("a");
    const uint32_t opt = b.optional("maybe-x", B::literal("x"));
    const uint32_t term = b.add("term", {{B::ref(opt), B::ref(a)}});
    b.define(a, {{B::ref(term), B::literal("y")[0]}, B::literal("z")});
    const std::string msg = error_of([&] { b.build(a); });
    EXPECT_NE(msg.find("left-recursive"), std::string::npos) << msg;
    EXPECT_NE(msg.find("term"), std::string::npos) << msg;
}

TEST(GrammarBuilder, RightRecursionAndNonLeftRecursionAreFine) {
    B b;
    const uint32_t a = b.declare("a");
    b.define(a, {{B::literal("(")[0], B::ref(a), B::literal(")")[0]}, {}});
    EXPECT_NO_THROW(b.build(a));
}

TEST(GrammarBuilder, UniqueNames) {
    B b;
    b.declare("item");
    EXPECT_EQ(b.unique_name("item"), "item-1");
    EXPECT_EQ(b.unique_name("item"), "item-2");
    EXPECT_EQ(b.unique_name("other"), "other");
}

TEST(GrammarBuilder, CharsSortsAndMerges) {
    const Element e = B::chars({{'x', 'z'}, {'a', 'c'}, {'b', 'f'}});
    ASSERT_EQ(e.ranges.size(), 2u);
    EXPECT_EQ(e.ranges[0].lo, 'a');
    EXPECT_EQ(e.ranges[0].hi, 'f');
    EXPECT_EQ(e.ranges[1].lo, 'x');
    EXPECT_THROW(B::chars({{5, 4}}), flash::Error);
    EXPECT_THROW(B::chars({{0, 0x110000}}), flash::Error);
}

TEST(GrammarBuilder, LiteralDecodesUtf8) {
    const Sequence s = B::literal("aé😀");
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[1].ranges[0].lo, 0xE9u);
    EXPECT_EQ(s[2].ranges[0].lo, 0x1F600u);
    EXPECT_THROW(B::literal("\xC3"), flash::Error);
    EXPECT_THROW(B::literal("\xED\xA0\x80"), flash::Error);  // a surrogate
}

TEST(GrammarBuilder, RepeatBoundsAreLinear) {
    B b;
    const uint32_t r = b.repeat("x", B::literal("ab"), 2, 1000);
    EXPECT_LT(b.rule_count(), 1010u);
    EXPECT_NO_THROW(b.build(r));
    EXPECT_THROW(b.repeat("bad", B::literal("a"), 3, 2), flash::Error);
    EXPECT_THROW(b.repeat("bad", B::literal("a"), -1, 2), flash::Error);
}

TEST(GrammarBuilder, LargeRepeatNamesStayLinear) {
    // unique_name() resumes per base, so 100,000 helper rules named "x-opt-N" are quick.
    const auto t0 = std::chrono::steady_clock::now();
    B b;
    const uint32_t r = b.repeat("x", B::literal("a"), 0, 100000);
    EXPECT_NO_THROW(b.build(r));
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
}

TEST(GrammarBuilder, ToStringShowsRules) {
    B b;
    const uint32_t digit = b.add("digit", {{B::chars({{'0', '9'}})}});
    const uint32_t root =
        b.add("root", {{B::literal("n")[0], B::ref(digit)}, {B::chars({{'"', '"'}}, true)}});
    const std::string text = b.build(root).to_string();
    EXPECT_NE(text.find("digit ::= [0-9]"), std::string::npos) << text;
    EXPECT_NE(text.find("root (root) ::= \"n\" digit | [^\"]"), std::string::npos) << text;
}

}  // namespace
}  // namespace flash::grammar
