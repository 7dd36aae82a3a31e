// Distribution fidelity of a quantized model against its full-precision reference on a text
// corpus: both evaluate the same windows of tokens from an empty cache, and every position's
// next-token distributions are compared — KL(reference ‖ candidate) mean and 99th percentile,
// how often the top token agrees, and the perplexity of each on the text (their ratio).
// Depends on runtime/.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "runtime/session.h"

namespace flash::eval {

struct FidelityOptions {
    int64_t window = 128;       // tokens per evaluation (positions scored: window - 1)
    int64_t max_tokens = 1024;  // of the corpus, at most
    int32_t bos = -1;           // when >= 0, each window starts with it (models trained so)
    // Told after each window: positions scored so far of the total to score.
    std::function<void(int64_t done, int64_t total)> on_progress;
};

struct Fidelity {
    int64_t positions = 0;
    double kl_mean = 0, kl_p99 = 0, kl_max = 0;
    double top1_agreement = 0;  // share of positions where both argmax tokens agree
    double ppl_reference = 0, ppl = 0;
    double ppl_ratio() const { return ppl_reference > 0 ? ppl / ppl_reference : 0; }
};

// Text from files and directories (every regular file under one, sorted by path), joined by
// blank lines: the fidelity corpus, or imatrix calibration text. Throws flash::Error naming
// `what` and the path when one is missing or unreadable, or when there is no text at all.
std::string load_texts(const std::vector<std::string>& paths, const std::string& what);
// The fidelity corpus: load_texts({dir}, "fidelity corpus").
std::string load_corpus(const std::string& dir);

// Sessions need batch >= window and ctx >= window; both models must share the vocabulary.
// Throws flash::Error when the vocabularies differ or the corpus is shorter than one window.
Fidelity measure_fidelity(Session& reference, Session& candidate,
                          const std::vector<int32_t>& tokens, const FidelityOptions& options);

// KL(p ‖ q) of two logit rows over n entries, and whether their argmaxes agree; the log
// probability each gives to `next` goes to logp_next / logq_next. Exposed for tests.
double row_kl(const float* p_logits, const float* q_logits, int64_t n, int32_t next,
              double* logp_next, double* logq_next, bool* same_top);

}  // namespace flash::eval
