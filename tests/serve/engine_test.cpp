// The engine on the real SmolLM2-135M-Instruct (FLASH_SMOLLM2): 400s before a slot is taken, the
// bounded queue (429) and its order, slots chosen by shared prefix, and concurrent requests
// through continuous batching giving what each gives alone.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "common/real_model.h"
#include "serve/engine.h"

namespace flash::serve {
namespace {

EngineOptions small(int slots, int queue) {
    EngineOptions o;
    o.slots = slots;
    o.queue = queue;
    o.n_ctx = 256;
    o.n_batch = 32;
    o.threads = 2;
    return o;
}

ChatRequest ask(const std::string& text, int max_tokens = 8) {
    ChatRequest r;
    r.messages = Json::array({{{"role", "user"}, {"content", text}}});
    r.sampling.max_tokens = max_tokens;
    return r;
}

Clock::time_point in(double seconds) {
    return Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

TEST(Engine, PromptsPastTheContextAndUnenforceableSchemasAre400s) {
    REQUIRE_SMOLLM2(model_path);
    Engine e(model_path, small(1, 1));
    try {
        e.prepare(ask(std::string(4000, 'a')));
        FAIL() << "accepted";
    } catch (const ApiError& err) {
        EXPECT_EQ(err.status(), 400);
        EXPECT_NE(std::string(err.what()).find("maximum context length is 256"), std::string::npos);
    }
    ChatRequest r = ask("hi");
    r.format.json_schema = R"({"type":"string","format":"color"})";
    try {
        e.prepare(r);
        FAIL() << "accepted";
    } catch (const ApiError& err) {
        EXPECT_EQ(err.param(), "response_format");
        EXPECT_NE(std::string(err.what()).find("format"), std::string::npos) << err.what();
    }
}

TEST(Engine, AFullQueueIs429AndWaitersAreServedInOrder) {
    REQUIRE_SMOLLM2(model_path);
    Engine e(model_path, small(1, 1));
    auto held = e.acquire({}, in(5));
    // One may wait; the next is refused at once.
    auto waiter = std::async(std::launch::async, [&] { return e.acquire({}, in(5)); });
    while (e.gauges().queue_depth < 1) std::this_thread::yield();
    try {
        e.acquire({}, in(5));
        FAIL() << "a second waiter was queued";
    } catch (const ApiError& err) {
        EXPECT_EQ(err.status(), 429);
    }
    held.reset();
    EXPECT_NE(waiter.get(), nullptr);
    EXPECT_EQ(e.gauges().queue_depth, 0);
    // Waiting past the deadline is a 504.
    auto again = e.acquire({}, in(5));
    try {
        e.acquire({}, in(0.05));
        FAIL() << "no timeout";
    } catch (const ApiError& err) {
        EXPECT_EQ(err.status(), 504);
    }
}

TEST(Engine, ANextTurnGoesToTheSlotHoldingItsPrefix) {
    REQUIRE_SMOLLM2(model_path);
    Engine e(model_path, small(3, 4));
    const PreparedChat first = e.prepare(ask("The first conversation is about rivers and lakes."));
    size_t used = 0;
    {
        auto lease = e.acquire(first.prompt(), in(5));
        used = lease->slot();
        e.chat(*lease, first, {}, Clock::now(), in(30));
    }
    // Make that slot the most recently used, so only the prefix can explain the choice.
    {
        auto other = e.acquire({}, in(5));
        EXPECT_NE(other->slot(), used);
    }
    ChatRequest next = ask("The first conversation is about rivers and lakes.");
    next.messages.push_back({{"role", "assistant"}, {"content", "Yes."}});
    next.messages.push_back({{"role", "user"}, {"content", "And the sea?"}});
    const PreparedChat second = e.prepare(next);
    auto lease = e.acquire(second.prompt(), in(5));
    EXPECT_EQ(lease->slot(), used);
    const Outcome out = e.chat(*lease, second, {}, Clock::now(), in(30));
    EXPECT_GT(out.stats.cached_tokens, 5);
}

TEST(Engine, ConcurrentChatsMatchTheSameChatsOneByOne) {
    const std::vector<std::string> questions = {"alpha beta", "gamma delta epsilon", "zeta",
                                                "eta theta iota kappa"};
    REQUIRE_SMOLLM2(model_path);
    std::vector<std::string> alone;
    {
        Engine e(model_path, small(1, 8));
        for (const std::string& q : questions) {
            const PreparedChat job = e.prepare(ask(q, 12));
            auto lease = e.acquire(job.prompt(), in(5));
            alone.push_back(e.chat(*lease, job, {}, Clock::now(), in(60)).content);
        }
    }
    Engine e(model_path, small(4, 8));
    std::vector<std::future<std::string>> together;
    for (const std::string& q : questions)
        together.push_back(std::async(std::launch::async, [&e, q] {
            const PreparedChat job = e.prepare(ask(q, 12));
            auto lease = e.acquire(job.prompt(), in(5));
            return e.chat(*lease, job, {}, Clock::now(), in(60)).content;
        }));
    for (size_t i = 0; i < questions.size(); ++i)
        EXPECT_EQ(together[i].get(), alone[i]) << questions[i];
    EXPECT_GT(e.gauges().mean_batch, 1.0) << "no forward pass held two sequences";
}

TEST(Engine, LogprobsAreNormalisedAndDeadlinesStopGeneration) {
    REQUIRE_SMOLLM2(model_path);
    Engine e(model_path, small(1, 1));
    ChatRequest r = ask("hello", 6);
    r.logprobs = true;
    r.top_logprobs = 3;
    const PreparedChat job = e.prepare(r);
    {
        auto lease = e.acquire(job.prompt(), in(5));
        const Outcome out = e.chat(*lease, job, {}, Clock::now(), in(60));
        ASSERT_EQ(out.logprobs.size(), static_cast<size_t>(out.stats.generated_tokens));
        for (const TokenLogprob& lp : out.logprobs) {
            EXPECT_LE(lp.logprob, 1e-9);
            ASSERT_EQ(lp.top.size(), 3u);
            EXPECT_GE(lp.top[0].second, lp.logprob - 1e-9);  // greedy: the chosen is the best
        }
    }
    auto lease = e.acquire(job.prompt(), in(5));
    const Outcome late = e.chat(*lease, job, {}, Clock::now(), Clock::now());
    EXPECT_TRUE(late.timed_out);
    EXPECT_EQ(late.stats.generated_tokens, 0);
}

}  // namespace
}  // namespace flash::serve
