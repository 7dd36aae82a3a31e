// text_until_trigger: the free-text part of auto mode must accept exactly the texts that do
// not contain the trigger, and hand over to the calls right where the trigger first ends.
// Checked against std::string::find on every string up to length 7 over a small alphabet,
// for triggers whose KMP failure links matter.
#include <gtest/gtest.h>

#include "tools/call_grammar.h"
#include "tools/tools_test_util.h"

namespace flash::tools {
namespace {

using grammar::GrammarBuilder;

grammar::Grammar free_text_then(const std::string& trigger, const std::string& after) {
    GrammarBuilder b;
    const uint32_t rest = b.add("rest", {GrammarBuilder::literal(after)});
    return b.build(text_until_trigger(b, trigger, rest));
}

void all_strings(const std::string& alphabet, size_t max_len, std::vector<std::string>& out,
                 std::string prefix = "") {
    out.push_back(prefix);
    if (prefix.size() == max_len) return;
    for (const char c : alphabet) all_strings(alphabet, max_len, out, prefix + c);
}

TEST(CallGrammar, FreeTextAvoidsTheTriggerExactly) {
    for (const std::string trigger : {"abab", "aab", "aaa", "abc"}) {
        const auto g = free_text_then(trigger, "!");
        std::vector<std::string> texts;
        all_strings("abc!", 7, texts);
        for (const std::string& t : texts) {
            const size_t at = t.find(trigger);
            // Accepted: no trigger at all, or the first trigger followed by exactly "!".
            const bool expected = at == std::string::npos || (at + trigger.size() + 1 == t.size() &&
                                                              t.back() == '!');
            ASSERT_EQ(testing::grammar_accepts(g, t), expected) << "trigger " << trigger << ", text '" << t << "'";
        }
    }
}

TEST(CallGrammar, NonAsciiTextPassesThrough) {
    const auto g = free_text_then("<tool_call>", "X");
    EXPECT_TRUE(testing::grammar_accepts(g, "Voilà — 東京 <tool_ 🙂"));
    EXPECT_TRUE(testing::grammar_accepts(g, "héllo <tool_call>X"));
    EXPECT_FALSE(testing::grammar_accepts(g, "héllo <tool_call>Y"));
}

}  // namespace
}  // namespace flash::tools
