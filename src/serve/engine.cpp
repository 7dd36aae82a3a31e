#include "serve/engine.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "core/error.h"
#include "grammar/constraint_spec.h"
#include "retrieval/index.h"

namespace flash::serve {
namespace {

size_t common_prefix(const std::vector<int32_t>& a, std::span<const int32_t> b) {
    size_t n = 0;
    while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
    return n;
}

tools::ToolRequest tool_request(const ChatRequest& r) {
    tools::ToolRequest t;
    t.messages = r.messages;
    t.tools = r.tools;
    t.choice = r.choice;
    if (r.tools.empty()) t.choice.mode = tools::ToolChoice::Mode::None;
    t.parallel = r.parallel;
    return t;
}

void apply_sampling(GenerateOptions& gen, const Sampling& s, int max_tokens,
                    const SamplerConfig& preset) {
    gen.max_tokens = max_tokens;
    gen.sampling = s.sampler.over(preset);
    gen.stop = s.stop;
}

// log-softmax of the chosen token and the k best, over the tokens that were allowed.
TokenLogprob logprob_of(std::span<const float> logits, int32_t token, int k, const Tokenizer& tok) {
    TokenLogprob lp;
    lp.token = tok.decode({token});
    if (logits.empty()) {  // forced by the grammar: it was the only choice
        lp.top.emplace_back(lp.token, 0.0);
        return lp;
    }
    float max = -std::numeric_limits<float>::infinity();
    for (const float v : logits) max = std::max(max, v);
    double sum = 0;
    for (const float v : logits)
        if (std::isfinite(v)) sum += std::exp(static_cast<double>(v - max));
    const double log_z = static_cast<double>(max) + std::log(sum);
    lp.logprob = static_cast<double>(logits[static_cast<size_t>(token)]) - log_z;
    if (k > 0) {
        std::vector<int32_t> ids(logits.size());
        for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int32_t>(i);
        const size_t take = std::min<size_t>(static_cast<size_t>(k), ids.size());
        std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(take), ids.end(),
                          [&](int32_t a, int32_t b) { return logits[a] > logits[b]; });
        for (size_t i = 0; i < take; ++i) {
            if (!std::isfinite(logits[ids[i]])) break;
            lp.top.emplace_back(tok.decode({ids[i]}), static_cast<double>(logits[ids[i]]) - log_z);
        }
    }
    return lp;
}

// A generation's text callback for a sink: each piece goes out with the log-probabilities
// recorded since the last one; a refused write marks the client gone and stops generation.
std::function<bool(std::string_view)> stream_to(const OutputSink& sink,
                                                const std::vector<TokenLogprob>& logprobs,
                                                bool& gone) {
    auto sent = std::make_shared<size_t>(0);
    return [&sink, &logprobs, &gone, sent](std::string_view piece) {
        std::vector<TokenLogprob> lp(logprobs.begin() + static_cast<std::ptrdiff_t>(*sent),
                                     logprobs.end());
        *sent = logprobs.size();
        if (!sink.text(piece, lp)) gone = true;
        return !gone;
    };
}

// 400 context_length_exceeded for a prompt that leaves no room to generate.
void check_fits(size_t prompt_tokens, int64_t ctx, const std::string& param) {
    if (static_cast<int64_t>(prompt_tokens) < ctx) return;
    throw ApiError(400,
                   "This model's maximum context length is " + std::to_string(ctx) +
                       " tokens. However, your " + param + " resulted in " +
                       std::to_string(prompt_tokens) + " tokens.",
                   param, "invalid_request_error", "context_length_exceeded");
}

std::string finish_reason_of(const GenerationStats& s) {
    return finish_reason(s.stop_reason);
}

}  // namespace

SlotLease::~SlotLease() {
    engine_.release(slot_);
}

