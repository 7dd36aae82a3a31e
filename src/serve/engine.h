// Engine: what the server runs, apart from HTTP. One model shared by a fixed set of slots —
// each a Session with its own KV cache, stepping through one Batcher (continuous batching) —
// and a bounded, first-come-first-served queue for requests waiting for a slot. A request is
// prepared (prompt rendered and tokenized, grammar compiled: every 400 happens here), then
// takes a slot (the free one whose cache shares the longest prefix with its prompt) and runs.
// Depends on ask/, chat/, grammar/, retrieval/, runtime/, tools/ and serve/request.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ask/grounded.h"
#include "chat/chat_template.h"
#include "grammar/compiled_grammar.h"
#include "runtime/batcher.h"
#include "runtime/session.h"
#include "serve/metrics.h"
#include "serve/request.h"
#include "tools/tool_caller.h"
#include "turn/turn.h"

namespace flash::serve {

using Clock = std::chrono::steady_clock;

struct EngineOptions {
    int slots = 4;
    int queue = 64;         // requests that may wait for a slot; more get 429
    int64_t n_ctx = 4096;   // per slot
    int64_t n_batch = 256;  // prompt tokens per forward pass
    int threads = 0;        // 0: all hardware threads
    kernels::Precision precision = kernels::Precision::Exact;
    bool repack = false;        // Model::repack_for_fast at load (with Precision::Fast)
    KvTypes kv_types;           // every slot's KV cache
    std::string chat_template;  // "" : the model's own
    std::string index_dir;      // /v1/answers without documents searches this
    int default_max_tokens = 1024;
    // Where the forward passes run: given the loaded model, a pass for the Batcher (the GPU's),
    // or an empty function for the CPU. The CLI's --device sets it.
    std::function<BatchPass(const Model&)> device;
};

// One generated token's log-probability and its strongest alternatives.
struct TokenLogprob {
    std::string token;
    double logprob = 0;
    std::vector<std::pair<std::string, double>> top;
};

// Where a running request sends its output. All optional.
struct OutputSink {
    // Text as it becomes final (UTF-8 complete); false means the client is gone.
    std::function<bool(std::string_view text, std::vector<TokenLogprob>& logprobs)> text;
    std::function<bool()> gone;  // polled every step
};

struct Outcome {
    std::string content;
    Json tool_calls = Json::array();  // OpenAI-shaped
    std::string finish_reason;        // stop, length, tool_calls
    std::vector<TokenLogprob> logprobs;
    std::vector<std::string> problems;  // output that was not accepted as calls
    GenerationStats stats;
    bool timed_out = false;
    bool cancelled = false;  // the client went away
};

struct PreparedChat {
    ChatRequest request;
    tools::PreparedCall call;  // prompt tokens and the grammar (tool calls or response_format)
    int max_tokens = 0;

    const std::vector<int32_t>& prompt() const { return call.turn.tokens; }
};

struct PreparedCompletion {
    CompletionRequest request;
    std::vector<int32_t> prompt;
    int max_tokens = 0;
};

class Engine;

// A slot held by one request; given back when destroyed.
class SlotLease {
  public:
    SlotLease(Engine& engine, size_t slot) : engine_(engine), slot_(slot) {}
    ~SlotLease();
    SlotLease(const SlotLease&) = delete;
    SlotLease& operator=(const SlotLease&) = delete;
    size_t slot() const { return slot_; }

  private:
    Engine& engine_;
    size_t slot_;
};

class Engine {
  public:
    Engine(const std::string& model_path, const EngineOptions& options);
    ~Engine();

    const std::string& model_id() const { return model_id_; }
    int64_t n_ctx() const;
    Metrics& metrics() { return metrics_; }
    // Sampling for requests that set none (the model file's advice, else flash's chat
    // defaults), and what was wrong with the file's advice, for the startup log.
    const SamplerConfig& chat_preset() const { return chat_preset_; }
    const std::vector<std::string>& preset_warnings() const { return preset_warnings_; }
    Gauges gauges() const;

    PreparedChat prepare(ChatRequest request) const;
    PreparedCompletion prepare(CompletionRequest request) const;

    // Waits for a slot until `deadline` (504 after), or refuses at once when the queue is full
    // (429).
    std::unique_ptr<SlotLease> acquire(std::span<const int32_t> prompt, Clock::time_point deadline);

    Outcome chat(const SlotLease& lease, const PreparedChat& job, const OutputSink& sink,
                 Clock::time_point arrival, Clock::time_point deadline);
    Outcome complete(const SlotLease& lease, const PreparedCompletion& job, const OutputSink& sink,
                     Clock::time_point arrival, Clock::time_point deadline);
    // The grounded answer as AskResult::to_json gives it.
    Json answer(const SlotLease& lease, const AnswerRequest& request, Clock::time_point deadline);

  private:
    friend class SlotLease;
    struct Slot {
        std::unique_ptr<Session> session;
        std::unique_ptr<tools::ToolCaller> caller;
        std::unique_ptr<ask::GroundedAnswerer> answerer;
        bool busy = false;
        uint64_t last_used = 0;
    };

    void release(size_t slot);
    // The hooks every generation shares: deadline and client checks, timings, logprobs.
    void instrument(GenerateOptions& gen, const OutputSink& sink, Clock::time_point arrival,
                    Clock::time_point deadline, int top_logprobs, bool want_logprobs,
                    std::vector<TokenLogprob>* logprobs, bool* client_gone);
    void finish(Outcome& out, bool client_gone, Clock::time_point deadline);

    EngineOptions options_;
    std::unique_ptr<Model> model_;
    std::unique_ptr<Tokenizer> tokenizer_;
    std::unique_ptr<turn::Turn> turn_;  // null: the model has no chat template
    std::unique_ptr<Batcher> batcher_;
    std::string model_id_;
    SamplerConfig chat_preset_;
    std::vector<std::string> preset_warnings_;
    Metrics metrics_;

    mutable std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<Slot> slots_;
    std::deque<uint64_t> waiting_;  // tickets in arrival order; the front takes the next slot
    uint64_t next_ticket_ = 0;
    uint64_t uses_ = 0;
};

}  // namespace flash::serve
