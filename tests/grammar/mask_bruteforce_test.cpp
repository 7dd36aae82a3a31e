// Token masks against brute force on real vocabularies (qwen2, llama-spm): along random walks
// under the mask, the computed mask must equal checking every token one by one with an
// independent matcher (its own caches) fed the same prefix. Also checks forced_bytes and
// can_continue against the mask.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "common/testdata.h"
#include "core/gguf.h"
#include "grammar/json_schema.h"
#include "grammar/matcher.h"
#include "grammar/sample_grammars.h"
#include "tokenizer/tokenizer.h"

namespace flash::grammar {
namespace {

using namespace flash::grammar::testing;

std::shared_ptr<const TokenVocabulary> vocab(const std::string& name) {
    static std::map<std::string, std::shared_ptr<const TokenVocabulary>> cache;
    auto& v = cache[name];
    if (!v) {
        flash::GgufFile f(flash::testing::testdata_path("tokenizer/ggml-vocab-" + name + ".gguf"));
        v = TokenVocabulary::from_tokenizer(flash::Tokenizer::from_gguf(f));
    }
    return v;
}

Grammar unicode_grammar() {
    GrammarBuilder b;
    const uint32_t item =
        b.add("item", {{B::chars({{'a', 'z'}, {0, 0x1F}}, true)},
                       B::literal("ab"),
                       {B::chars({{0x4E00, 0x9FFF}}), B::chars({{0x3B1, 0x3C9}})}});
    const uint32_t items = b.repeat("items", {B::ref(item)}, 1, 40);
    const uint32_t root = b.add("root", {{B::ref(items), ch('.')}});
    return b.build(root);
}

Grammar brackets_grammar() {
    GrammarBuilder b;
    const uint32_t s = b.declare("s");
    const uint32_t word = b.repeat("word", {range('a', 'e')}, 0, 3);
    b.define(s, {{ch('('), B::ref(s), ch(')'), B::ref(s)},
                 {ch('['), B::ref(word), ch(']'), B::ref(s)},
                 {}});
    return b.build(b.add("root", {{B::ref(s), ch('!')}}));
}

void check_walks(const std::string& vocab_name, const Grammar& g, int walks, int max_steps,
                 uint32_t seed) {
    const auto v = vocab(vocab_name);
    const auto cg = CompiledGrammar::compile(g);
    Matcher m(cg, v);
    std::mt19937 rng(seed);
    int failures = 0;
    for (int w = 0; w < walks; ++w) {
        m.reset();
        std::string prefix;
        for (int step = 0; step < max_steps; ++step) {
            TokenMask mask;
            m.compute_mask(mask);
            Matcher ref(cg, v);  // independent caches
            ASSERT_TRUE(ref.accept_bytes(prefix));
            const bool complete = ref.is_complete();
            EXPECT_EQ(m.is_complete(), complete);
            const std::string forced = ref.forced_bytes();
            std::vector<int32_t> allowed, short_allowed;
            bool any_text = false;
            for (int32_t id = 0; id < v->size(); ++id) {
                bool expect = false;
                if (v->is_text(id)) {
                    Matcher c = ref;
                    expect = c.accept_bytes(v->piece(id));
                } else if (v->is_end_of_generation(id)) {
                    expect = complete;
                }
                if (mask.allowed(id) != expect && ++failures <= 10) {
                    ADD_FAILURE() << vocab_name << " walk " << w << " step " << step << " prefix '"
                                  << prefix << "': token " << id << " '" << v->piece(id)
                                  << "' mask=" << mask.allowed(id) << " brute force=" << expect;
                }
                if (!expect) continue;
                allowed.push_back(id);
                if (v->is_text(id)) {
                    any_text = true;
                    const std::string& p = v->piece(id);
                    const size_t n = std::min(p.size(), forced.size());
                    EXPECT_EQ(p.compare(0, n, forced, 0, n), 0)
                        << "token '" << p << "' vs forced '" << forced << "'";
                    if (p.size() <= 2) short_allowed.push_back(id);
                }
            }
            EXPECT_EQ(ref.can_continue(), any_text) << prefix;
            ASSERT_LT(failures, 10);
            if (allowed.empty()) break;
            // Half the steps pick short tokens so walks close structures and reach the end.
            const auto& pool = (!short_allowed.empty() && rng() % 2 == 0) ? short_allowed : allowed;
            const int32_t id = pool[rng() % pool.size()];
            if (v->is_end_of_generation(id)) break;
            ASSERT_TRUE(m.accept_token(id));
            prefix += v->piece(id);
        }
    }
}

TEST(MaskBruteForce, ToolCallQwen2) {
    check_walks("qwen2", tool_call_grammar(), 3, 40, 1);
}
TEST(MaskBruteForce, JsonValueQwen2) {
    check_walks("qwen2", json_value_grammar(), 3, 40, 2);
}
TEST(MaskBruteForce, UnicodeQwen2) {
    check_walks("qwen2", unicode_grammar(), 2, 25, 3);
}
TEST(MaskBruteForce, BracketsQwen2) {
    check_walks("qwen2", brackets_grammar(), 2, 25, 4);
}
TEST(MaskBruteForce, ToolCallLlamaSpm) {
    check_walks("llama-spm", tool_call_grammar(), 3, 40, 5);
}
TEST(MaskBruteForce, JsonValueLlamaSpm) {
    check_walks("llama-spm", json_value_grammar(), 3, 40, 6);
}
TEST(MaskBruteForce, UnicodeLlamaSpm) {
    check_walks("llama-spm", unicode_grammar(), 2, 25, 7);
}
// The JSON Schema front end's grammar for any JSON value (its rule shapes, not ours).
TEST(MaskBruteForce, FrontEndJsonAnyQwen2) {
    check_walks("qwen2", json_any_grammar(), 3, 40, 9);
}
TEST(MaskBruteForce, BracketsLlamaBpe) {
    check_walks("llama-bpe", brackets_grammar(), 2, 25, 8);
}

// Replaying the sample tool calls token by token: every step's mask allows the next token and
// the output ends complete.
TEST(MaskBruteForce, SampleToolCallsAreAllowed) {
    const auto v = vocab("qwen2");
    flash::GgufFile f(flash::testing::testdata_path("tokenizer/ggml-vocab-qwen2.gguf"));
    const flash::Tokenizer tok = flash::Tokenizer::from_gguf(f);
    Matcher m(CompiledGrammar::compile(tool_call_grammar()), v);
    for (const std::string& sample : tool_call_samples()) {
        m.reset();
        TokenMask mask;
        for (int32_t id : tok.encode(sample, false)) {
            m.compute_mask(mask);
            ASSERT_TRUE(mask.allowed(id)) << "'" << v->piece(id) << "' in " << sample;
            ASSERT_TRUE(m.accept_token(id));
        }
        EXPECT_TRUE(m.is_complete());
        m.compute_mask(mask);
        EXPECT_TRUE(mask.allowed(tok.eos_id()) || !v->is_end_of_generation(tok.eos_id()));
    }
}

}  // namespace
}  // namespace flash::grammar
