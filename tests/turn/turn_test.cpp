// Turn: prepare renders and encodes once; run adds the end-of-turn stop and the grammar, and
// says whether a constrained output was finished. Driven by a scripted runner.
#include <gtest/gtest.h>

#include <algorithm>

#include "common/fake_vocab_model.h"
#include "common/scripted_runner.h"
#include "grammar/gbnf.h"
#include "turn/turn.h"

namespace flash::turn {
namespace {

using testing::ScriptedModel;
using testing::ScriptedRunner;
using testing::spm_bytes;

struct Fixture {
    ScriptedModel& m = ScriptedModel::get();
    ScriptedRunner runner{m.n_vocab()};
    std::unique_ptr<Session> session;
    Turn turn{ChatTemplate::from_gguf(m.model->gguf(), "chatml"), m.tokenizer};

    Fixture() {
        SessionOptions o;
        o.n_ctx = 512;
        o.runner = &runner;
        session = std::make_unique<Session>(*m.model, &m.tokenizer, o);
    }
    // The model answers `reply` byte by byte after any prompt of `prompt_len` tokens.
    void says(const std::string& reply, size_t prompt_len) {
        runner.say_after(static_cast<int64_t>(prompt_len), spm_bytes(reply), testing::kSpmEnd);
    }
    static std::shared_ptr<const grammar::CompiledGrammar> gbnf(const std::string& text) {
        return grammar::CompiledGrammar::compile(grammar::parse_gbnf(text));
    }
};

Prompt user(const std::string& text, const std::string& continuation = "") {
    Prompt p = Prompt::from({{"user", text}});
    p.continuation = continuation;
    return p;
}

TEST(Turn, PrepareRendersTheTemplateAndEncodesItOnce) {
    Fixture f;
    const PreparedTurn p = f.turn.prepare(user("hi", "Sure,"));
    EXPECT_NE(p.text.find("<|im_start|>user\nhi<|im_end|>"), std::string::npos) << p.text;
    EXPECT_TRUE(p.text.ends_with("<|im_start|>assistant\nSure,")) << p.text;
    EXPECT_EQ(p.tokens, f.m.tokenizer.encode_prompt(p.text));
    EXPECT_EQ(p.grammar, nullptr);
}

TEST(Turn, RunStopsAtTheTemplatesEndOfTurn) {
    Fixture f;
    const PreparedTurn p = f.turn.prepare(user("hi"));
    f.says("yes<|im_end|>and more", p.tokens.size());
    const TurnOutput out = f.turn.run(*f.session, p, {});
    EXPECT_EQ(out.text, "yes");
    EXPECT_EQ(out.stats.stop_reason, StopReason::StopString);
    EXPECT_FALSE(out.constrained);
    EXPECT_TRUE(out.complete);
}

TEST(Turn, RunHoldsTheOutputToThePreparedGrammar) {
    Fixture f;
    const PreparedTurn p =
        f.turn.prepare(user("yes or no?"), Fixture::gbnf(R"(root ::= "yes" | "no")"));
    f.says("maybe", p.tokens.size());  // the model wants something the grammar does not allow
    const TurnOutput out = f.turn.run(*f.session, p, {});
    EXPECT_TRUE(out.text == "yes" || out.text == "no") << out.text;
    EXPECT_TRUE(out.constrained);
    EXPECT_TRUE(out.complete);
    EXPECT_EQ(out.stats.stop_reason, StopReason::Complete);
}

TEST(Turn, AnOutputCutBeforeItsGrammarEndsIsNotComplete) {
    Fixture f;
    const PreparedTurn p =
        f.turn.prepare(user("list"), Fixture::gbnf(R"(root ::= "{" [a-z]+ "}")"));
    f.says("{qqqqqqqq}", p.tokens.size());
    GenerateOptions o;
    o.max_tokens = 1;  // too few for any completion: the budget cuts the output open
    const TurnOutput out = f.turn.run(*f.session, p, o);
    EXPECT_EQ(out.text, "{");
    EXPECT_TRUE(out.constrained);
    EXPECT_FALSE(out.complete);
    EXPECT_EQ(out.stats.stop_reason, StopReason::Length);
}

TEST(Turn, CopiesShareOneGrammarVocabulary) {
    Fixture f;
    const Turn copy = f.turn;
    EXPECT_EQ(copy.vocabulary().get(), f.turn.vocabulary().get());
    EXPECT_EQ(f.turn.vocabulary()->size(), f.m.tokenizer.n_vocab());
}

}  // namespace
}  // namespace flash::turn

namespace flash::turn {
namespace {

// A model that would write letters for ever, under a grammar for one JSON string member: the
// budget's last tokens close the output instead of leaving it open.
TEST(Turn, TheLastTokensOfTheBudgetCloseAConstrainedOutput) {
    auto& m = flash::testing::FakeModelFile::get();
    const auto& pieces = flash::testing::fake_pieces();
    const auto q =
        static_cast<int32_t>(std::find(pieces.begin(), pieces.end(), "q") - pieces.begin());
    ScriptedRunner runner(static_cast<int64_t>(pieces.size()), [q](int64_t) { return q; });
    SessionOptions so;
    so.n_ctx = 512;
    so.runner = &runner;
    Session session(*m.model, m.tokenizer.get(), so);
    const Turn turn(ChatTemplate::raw(), *m.tokenizer, m.vocab);
    const auto grammar = grammar::CompiledGrammar::compile(
        grammar::parse_gbnf(R"(root ::= "{\"city\": \"" [a-z]+ "\"}")"));
    for (const int budget : {14, 20, 40}) {
        GenerateOptions o;
        o.max_tokens = budget;
        const TurnOutput out = turn.run(session, turn.prepare(user("Where?"), grammar), o);
        EXPECT_TRUE(out.complete) << budget << ": " << out.text;
        EXPECT_TRUE(out.text.starts_with("{\"city\": \"")) << out.text;
        // With room, the model's own letters come first; a tight budget closes at once.
        if (budget >= 20) {
            EXPECT_NE(out.text.find("qq"), std::string::npos) << out.text;
        }
        EXPECT_TRUE(out.text.ends_with("\"}")) << out.text;
        EXPECT_EQ(out.stats.stop_reason, StopReason::Complete) << budget;
        EXPECT_LE(out.stats.generated_tokens, budget);
    }
}

}  // namespace
}  // namespace flash::turn

namespace flash::turn {
namespace {

// A SentencePiece vocabulary that adds a space prefix at the start of a text (Llama 2's): the
// grammar's forced text continues the reply, so it is tokenized without that space and taken
// in one batch instead of being refused and sampled byte by byte.
TEST(Turn, ForcedTextOnASpacePrefixVocabularyIsTakenWhole) {
    Fixture f;
    const PreparedTurn p =
        f.turn.prepare(user("status?"), Fixture::gbnf(R"(root ::= "{\"ok\": true}")"));
    f.says("zzzz", p.tokens.size());  // the model wants something else entirely
    GenerateOptions o;
    int sampled = 0, forced = 0;
    o.sampled = [&](std::span<const float> logits, int32_t) {
        ++(logits.empty() ? forced : sampled);
    };
    const TurnOutput out = f.turn.run(*f.session, p, o);
    EXPECT_EQ(out.text, "{\"ok\": true}");
    EXPECT_TRUE(out.complete);
    EXPECT_EQ(sampled, 0) << "forced text was refused and sampled token by token";
    EXPECT_GT(forced, 0);
    EXPECT_LT(forced, 12);  // whole pieces, not the 12 bytes one by one
}

}  // namespace
}  // namespace flash::turn
