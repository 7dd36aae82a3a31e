// Session: one conversation with a model — tokenize → prefill → decode → sample, with a KV
// cache that is reused across turns when the new prompt extends what is already cached.
// Higher layers (grammars, tool calling) plug in through GenerateOptions' hooks; the session
// knows nothing about them. Depends on core/, tokenizer/, model/ and runtime/.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/thread_pool.h"
#include "model/kv_cache.h"
#include "model/model.h"
#include "runtime/sampler.h"
#include "tokenizer/tokenizer.h"

namespace flash {

// How a session's tokens reach the model. Without one the session runs the forward pass itself
// on its own thread pool; a server gives its sessions a Batcher (runtime/batcher.h), which joins
// the tokens of many sessions into one pass.
class ForwardRunner {
  public:
    virtual ~ForwardRunner() = default;
    virtual void forward(const SequenceBatch& seq) = 0;
};

struct SessionOptions {
    int64_t n_ctx = 4096;   // clamped to the model's training context
    int n_threads = 0;      // 0: all hardware threads
    int64_t n_batch = 256;  // prompt tokens evaluated per forward call
    // Exact keeps activations in f32 (default: the dequantized model's own arithmetic);
    // Fast rounds them to 8 bits as llama.cpp does, trading fidelity for speed.
    kernels::Precision precision = kernels::Precision::Exact;
    KvTypes kv_types;  // the KV cache's element types (f16, or q8_0 for half the memory)
    ForwardRunner* runner = nullptr;  // null: the session's own pool (n_threads)
};

struct GenerateOptions {
    int max_tokens = 256;
    SamplerConfig sampling;
    std::vector<std::string> stop;  // stop strings (not included in the output)
    bool stop_at_end_of_generation = true;
    // Hooks: may mask logits (set to -inf) before sampling; told of every chosen token;
    // asked after each token whether the output is finished (e.g. a grammar is complete and
    // nothing may follow), which ends generation with StopReason::Complete.
    std::function<void(std::span<float> logits)> constrain;
    std::function<void(int32_t token)> accepted;
    std::function<bool()> finished;
    // Asked before each step for tokens that must come next whatever the model says (a
    // grammar's forced text): they are taken without sampling — `accepted` is not called for
    // them, the hook has already advanced its own state — and evaluated in one batch.
    std::function<std::vector<int32_t>()> forced;
    // Asked before each step: true ends generation with StopReason::Cancelled (a client gone,
    // a deadline passed).
    std::function<bool()> cancelled;
    // Told of each generated token with the distribution it was chosen from (after masks and
    // penalties; empty for forced tokens, which had no alternative) — for log-probabilities.
    std::function<void(std::span<const float> logits, int32_t token)> sampled;
};

// Why generation ended. One value set in one place (Session::generate), read everywhere, and
// mapped to OpenAI's finish_reason by one function.
enum class StopReason {
    None,             // not started, or still running
    EndOfGeneration,  // the model's end-of-generation token
    StopString,       // one of GenerateOptions::stop
    Length,           // max_tokens reached
    Context,          // the context window is full
    Callback,         // on_text asked to stop
    Complete,         // `finished` said the output is complete (a grammar allows nothing more)
    Cancelled,        // `cancelled` said so (client gone, deadline passed)
};

// "eog", "stop", "length", "context", "callback", "complete", "cancelled" (for logs and stats).
const char* to_string(StopReason reason);
// OpenAI's finish_reason for a turn without tool calls: "length" when a token or context limit
// cut the output, otherwise "stop".
const char* finish_reason(StopReason reason);
// The reverse, for an OpenAI endpoint's answer: "length" → Length, "content_filter" →
// Cancelled, anything else ("stop", "tool_calls") → EndOfGeneration.
StopReason stop_reason_from_finish_reason(std::string_view finish_reason);

struct GenerationStats {
    int64_t prompt_tokens = 0;
    int64_t cached_tokens = 0;  // prompt tokens reused from the cache
    int64_t generated_tokens = 0;
    double prefill_ms = 0;
    double decode_ms = 0;
    StopReason stop_reason = StopReason::None;

    double prefill_tps() const {
        return prefill_ms > 0 ? (prompt_tokens - cached_tokens) * 1000.0 / prefill_ms : 0;
    }
    double decode_tps() const { return decode_ms > 0 ? generated_tokens * 1000.0 / decode_ms : 0; }
};

class Session {
  public:
    Session(const Model& model, const Tokenizer* tokenizer, const SessionOptions& options = {});

    const Model& model() const { return model_; }
    const Tokenizer& tokenizer() const;  // throws if the session has none
    int64_t n_ctx() const { return cache_.n_ctx(); }
    size_t cache_bytes() const { return cache_.bytes(); }  // KV cache and recurrent state
    int64_t n_past() const { return static_cast<int64_t>(history_.size()); }
    const std::vector<int32_t>& history() const { return history_; }
    ThreadPool& pool() { return pool_; }

    void reset();
    // Keeps the first n cached tokens and forgets the rest. A model with recurrent layers
    // cannot rewind its state, so there anything short of the whole history starts over.
    void truncate(int64_t n);

    // Appends tokens to the sequence (in n_batch chunks) and returns the last token's logits.
    std::span<float> eval(std::span<const int32_t> tokens);
    // Appends tokens and writes logits for every one of them (n x n_vocab) to `out`.
    void eval_all(std::span<const int32_t> tokens, float* out);

    // Continues from `prompt` (reusing the cached prefix it shares with the history) and
    // generates up to max_tokens. on_text receives decoded text as it becomes complete UTF-8
    // and returns false to stop. Returns the generated text.
    std::string generate(std::span<const int32_t> prompt, const GenerateOptions& options,
                         const std::function<bool(std::string_view)>& on_text = {},
                         GenerationStats* stats = nullptr);

  private:
    void forward(std::span<const int32_t> tokens, float* logits, bool all_logits);

    const Model& model_;
    const Tokenizer* tokenizer_;
    SessionOptions options_;
    ThreadPool pool_;
    KvCache cache_;
    Workspace ws_;
    std::vector<int32_t> history_;
    std::vector<float> logits_;
};

}  // namespace flash
