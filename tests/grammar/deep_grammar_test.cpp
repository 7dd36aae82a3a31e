// Size limits: 10,000 nested rules and a 100 KB literal compile and match quickly, and nothing
// recurses on the C++ stack (the matcher and the validators use explicit worklists).
#include <gtest/gtest.h>

#include <chrono>

#include "core/error.h"
#include "grammar/matcher.h"
#include "grammar/sample_grammars.h"

namespace flash::grammar {
namespace {

using namespace flash::grammar::testing;

std::shared_ptr<const TokenVocabulary> small_vocab() {
    std::vector<std::string> pieces;
    for (int b = 0; b < 256; ++b) pieces.push_back(std::string(1, static_cast<char>(b)));
    for (const char* p : {"ab", "aaaa", "bbbb", "the ", "quick", "</s>"}) pieces.push_back(p);
    return TokenVocabulary::from_pieces(pieces, {static_cast<int32_t>(pieces.size() - 1)});
}

// Appends rather than "x" + to_string(i), which trips GCC 12's -Wrestrict false positive.
std::string numbered(const char* prefix, int i) {
    std::string s = prefix;
    s += std::to_string(i);
    return s;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(DeepGrammar, TenThousandNestedRules) {
    constexpr int kDepth = 10000;
    const auto t0 = std::chrono::steady_clock::now();
    GrammarBuilder b;
    std::vector<uint32_t> r(kDepth + 1);
    for (int i = 0; i <= kDepth; ++i) r[i] = b.declare(numbered("r", i));
    for (int i = 0; i < kDepth; ++i)
        b.define(r[i], {{ch('a'), B::ref(r[i + 1]), ch('b')}, {ch('c')}});
    b.define(r[kDepth], {{ch('x')}});
    Matcher m(CompiledGrammar::compile(b.build(r[0])), small_vocab());
    const std::string deep = std::string(kDepth, 'a') + "x" + std::string(kDepth, 'b');
    TokenMask mask;
    for (size_t i = 0; i < deep.size(); i += 97) {
        ASSERT_TRUE(m.accept_bytes(deep.substr(i, std::min<size_t>(97, deep.size() - i))));
        m.compute_mask(mask);
        EXPECT_GT(mask.count(), 0);
    }
    EXPECT_TRUE(m.is_complete());
    EXPECT_LT(seconds_since(t0), 20.0);
}

TEST(DeepGrammar, LongChainsOfCalls) {
    constexpr int kDepth = 10000;
    GrammarBuilder b;
    std::vector<uint32_t> r(kDepth + 1);
    for (int i = 0; i <= kDepth; ++i) r[i] = b.declare(numbered("c", i));
    // Non-tail calls: the first byte sits under 10,000 return frames, popped one by one.
    for (int i = 0; i < kDepth; ++i) b.define(r[i], {{B::ref(r[i + 1]), ch('y')}});
    b.define(r[kDepth], {{ch('z')}});
    Matcher m(CompiledGrammar::compile(b.build(r[0])), small_vocab());
    EXPECT_EQ(m.forced_bytes(), "z" + std::string(kDepth, 'y'));
    EXPECT_TRUE(m.accept_bytes("z" + std::string(kDepth, 'y')));
    EXPECT_TRUE(m.is_complete());
}

TEST(DeepGrammar, LongLeftRecursiveCycleIsNamed) {
    constexpr int kDepth = 10000;
    GrammarBuilder b;
    std::vector<uint32_t> r(kDepth);
    for (int i = 0; i < kDepth; ++i) r[i] = b.declare(numbered("l", i));
    for (int i = 0; i < kDepth; ++i)
        b.define(r[i], {{B::ref(r[(i + 1) % kDepth]), ch('a')}, {ch('b')}});
    try {
        b.build(r[0]);
        FAIL() << "left recursion not detected";
    } catch (const flash::Error& e) {
        EXPECT_NE(std::string(e.what()).find("'l0' is left-recursive"), std::string::npos)
            << e.what();
    }
}

TEST(DeepGrammar, HundredKilobyteLiteral) {
    std::string text;
    while (text.size() < 100000) text += "the quick brown fox jumps over the lazy dog ÄÖÜ 😀 ";
    const auto t0 = std::chrono::steady_clock::now();
    GrammarBuilder b;
    const uint32_t root = b.add("root", {B::literal(text)});
    Matcher m(CompiledGrammar::compile(b.build(root)), small_vocab());
    EXPECT_LT(seconds_since(t0), 5.0);
    EXPECT_EQ(m.forced_bytes(), text);
    TokenMask mask;
    for (size_t i = 0; i < text.size(); i += 1000) {
        Matcher c = m;
        ASSERT_TRUE(c.accept_bytes(text.substr(0, i)));
        c.compute_mask(mask);
        EXPECT_TRUE(mask.allowed(static_cast<uint8_t>(text[i])));
    }
    EXPECT_TRUE(m.accept_bytes(text));
    EXPECT_TRUE(m.is_complete());
    EXPECT_LT(seconds_since(t0), 20.0);
}

}  // namespace
}  // namespace flash::grammar