Engine::Engine(const std::string& model_path, const EngineOptions& options) : options_(options) {
    if (options_.slots < 1) throw Error("--slots must be at least 1");
    if (options_.queue < 0) throw Error("--queue must not be negative");
    model_ = Model::load(model_path);
    if (options_.repack) {
        ThreadPool pool(ThreadPool::threads_or_default(options_.threads));
        model_->repack_for_fast(pool);
    }
    tokenizer_ = std::make_unique<Tokenizer>(Tokenizer::from_gguf(model_->gguf()));
    // One Turn for every slot: the grammar vocabulary is built once, before the first request.
    turn_ = std::make_unique<turn::Turn>(
        ChatTemplate::from_gguf(model_->gguf(), options_.chat_template), *tokenizer_);
    turn_->vocabulary();
    // A step holds one prompt chunk plus every other slot's next token.
    batcher_ = std::make_unique<Batcher>(*model_, options_.threads,
                                         options_.n_batch + options_.slots, options_.precision,
                                         options_.device ? options_.device(*model_) : BatchPass{});
    model_id_ = std::filesystem::path(model_path).stem().string();
    chat_preset_ = chat_sampling(model_->gguf(), &preset_warnings_);

    SessionOptions so;
    so.n_ctx = options_.n_ctx;
    so.n_batch = options_.n_batch;
    so.precision = options_.precision;
    so.kv_types = options_.kv_types;
    so.runner = batcher_.get();
    slots_.resize(static_cast<size_t>(options_.slots));
    for (Slot& s : slots_) {
        s.session = std::make_unique<Session>(*model_, tokenizer_.get(), so);
        if (!turn_->chat_template().is_raw()) {
            s.caller = std::make_unique<tools::ToolCaller>(*s.session, *turn_);
            s.answerer = std::make_unique<ask::GroundedAnswerer>(*s.session, *turn_);
        }
    }
}

Engine::~Engine() = default;

int64_t Engine::n_ctx() const {
    return slots_.front().session->n_ctx();
}

Gauges Engine::gauges() const {
    Gauges g;
    {
        std::lock_guard lock(mutex_);
        g.queue_depth = static_cast<int>(waiting_.size());
        for (const Slot& s : slots_) g.slots_busy += s.busy ? 1 : 0;
    }
    g.slots_total = static_cast<int>(slots_.size());
    g.ready = true;
    const BatcherStats b = batcher_->stats();
    g.mean_batch = b.steps ? static_cast<double>(b.sequences) / static_cast<double>(b.steps) : 0;
    return g;
}

PreparedChat Engine::prepare(ChatRequest request) const {
    if (!slots_.front().caller)
        throw bad_request(
            "this model has no chat template: start the server with --chat-template (chatml, "
            "gemma, llama3 or a .jinja file), or use /v1/completions");
    // Preparing only reads the template, the tool format and the tokenizer, so any slot's
    // caller will do without holding the slot.
    const tools::ToolCaller& caller = *slots_.front().caller;
    const tools::ToolRequest tr = tool_request(request);
    std::shared_ptr<const grammar::CompiledGrammar> grammar;
    try {
        grammar = caller.call_grammar(tr);
    } catch (const Error& e) {
        throw bad_request(std::string("the tools cannot be enforced: ") + e.what(), "tools");
    }
    if (!grammar && !request.format.empty()) {
        try {
            grammar = grammar::CompiledGrammar::compile(grammar::compile_spec(request.format));
        } catch (const Error& e) {
            throw bad_request(std::string("response_format cannot be enforced: ") + e.what(),
                              "response_format");
        }
    }
    PreparedChat job;
    try {
        job.call = caller.prepare(tr, std::move(grammar));
    } catch (const Error& e) {
        throw bad_request(e.what(), "messages");
    }
    const int64_t ctx = n_ctx();
    check_fits(job.prompt().size(), ctx, "messages");
    const int64_t room = ctx - static_cast<int64_t>(job.prompt().size());
    const int64_t wanted =
        request.sampling.max_tokens > 0 ? request.sampling.max_tokens : options_.default_max_tokens;
    job.max_tokens = static_cast<int>(std::min(wanted, room));
    job.request = std::move(request);
    return job;
}

