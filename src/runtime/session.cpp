#include "runtime/session.h"

#include <algorithm>

#include "core/error.h"

namespace flash {
namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

int64_t clamp_ctx(const ModelConfig& c, int64_t wanted) {
    if (wanted <= 0) return c.n_ctx_train;
    return std::min(wanted, c.n_ctx_train);
}

// Length of the longest suffix of `text` that is a prefix of `stop` (a stop string may be
// arriving piece by piece, so that much text must be held back).
size_t partial_stop_overlap(std::string_view text, std::string_view stop) {
    for (size_t len = std::min(text.size(), stop.size() - 1); len > 0; --len)
        if (text.substr(text.size() - len) == stop.substr(0, len)) return len;
    return 0;
}

}  // namespace

const char* to_string(StopReason reason) {
    switch (reason) {
        case StopReason::None:
            return "none";
        case StopReason::EndOfGeneration:
            return "eog";
        case StopReason::StopString:
            return "stop";
        case StopReason::Length:
            return "length";
        case StopReason::Context:
            return "context";
        case StopReason::Callback:
            return "callback";
        case StopReason::Complete:
            return "complete";
        case StopReason::Cancelled:
            return "cancelled";
    }
    return "none";
}

const char* finish_reason(StopReason reason) {
    return reason == StopReason::Length || reason == StopReason::Context ? "length" : "stop";
}

StopReason stop_reason_from_finish_reason(std::string_view finish_reason) {
    if (finish_reason == "length") return StopReason::Length;
    if (finish_reason == "content_filter") return StopReason::Cancelled;
    return StopReason::EndOfGeneration;
}

Session::Session(const Model& model, const Tokenizer* tokenizer, const SessionOptions& options)
    : model_(model),
      tokenizer_(tokenizer),
      options_(options),
      // With a runner the passes run on the runner's threads; the session's pool stays idle.
      pool_(options.runner ? 1 : ThreadPool::threads_or_default(options.n_threads)),
      cache_(model.config(), clamp_ctx(model.config(), options.n_ctx),
             options.n_batch > 0 ? options.n_batch : 256, options.kv_types) {
    if (options_.n_batch <= 0) options_.n_batch = 256;
}

const Tokenizer& Session::tokenizer() const {
    if (!tokenizer_) throw Error("this session has no tokenizer");
    return *tokenizer_;
}

void Session::reset() {
    history_.clear();
    cache_.reset_recurrent();
}

void Session::truncate(int64_t n) {
    if (n >= static_cast<int64_t>(history_.size())) return;
    if (model_.config().has_recurrent_layers()) return reset();
    history_.resize(static_cast<size_t>(std::max<int64_t>(n, 0)));
}

void Session::forward(std::span<const int32_t> tokens, float* logits, bool all_logits) {
    if (options_.runner) {
        options_.runner->forward(SequenceBatch{tokens, n_past(), &cache_, logits, all_logits});
    } else {
        model_.forward(tokens, n_past(), cache_, ws_, pool_, logits, all_logits,
                       options_.precision);
    }
}

std::span<float> Session::eval(std::span<const int32_t> tokens) {
    const int64_t n_vocab = model_.config().n_vocab;
    logits_.resize(static_cast<size_t>(n_vocab));
    for (size_t at = 0; at < tokens.size(); at += static_cast<size_t>(options_.n_batch)) {
        const auto chunk =
            tokens.subspan(at, std::min<size_t>(options_.n_batch, tokens.size() - at));
        forward(chunk, logits_.data(), false);
        history_.insert(history_.end(), chunk.begin(), chunk.end());
    }
    return logits_;
}

void Session::eval_all(std::span<const int32_t> tokens, float* out) {
    const int64_t n_vocab = model_.config().n_vocab;
    for (size_t at = 0; at < tokens.size(); at += static_cast<size_t>(options_.n_batch)) {
        const auto chunk =
            tokens.subspan(at, std::min<size_t>(options_.n_batch, tokens.size() - at));
        forward(chunk, out + at * n_vocab, true);
        history_.insert(history_.end(), chunk.begin(), chunk.end());
    }
}

