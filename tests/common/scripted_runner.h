// A ForwardRunner that plays a script instead of running the model: after each forward pass
// the logits peak at the token the script names for the next position, so Session::generate
// (and everything above it) can be driven token by token with known outcomes. It records
// every pass (tokens and position) so tests can see prefill chunks, prefix reuse and forced
// batches. The session still needs a Model for its shapes: the testdata llama file (128
// tokens) serves; with the llama-spm vocabulary id 3 + b is the byte b and id 2 ends
// generation.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/testdata.h"
#include "core/gguf.h"
#include "model/model.h"
#include "runtime/session.h"
#include "tokenizer/tokenizer.h"

namespace flash::testing {

class ScriptedRunner : public ForwardRunner {
  public:
    struct Pass {
        std::vector<int32_t> tokens;
        int64_t pos = 0;
    };
    // next(n) is the token the model "wants" after n tokens of history; -1: a flat row.
    using Script = std::function<int32_t(int64_t n_history)>;

    explicit ScriptedRunner(int64_t n_vocab, Script script = {})
        : n_vocab_(n_vocab), script_(std::move(script)) {}

    void set_script(Script script) { script_ = std::move(script); }
    // The model says `reply` token by token after a prompt of `prompt_len` tokens, then `end`.
    void say_after(int64_t prompt_len, std::vector<int32_t> reply, int32_t end) {
        script_ = [reply = std::move(reply), prompt_len, end](int64_t n) {
            const int64_t k = n - prompt_len;
            if (k < 0) return int32_t{-1};
            return k < static_cast<int64_t>(reply.size()) ? reply[static_cast<size_t>(k)] : end;
        };
    }
    const std::vector<Pass>& passes() const { return passes_; }
    void clear() { passes_.clear(); }

    void forward(const SequenceBatch& seq) override {
        passes_.push_back({{seq.tokens.begin(), seq.tokens.end()}, seq.pos});
        const int64_t n = static_cast<int64_t>(seq.tokens.size());
        for (int64_t row = seq.all_logits ? 0 : n - 1; row < n; ++row) {
            float* out = seq.logits + (seq.all_logits ? row : 0) * n_vocab_;
            std::fill(out, out + n_vocab_, 0.0f);
            const int32_t want = script_ ? script_(seq.pos + row + 1) : -1;
            if (want >= 0 && want < n_vocab_) out[want] = 10.0f;
        }
    }

  private:
    int64_t n_vocab_;
    Script script_;
    std::vector<Pass> passes_;
};

// The llama-spm vocabulary's ids for single bytes (id = 3 + byte) and its end of generation.
inline constexpr int32_t kSpmEnd = 2;
inline int32_t spm_byte(char c) {
    return 3 + static_cast<unsigned char>(c);
}
inline std::vector<int32_t> spm_bytes(std::string_view text) {
    std::vector<int32_t> ids;
    for (const char c : text) ids.push_back(spm_byte(c));
    return ids;
}

// A model (for its shapes) and the llama-spm tokenizer, loaded once per test program.
struct ScriptedModel {
    std::unique_ptr<Model> model = Model::load(testdata_path("models/llama-F32.gguf"));
    GgufFile vocab_file{testdata_path("tokenizer/ggml-vocab-llama-spm.gguf")};
    Tokenizer tokenizer = Tokenizer::from_gguf(vocab_file);

    static ScriptedModel& get() {
        static ScriptedModel m;
        return m;
    }
    int64_t n_vocab() const { return model->config().n_vocab; }
};

}  // namespace flash::testing