PreparedCompletion Engine::prepare(CompletionRequest request) const {
    PreparedCompletion job;
    job.prompt = tokenizer_->encode_prompt(request.prompt);
    const int64_t ctx = n_ctx();
    check_fits(job.prompt.size(), ctx, "prompt");
    job.max_tokens = static_cast<int>(std::min<int64_t>(
        request.sampling.max_tokens, ctx - static_cast<int64_t>(job.prompt.size())));
    job.request = std::move(request);
    return job;
}

std::unique_ptr<SlotLease> Engine::acquire(std::span<const int32_t> prompt,
                                           Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    auto best_free = [&]() -> int {
        int best = -1;
        size_t best_shared = 0;
        for (size_t i = 0; i < slots_.size(); ++i) {
            const Slot& s = slots_[i];
            if (s.busy) continue;
            const size_t shared = common_prefix(s.session->history(), prompt);
            if (best < 0 || shared > best_shared ||
                (shared == best_shared && s.last_used < slots_[best].last_used)) {
                best = static_cast<int>(i);
                best_shared = shared;
            }
        }
        return best;
    };
    auto take = [&](int i) {
        slots_[i].busy = true;
        slots_[i].last_used = ++uses_;
        return std::make_unique<SlotLease>(*this, static_cast<size_t>(i));
    };
    if (waiting_.empty())
        if (const int i = best_free(); i >= 0) return take(i);
    if (static_cast<int>(waiting_.size()) >= options_.queue)
        throw ApiError(429,
                       "The server is busy: all " + std::to_string(slots_.size()) +
                           " slots are generating and " + std::to_string(waiting_.size()) +
                           " requests are waiting. Retry later.",
                       "", "rate_limit_error", "rate_limit_exceeded");
    const uint64_t ticket = next_ticket_++;
    waiting_.push_back(ticket);
    const bool served = freed_.wait_until(
        lock, deadline, [&] { return waiting_.front() == ticket && best_free() >= 0; });
    if (!served) {
        waiting_.erase(std::find(waiting_.begin(), waiting_.end(), ticket));
        freed_.notify_all();
        throw ApiError(504, "The request timed out waiting for a free slot.", "", "timeout_error");
    }
    waiting_.pop_front();
    freed_.notify_all();  // the next in line may find a slot too
    return take(best_free());
}

void Engine::release(size_t slot) {
    {
        std::lock_guard lock(mutex_);
        slots_[slot].busy = false;
    }
    freed_.notify_all();
}

void Engine::instrument(GenerateOptions& gen, const OutputSink& sink, Clock::time_point arrival,
                        Clock::time_point deadline, int top_logprobs, bool want_logprobs,
                        std::vector<TokenLogprob>* logprobs, bool* client_gone) {
    gen.cancelled = [&sink, deadline, client_gone] {
        if (*client_gone) return true;
        if (sink.gone && sink.gone()) return *client_gone = true;
        return Clock::now() > deadline;
    };
    auto last = std::make_shared<Clock::time_point>();
    gen.sampled = [this, arrival, last, top_logprobs, want_logprobs, logprobs](
                      std::span<const float> logits, int32_t token) {
        const auto now = Clock::now();
        if (*last == Clock::time_point{}) {
            metrics_.observe_first_token(std::chrono::duration<double>(now - arrival).count());
        } else {
            metrics_.observe_token_gap(std::chrono::duration<double>(now - *last).count());
        }
        *last = now;
        if (want_logprobs)
            logprobs->push_back(logprob_of(logits, token, top_logprobs, *tokenizer_));
    };
}

void Engine::finish(Outcome& out, bool client_gone, Clock::time_point deadline) {
    out.cancelled = client_gone;
    out.timed_out =
        !client_gone && out.stats.stop_reason == StopReason::Cancelled && Clock::now() > deadline;
    if (out.cancelled || out.timed_out) metrics_.count_cancelled();
    metrics_.count_tokens(out.stats.prompt_tokens, out.stats.cached_tokens,
                          out.stats.generated_tokens);
}

