#include "runtime/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "core/error.h"

namespace flash {

int32_t argmax(std::span<const float> v) {
    return static_cast<int32_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

Sampler::Sampler(const SamplerConfig& config) : config_(config), rng_(config.seed) {}

int32_t Sampler::sample(std::span<float> logits, std::span<const int32_t> recent) {
    const SamplerConfig& c = config_;

    // Repetition penalty (CTRL-style, as llama.cpp applies it): shrink positive logits of
    // recently seen tokens, push negative ones further down. Each token once.
    if (c.repeat_penalty != 1.0f && c.repeat_last_n != 0) {
        const size_t window = c.repeat_last_n < 0
                                  ? recent.size()
                                  : std::min(recent.size(), static_cast<size_t>(c.repeat_last_n));
        std::unordered_set<int32_t> seen(recent.end() - window, recent.end());
        for (int32_t id : seen) {
            if (id < 0 || static_cast<size_t>(id) >= logits.size()) continue;
            float& l = logits[id];
            l = l > 0 ? l / c.repeat_penalty : l * c.repeat_penalty;
        }
    }

    const float neg_inf = -std::numeric_limits<float>::infinity();
    const int32_t best = argmax(logits);
    if (logits[best] == neg_inf) throw Error("sampler: every token is masked out");
    if (c.temperature <= 0.0f) return best;

    // Candidates sorted by logit (ties: the lower id first), cut by top-k.
    auto by_logit = [](const auto& a, const auto& b) {
        return a.first > b.first || (a.first == b.first && a.second < b.second);
    };
    candidates_.clear();
    if (c.top_k > 0 && static_cast<size_t>(c.top_k) < logits.size()) {
        // The k best in one pass: a heap whose top is the worst kept, so most tokens cost one
        // comparison (a vocabulary of 50-250k against k of about 40; sorting every token was
        // the sampler's whole cost). Same set and order as sorting everything.
        const auto k = static_cast<size_t>(c.top_k);
        for (size_t i = 0; i < logits.size(); ++i) {
            const std::pair<float, int32_t> cand{logits[i], static_cast<int32_t>(i)};
            if (cand.first == neg_inf) continue;
            if (candidates_.size() < k) {
                candidates_.push_back(cand);
                std::push_heap(candidates_.begin(), candidates_.end(), by_logit);
            } else if (by_logit(cand, candidates_.front())) {
                std::pop_heap(candidates_.begin(), candidates_.end(), by_logit);
                candidates_.back() = cand;
                std::push_heap(candidates_.begin(), candidates_.end(), by_logit);
            }
        }
    } else {
        for (size_t i = 0; i < logits.size(); ++i)
            if (logits[i] != neg_inf) candidates_.emplace_back(logits[i], static_cast<int32_t>(i));
    }
    std::sort(candidates_.begin(), candidates_.end(), by_logit);

    // Softmax at the temperature.
    const float max_logit = candidates_.front().first;
    double total = 0;
    for (auto& [l, id] : candidates_) {
        l = std::exp((l - max_logit) / c.temperature);
        total += l;
    }
    for (auto& cand : candidates_) cand.first = static_cast<float>(cand.first / total);

    // min-p: drop tokens less likely than min_p times the best one.
    if (c.min_p > 0.0f) {
        const float floor = candidates_.front().first * c.min_p;
        size_t k = 1;
        while (k < candidates_.size() && candidates_[k].first >= floor) ++k;
        candidates_.resize(k);
    }
    // top-p: the smallest prefix whose mass reaches top_p.
    if (c.top_p < 1.0f) {
        double mass = 0;
        size_t k = 0;
        while (k < candidates_.size()) {
            mass += candidates_[k++].first;
            if (mass >= c.top_p) break;
        }
        candidates_.resize(std::max<size_t>(k, 1));
    }

    double kept = 0;
    for (const auto& cand : candidates_) kept += cand.first;
    std::uniform_real_distribution<double> uniform(0.0, kept);
    double r = uniform(rng_);
    for (const auto& [p, id] : candidates_) {
        r -= p;
        if (r <= 0) return id;
    }
    return candidates_.back().second;
}

}  // namespace flash