std::string Session::generate(std::span<const int32_t> prompt, const GenerateOptions& opt,
                              const std::function<bool(std::string_view)>& on_text,
                              GenerationStats* stats_out) {
    const Tokenizer& tok = tokenizer();
    GenerationStats stats;
    stats.prompt_tokens = static_cast<int64_t>(prompt.size());
    if (prompt.empty()) throw Error("generate: the prompt is empty");
    if (static_cast<int64_t>(prompt.size()) >= n_ctx())
        throw Error("prompt of " + std::to_string(prompt.size()) +
                    " tokens does not fit the context of " + std::to_string(n_ctx()) + " tokens");

    // Reuse the cached prefix; at least the last prompt token is evaluated for fresh logits.
    size_t common = 0;
    while (common < history_.size() && common + 1 < prompt.size() &&
           history_[common] == prompt[common])
        ++common;
    truncate(static_cast<int64_t>(common));
    common = history_.size();  // what truncation kept (recurrent models may keep nothing)
    stats.cached_tokens = static_cast<int64_t>(common);

    // The last prompt token is evaluated alone, after the rest. A later request that finds the
    // whole prompt cached re-evaluates only that token, and the kernels round differently with
    // one row than with many (decode dots against prompt GEMMs), so the same request would
    // otherwise answer differently depending on the cache; this way both compute it the same.
    const auto t0 = Clock::now();
    const auto uncached = prompt.subspan(common);
    if (uncached.size() > 1) eval(uncached.first(uncached.size() - 1));
    std::span<float> logits = eval(uncached.last(1));
    stats.prefill_ms = ms_since(t0);

    Sampler sampler(opt.sampling);
    StreamingDecoder decoder(tok);
    std::string text;    // everything generated, stop strings excluded at the end
    size_t emitted = 0;  // bytes of `text` passed to on_text
    const auto t1 = Clock::now();
    stats.stop_reason = StopReason::Length;

    // Emits text up to `limit`, holding back a possible partial stop string.
    // The piece counts as emitted even when on_text refuses more: it was delivered once.
    auto flush_until = [&](size_t limit) {
        if (limit <= emitted) return true;
        const std::string_view piece = std::string_view(text).substr(emitted, limit - emitted);
        emitted = limit;
        return !on_text || on_text(piece);
    };

    // Takes one generated token: end of generation, stop strings, streaming, and — after the
    // last token of a step, when hooks have seen them all — completion. Returns true when
    // generation must stop (stats.stop_reason says why).
    auto take = [&](int32_t id, bool last_of_step) {
        ++stats.generated_tokens;
        if (opt.stop_at_end_of_generation && tok.is_end_of_generation(id)) {
            stats.stop_reason = StopReason::EndOfGeneration;
            return true;
        }
        text += decoder.push(id);
        size_t stop_at = std::string::npos, hold = 0;
        for (const std::string& s : opt.stop) {
            if (s.empty()) continue;
            const size_t found = text.find(s, emitted > s.size() ? emitted - s.size() : 0);
            if (found != std::string::npos) stop_at = std::min(stop_at, found);
            hold = std::max(hold, partial_stop_overlap(text, s));
        }
        if (stop_at != std::string::npos) {
            text.resize(stop_at);
            flush_until(text.size());
            stats.stop_reason = StopReason::StopString;
            return true;
        }
        if (!flush_until(text.size() - hold)) {
            stats.stop_reason = StopReason::Callback;
            return true;
        }
        if (last_of_step && opt.finished && opt.finished()) {
            stats.stop_reason = StopReason::Complete;
            return true;
        }
        return false;
    };

    for (int i = 0; i < opt.max_tokens;) {
        if (opt.cancelled && opt.cancelled()) {
            stats.stop_reason = StopReason::Cancelled;
            break;
        }
        // Tokens a constraint dictates are taken without sampling and evaluated in one batch.
        std::vector<int32_t> next = opt.forced ? opt.forced() : std::vector<int32_t>{};
        if (next.size() > static_cast<size_t>(opt.max_tokens - i))
            next.resize(static_cast<size_t>(opt.max_tokens - i));
        if (next.empty()) {
            if (opt.constrain) opt.constrain(logits);
            next.push_back(sampler.sample(logits, history_));
            if (opt.accepted) opt.accepted(next[0]);
            if (opt.sampled) opt.sampled(logits, next[0]);
        } else if (opt.sampled) {
            for (const int32_t id : next) opt.sampled({}, id);
        }
        bool stop = false;
        for (size_t k = 0; k < next.size() && !stop; ++k)
            stop = take(next[k], k + 1 == next.size());
        i += static_cast<int>(next.size());
        if (stop) break;
        if (n_past() + static_cast<int64_t>(next.size()) >= n_ctx()) {
            stats.stop_reason = StopReason::Context;
            break;
        }
        logits = eval(next);
    }
    if (stats.stop_reason != StopReason::StopString) {
        text += decoder.flush();
        // A caller that asked to stop is told nothing more.
        if (stats.stop_reason != StopReason::Callback) flush_until(text.size());
    }
    stats.decode_ms = ms_since(t1);
    if (stats_out) *stats_out = stats;
    return text;
}

}  // namespace flash
