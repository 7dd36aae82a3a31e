// Session::generate driven directly: a scripted runner (common/scripted_runner.h) stands in
// for the forward pass, so each stop condition, the stop-string hold-back, prefix reuse,
// forced tokens and the hooks' order are checked against known token sequences.
#include <gtest/gtest.h>

#include <limits>
#include <set>
#include <string>
#include <vector>

#include "common/scripted_runner.h"
#include "core/error.h"
#include "runtime/session.h"

namespace flash {
namespace {

using testing::kSpmEnd;
using testing::ScriptedModel;
using testing::ScriptedRunner;
using testing::spm_byte;
using testing::spm_bytes;

// A session whose model "says" `reply` (then ends) after a prompt of `prompt_len` tokens.
struct Scripted {
    ScriptedModel& m = ScriptedModel::get();
    ScriptedRunner runner{m.n_vocab()};
    std::unique_ptr<Session> session;

    explicit Scripted(int64_t n_ctx = 256) {
        SessionOptions o;
        o.n_ctx = n_ctx;
        o.n_batch = 8;
        o.runner = &runner;
        session = std::make_unique<Session>(*m.model, &m.tokenizer, o);
    }
    // After the prompt, the tokens of `reply` in order, then end of generation.
    void says(std::vector<int32_t> reply, int64_t prompt_len) {
        runner.say_after(prompt_len, std::move(reply), kSpmEnd);
    }
};

const std::vector<int32_t> kPrompt = spm_bytes("Q: hi? A:");

TEST(SessionGenerate, EndsAtEndOfGenerationAndCountsIt) {
    Scripted s;
    s.says(spm_bytes("Hello"), kPrompt.size());
    GenerationStats stats;
    EXPECT_EQ(s.session->generate(kPrompt, {}, {}, &stats), "Hello");
    EXPECT_EQ(stats.stop_reason, StopReason::EndOfGeneration);
    EXPECT_EQ(stats.generated_tokens, 6);  // five bytes and the end token
    EXPECT_EQ(stats.prompt_tokens, static_cast<int64_t>(kPrompt.size()));
    EXPECT_EQ(stats.cached_tokens, 0);
    // The prompt went in n_batch chunks, then one token per step.
    ASSERT_GE(s.runner.passes().size(), 2u);
    EXPECT_EQ(s.runner.passes()[0].tokens.size(), 8u);
    EXPECT_EQ(s.runner.passes()[1].tokens.size(), kPrompt.size() - 8);
    EXPECT_EQ(s.runner.passes()[1].pos, 8);
}

TEST(SessionGenerate, StopsAtMaxTokens) {
    Scripted s;
    s.says(spm_bytes("abcdefgh"), kPrompt.size());
    GenerateOptions o;
    o.max_tokens = 3;
    GenerationStats stats;
    EXPECT_EQ(s.session->generate(kPrompt, o, {}, &stats), "abc");
    EXPECT_EQ(stats.stop_reason, StopReason::Length);
    EXPECT_STREQ(finish_reason(stats.stop_reason), "length");
}

TEST(SessionGenerate, EndOfGenerationCanBeKept) {
    Scripted s;
    s.says(spm_bytes("ab"), kPrompt.size());
    GenerateOptions o;
    o.max_tokens = 4;
    o.stop_at_end_of_generation = false;
    GenerationStats stats;
    s.session->generate(kPrompt, o, {}, &stats);
    EXPECT_EQ(stats.stop_reason, StopReason::Length);
    EXPECT_EQ(stats.generated_tokens, 4);
}

TEST(SessionGenerate, StopStringIsCutAndHeldBackWhileItMightBeArriving) {
    Scripted s;
    s.says(spm_bytes("abENxEND tail"), kPrompt.size());
    GenerateOptions o;
    o.stop = {"END"};
    std::vector<std::string> pieces;
    GenerationStats stats;
    const std::string out = s.session->generate(
        kPrompt, o,
        [&](std::string_view piece) {
            pieces.emplace_back(piece);
            return true;
        },
        &stats);
    EXPECT_EQ(out, "abENx");
    EXPECT_EQ(stats.stop_reason, StopReason::StopString);
    std::string streamed;
    for (const std::string& p : pieces) {
        EXPECT_EQ(p.find("END"), std::string::npos);
        streamed += p;
    }
    EXPECT_EQ(streamed, "abENx");
    // "E" and "EN" could have begun the stop string: they came out together with the "x" that
    // ruled it out, never alone.
    ASSERT_GE(pieces.size(), 3u);
    EXPECT_EQ(pieces[0], "a");
    EXPECT_EQ(pieces[1], "b");
    EXPECT_EQ(pieces[2], "ENx");
}

TEST(SessionGenerate, CallbackCanStopGeneration) {
    Scripted s;
    s.says(spm_bytes("abcdef"), kPrompt.size());
    std::string seen;
    GenerationStats stats;
    s.session->generate(
        kPrompt, {},
        [&](std::string_view piece) {
            seen += piece;
            return seen.size() < 2;
        },
        &stats);
    EXPECT_EQ(seen, "ab");
    EXPECT_EQ(stats.stop_reason, StopReason::Callback);
}

TEST(SessionGenerate, CancelledIsAskedBeforeEveryStep) {
    Scripted s;
    s.says(spm_bytes("abcdef"), kPrompt.size());
    int asked = 0;
    GenerateOptions o;
    o.cancelled = [&] { return ++asked > 2; };
    GenerationStats stats;
    EXPECT_EQ(s.session->generate(kPrompt, o, {}, &stats), "ab");
    EXPECT_EQ(stats.stop_reason, StopReason::Cancelled);
    EXPECT_STREQ(finish_reason(stats.stop_reason), "stop");
}

TEST(SessionGenerate, FinishedEndsWithComplete) {
    Scripted s;
    s.says(spm_bytes("abcdef"), kPrompt.size());
    GenerateOptions o;
    int taken = 0;
    o.accepted = [&](int32_t) { ++taken; };
    o.finished = [&] { return taken == 3; };
    GenerationStats stats;
    EXPECT_EQ(s.session->generate(kPrompt, o, {}, &stats), "abc");
    EXPECT_EQ(stats.stop_reason, StopReason::Complete);
}

TEST(SessionGenerate, HooksSeeMaskedLogitsInOrder) {
    Scripted s;
    s.says(spm_bytes("aaaa"), kPrompt.size());
    GenerateOptions o;
    o.max_tokens = 2;
    std::vector<std::string> order;
    // The script wants 'a'; the mask leaves only 'z', so 'z' is what is sampled and reported.
    o.constrain = [&](std::span<float> logits) {
        order.push_back("constrain");
        for (size_t id = 0; id < logits.size(); ++id)
            if (static_cast<int32_t>(id) != spm_byte('z'))
                logits[id] = -std::numeric_limits<float>::infinity();
    };
    o.accepted = [&](int32_t id) {
        order.push_back("accepted");
        EXPECT_EQ(id, spm_byte('z'));
    };
    o.sampled = [&](std::span<const float> logits, int32_t id) {
        order.push_back("sampled");
        EXPECT_EQ(id, spm_byte('z'));
        ASSERT_EQ(static_cast<int64_t>(logits.size()), s.m.n_vocab());
        EXPECT_EQ(logits[static_cast<size_t>(spm_byte('a'))],
                  -std::numeric_limits<float>::infinity());
    };
    EXPECT_EQ(s.session->generate(kPrompt, o), "zz");
    EXPECT_EQ(order, (std::vector<std::string>{"constrain", "accepted", "sampled", "constrain",
                                               "accepted", "sampled"}));
}

TEST(SessionGenerate, ForcedTokensGoInOneBatchWithoutSampling) {
    Scripted s;
    s.says(spm_bytes("xyz"), kPrompt.size() + 3);  // after the forced "{\"a", the model says xyz
    GenerateOptions o;
    o.max_tokens = 5;
    bool forced_once = false;
    o.forced = [&] {
        if (forced_once) return std::vector<int32_t>{};
        forced_once = true;
        return spm_bytes("{\"a");
    };
    int accepted = 0, sampled_empty = 0;
    o.accepted = [&](int32_t) { ++accepted; };
    o.sampled = [&](std::span<const float> logits, int32_t) { sampled_empty += logits.empty(); };
    s.runner.clear();
    GenerationStats stats;
    EXPECT_EQ(s.session->generate(kPrompt, o, {}, &stats), "{\"axy");
    EXPECT_EQ(stats.generated_tokens, 5);
    EXPECT_EQ(accepted, 2);       // only sampled tokens are reported to `accepted`
    EXPECT_EQ(sampled_empty, 3);  // forced ones reach `sampled` without a distribution
    // The three forced tokens were evaluated as one pass at the position after the prompt.
    bool found = false;
    for (const auto& pass : s.runner.passes())
        if (pass.tokens == spm_bytes("{\"a")) {
            found = true;
            EXPECT_EQ(pass.pos, static_cast<int64_t>(kPrompt.size()));
        }
    EXPECT_TRUE(found);
}

TEST(SessionGenerate, ForcedTokensAreCutToTheBudget) {
    Scripted s;
    GenerateOptions o;
    o.max_tokens = 2;
    o.forced = [] { return spm_bytes("abcdef"); };
    GenerationStats stats;
    EXPECT_EQ(s.session->generate(kPrompt, o, {}, &stats), "ab");
    EXPECT_EQ(stats.stop_reason, StopReason::Length);
}

TEST(SessionGenerate, ReusesTheCachedPrefixOfTheNextTurn) {
    Scripted s;
    s.says(spm_bytes("ok"), kPrompt.size());
    EXPECT_EQ(s.session->generate(kPrompt, {}), "ok");
    // History: the prompt and "ok" (the end token stopped generation before it was evaluated).
    std::vector<int32_t> next = kPrompt;
    for (const int32_t id : spm_bytes("ok more")) next.push_back(id);
    s.says(spm_bytes("!"), next.size());
    s.runner.clear();
    GenerationStats stats;
    EXPECT_EQ(s.session->generate(next, {}, {}, &stats), "!");
    EXPECT_EQ(stats.cached_tokens, static_cast<int64_t>(kPrompt.size()) + 2);
    ASSERT_GE(s.runner.passes().size(), 2u);
    EXPECT_EQ(s.runner.passes()[0].pos, stats.cached_tokens);
    // The new part of the prompt, its last token alone (see the next test).
    EXPECT_EQ(s.runner.passes()[0].tokens, spm_bytes(" mor"));
    EXPECT_EQ(s.runner.passes()[1].tokens, spm_bytes("e"));
}

// The last prompt token always gets a forward pass of its own, so the same prompt computes it
// the same way whether the rest was cached (one token to evaluate) or not (the kernels round a
// one-row pass differently from a many-row one, and greedy answers then differed).
TEST(SessionGenerate, TheLastPromptTokenIsEvaluatedAlone) {
    Scripted s;
    const std::vector<int32_t> prompt = spm_bytes("Q: hello? A:");  // 12 tokens, n_batch 8
    s.says(spm_bytes("ok"), prompt.size());
    s.session->generate(prompt, {});
    ASSERT_GE(s.runner.passes().size(), 3u);
    EXPECT_EQ(s.runner.passes()[0].tokens.size(), 8u);
    EXPECT_EQ(s.runner.passes()[1].tokens.size(), 3u);
    EXPECT_EQ(s.runner.passes()[2].tokens, std::vector<int32_t>{prompt.back()});
    EXPECT_EQ(s.runner.passes()[2].pos, static_cast<int64_t>(prompt.size()) - 1);
    // The same prompt again: only that token is evaluated, at the same position.
    s.says(spm_bytes("ok"), prompt.size());
    s.runner.clear();
    s.session->generate(prompt, {});
    ASSERT_FALSE(s.runner.passes().empty());
    EXPECT_EQ(s.runner.passes()[0].tokens, std::vector<int32_t>{prompt.back()});
    EXPECT_EQ(s.runner.passes()[0].pos, static_cast<int64_t>(prompt.size()) - 1);
}

TEST(SessionGenerate, ADivergingPromptKeepsOnlyTheSharedPrefix) {
    Scripted s;
    s.says(spm_bytes("ok"), kPrompt.size());
    s.session->generate(kPrompt, {});
    std::vector<int32_t> other = kPrompt;
    other[4] = spm_byte('X');
    s.says(spm_bytes("!"), other.size());
    GenerationStats stats;
    s.session->generate(other, {}, {}, &stats);
    EXPECT_EQ(stats.cached_tokens, 4);
    // The same prompt again: all but its last token is reused (that one gives fresh logits).
    s.session->generate(other, {}, {}, &stats);
    EXPECT_EQ(stats.cached_tokens, static_cast<int64_t>(other.size()) - 1);
}

TEST(SessionGenerate, StopsWhenTheContextIsFull) {
    Scripted s(/*n_ctx=*/16);
    s.says(spm_bytes("abcdefghijklmnop"), kPrompt.size());
    GenerationStats stats;
    const std::string out = s.session->generate(kPrompt, {}, {}, &stats);
    EXPECT_EQ(stats.stop_reason, StopReason::Context);
    EXPECT_STREQ(finish_reason(stats.stop_reason), "length");
    EXPECT_EQ(static_cast<int64_t>(kPrompt.size() + out.size()), s.session->n_ctx());
}

TEST(SessionGenerate, RefusesEmptyAndOversizedPrompts) {
    Scripted s(/*n_ctx=*/8);
    EXPECT_THROW(s.session->generate({}, {}), Error);
    EXPECT_THROW(s.session->generate(kPrompt, {}), Error);  // 9 tokens, 8 of context
}

TEST(StopReason, EveryValueHasANameAndAFinishReason) {
    const StopReason all[] = {StopReason::None,       StopReason::EndOfGeneration,
                              StopReason::StopString, StopReason::Length,
                              StopReason::Context,    StopReason::Callback,
                              StopReason::Complete,   StopReason::Cancelled};
    std::set<std::string> names;
    for (const StopReason r : all) {
        names.insert(to_string(r));
        const std::string f = finish_reason(r);
        EXPECT_TRUE(f == "stop" || f == "length") << to_string(r);
    }
    EXPECT_EQ(names.size(), std::size(all));
    EXPECT_EQ(stop_reason_from_finish_reason("length"), StopReason::Length);
    EXPECT_EQ(stop_reason_from_finish_reason("content_filter"), StopReason::Cancelled);
    EXPECT_EQ(stop_reason_from_finish_reason("tool_calls"), StopReason::EndOfGeneration);
}

}  // namespace
}  // namespace flash