Outcome Engine::chat(const SlotLease& lease, const PreparedChat& job, const OutputSink& sink,
                     Clock::time_point arrival, Clock::time_point deadline) {
    Slot& slot = slots_[lease.slot()];
    const ChatRequest& req = job.request;
    tools::ToolRequest tr = tool_request(req);
    // Open-ended chat samples from the model's preset; tool calls and response formats are
    // checked answers and stay greedy unless the request says otherwise.
    const bool open_ended = req.tools.empty() && req.format.empty();
    apply_sampling(tr.generation, req.sampling, job.max_tokens,
                   open_ended ? chat_preset_ : greedy_sampling());
    Outcome out;
    bool gone = false;
    instrument(tr.generation, sink, arrival, deadline, req.top_logprobs, req.logprobs,
               &out.logprobs, &gone);
    // With tools on offer the output may be call syntax, which is not content: it is read back
    // whole and sent as tool_calls.
    std::function<bool(std::string_view)> on_text;
    if (sink.text && !req.offers_tools()) on_text = stream_to(sink, out.logprobs, gone);
    tools::ToolResponse r;
    {
        Batcher::Active active(*batcher_);
        r = slot.caller->respond(tr, job.call, on_text);
    }
    out.content = r.content;
    for (const tools::ToolCall& c : r.calls) out.tool_calls.push_back(c.to_openai());
    out.problems = r.problems;
    out.stats = r.stats;
    out.finish_reason = !r.calls.empty() ? "tool_calls" : finish_reason_of(r.stats);
    finish(out, gone, deadline);
    return out;
}

Outcome Engine::complete(const SlotLease& lease, const PreparedCompletion& job,
                         const OutputSink& sink, Clock::time_point arrival,
                         Clock::time_point deadline) {
    Slot& slot = slots_[lease.slot()];
    const CompletionRequest& req = job.request;
    GenerateOptions gen;
    apply_sampling(gen, req.sampling, job.max_tokens, chat_preset_);
    Outcome out;
    bool gone = false;
    instrument(gen, sink, arrival, deadline, std::max(req.logprobs, 0), req.logprobs >= 0,
               &out.logprobs, &gone);
    std::function<bool(std::string_view)> on_text;
    if (sink.text) on_text = stream_to(sink, out.logprobs, gone);
    {
        Batcher::Active active(*batcher_);
        out.content = slot.session->generate(job.prompt, gen, on_text, &out.stats);
    }
    if (req.echo) out.content = req.prompt + out.content;
    out.finish_reason = finish_reason_of(out.stats);
    finish(out, gone, deadline);
    return out;
}

Json Engine::answer(const SlotLease& lease, const AnswerRequest& request,
                    Clock::time_point deadline) {
    Slot& slot = slots_[lease.slot()];
    if (!slot.answerer)
        throw bad_request("this model has no chat template: start the server with --chat-template");
    std::vector<std::string> order;
    retrieval::Index index = [&] {
        if (!request.documents.empty()) return retrieval::Index::in_memory();
        if (options_.index_dir.empty())
            throw bad_request(
                "no documents given and the server has no index (start it with --index DIR)",
                "documents");
        return retrieval::Index::open(options_.index_dir);
    }();
    try {
        for (const Document& d : request.documents) {
            index.add_document(retrieval::Document{d.title, d.text, "text"});
            order.push_back(d.title);
        }
    } catch (const Error& e) {
        throw bad_request(e.what(), "documents");
    }
    ask::AskOptions options;
    if (request.max_claims > 0) options.shape.max_claims = request.max_claims;
    options.document_order = order;
    options.generation.cancelled = [deadline] { return Clock::now() > deadline; };
    ask::AskResult result;
    {
        Batcher::Active active(*batcher_);
        result = slot.answerer->ask(index, request.question, options);
    }
    if (result.stats.stop_reason == StopReason::Cancelled && Clock::now() > deadline)
        throw ApiError(504, "The request ran past the server's timeout.", "", "timeout_error");
    metrics_.count_tokens(result.stats.prompt_tokens, result.stats.cached_tokens,
                          result.stats.generated_tokens);
    return result.to_json();
}

}  // namespace flash::serve
