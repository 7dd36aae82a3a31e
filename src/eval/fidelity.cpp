#include "eval/fidelity.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace flash::eval {
namespace {

// log Σ exp(x) with the max taken out, in double.
double log_sum_exp(const float* x, int64_t n, int64_t* argmax) {
    int64_t best = 0;
    for (int64_t i = 1; i < n; ++i)
        if (x[i] > x[best]) best = i;
    *argmax = best;
    double s = 0;
    for (int64_t i = 0; i < n; ++i) s += std::exp(static_cast<double>(x[i]) - x[best]);
    return x[best] + std::log(s);
}

}  // namespace

std::string load_texts(const std::vector<std::string>& paths, const std::string& what) {
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    for (const std::string& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            std::vector<fs::path> in;
            for (const auto& e : fs::recursive_directory_iterator(p, ec))
                if (e.is_regular_file()) in.push_back(e.path());
            if (ec) throw Error(what + " " + p + ": " + ec.message());
            std::sort(in.begin(), in.end());
            files.insert(files.end(), in.begin(), in.end());
        } else if (fs::is_regular_file(p, ec)) {
            files.emplace_back(p);
        } else {
            throw Error(what + " " + p + ": no such file or directory");
        }
    }
    std::string text;
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        if (!in) throw Error(what + " " + f.string() + ": cannot be read");
        if (!text.empty()) text += "\n\n";
        text += ss.str();
    }
    if (text.empty()) throw Error(what + ": no text in the files given");
    return text;
}

std::string load_corpus(const std::string& dir) {
    return load_texts({dir}, "fidelity corpus");
}

double row_kl(const float* p, const float* q, int64_t n, int32_t next, double* logp_next,
              double* logq_next, bool* same_top) {
    int64_t top_p = 0, top_q = 0;
    const double zp = log_sum_exp(p, n, &top_p), zq = log_sum_exp(q, n, &top_q);
    double kl = 0;
    for (int64_t i = 0; i < n; ++i) {
        const double lp = p[i] - zp, lq = q[i] - zq;
        kl += std::exp(lp) * (lp - lq);
    }
    if (logp_next) *logp_next = p[next] - zp;
    if (logq_next) *logq_next = q[next] - zq;
    if (same_top) *same_top = top_p == top_q;
    return std::max(0.0, kl);  // rounding can leave a tiny negative
}

Fidelity measure_fidelity(Session& reference, Session& candidate,
                          const std::vector<int32_t>& tokens, const FidelityOptions& o) {
    const int64_t n_vocab = reference.model().config().n_vocab;
    if (candidate.model().config().n_vocab != n_vocab)
        throw Error("fidelity: the models' vocabularies differ (" + std::to_string(n_vocab) +
                    " and " + std::to_string(candidate.model().config().n_vocab) + " tokens)");
    const int64_t total = std::min<int64_t>(static_cast<int64_t>(tokens.size()), o.max_tokens);
    if (o.window < 3 || total < o.window)
        throw Error("fidelity: the corpus has " + std::to_string(tokens.size()) +
                    " tokens, fewer than one window of " + std::to_string(o.window));
    std::vector<float> lp(static_cast<size_t>(o.window * n_vocab)),
        lq(static_cast<size_t>(o.window * n_vocab));
    std::vector<double> kls;
    double nll_p = 0, nll_q = 0;
    int64_t agree = 0;
    const int64_t step = o.bos >= 0 ? o.window - 1 : o.window;
    std::vector<int32_t> w(static_cast<size_t>(o.window));
    for (int64_t start = 0; start + step <= total; start += step) {
        if (o.bos >= 0) w[0] = o.bos;
        std::copy_n(tokens.begin() + start, step, w.begin() + (o.window - step));
        reference.reset();
        candidate.reset();
        reference.eval_all(w, lp.data());
        candidate.eval_all(w, lq.data());
        for (int64_t i = 0; i + 1 < o.window; ++i) {
            double a = 0, b = 0;
            bool same = false;
            kls.push_back(row_kl(lp.data() + i * n_vocab, lq.data() + i * n_vocab, n_vocab,
                                 w[static_cast<size_t>(i + 1)], &a, &b, &same));
            nll_p -= a;
            nll_q -= b;
            agree += same;
        }
        if (o.on_progress) o.on_progress(static_cast<int64_t>(kls.size()), total / step * (o.window - 1));
    }
    Fidelity f;
    f.positions = static_cast<int64_t>(kls.size());
    double sum = 0;
    for (double k : kls) sum += k;
    f.kl_mean = sum / static_cast<double>(f.positions);
    std::vector<double> sorted = kls;
    std::sort(sorted.begin(), sorted.end());
    f.kl_max = sorted.back();
    const size_t i99 =
        static_cast<size_t>(std::ceil(0.99 * static_cast<double>(sorted.size()))) - 1;
    f.kl_p99 = sorted[std::min(i99, sorted.size() - 1)];
    f.top1_agreement = static_cast<double>(agree) / static_cast<double>(f.positions);
    f.ppl_reference = std::exp(nll_p / static_cast<double>(f.positions));
    f.ppl = std::exp(nll_q / static_cast<double>(f.positions));
    return f;
}

}  // namespace flash::eval
