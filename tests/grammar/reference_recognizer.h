// Test-only reference tools for Grammar, independent of the matcher: a memoized top-down
// recognizer over code points (exponential-free thanks to memoization, slow but simple; fine
// for short strings) and a random sampler that produces strings a grammar accepts.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/utf8.h"
#include "grammar/grammar.h"

namespace flash::grammar::testing {

inline bool element_matches(const Element& e, uint32_t cp) {
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    bool in = false;
    for (const CodeRange& r : e.ranges) in = in || (cp >= r.lo && cp <= r.hi);
    return e.negated ? !in : in;
}

class ReferenceRecognizer {
  public:
    explicit ReferenceRecognizer(const Grammar& g) : g_(g) {}

    bool accepts(std::string_view utf8) {
        cps_.clear();
        memo_.clear();
        for (size_t pos = 0; pos < utf8.size();) cps_.push_back(decode_utf8(utf8, pos));
        const std::set<size_t>& ends = match(g_.root, 0);
        return ends.count(cps_.size()) != 0;
    }

  private:
    const std::set<size_t>& match(uint32_t rule, size_t pos) {
        const auto key = std::make_pair(rule, pos);
        if (auto it = memo_.find(key); it != memo_.end()) return it->second;
        std::set<size_t> result;
        for (const Sequence& seq : g_.rules[rule].alternatives) {
            std::set<size_t> at = {pos};
            for (const Element& e : seq) {
                std::set<size_t> next;
                for (size_t p : at) {
                    if (e.kind == Element::Kind::Chars) {
                        if (p < cps_.size() && element_matches(e, cps_[p])) next.insert(p + 1);
                    } else {
                        const std::set<size_t>& sub = match(e.rule, p);
                        next.insert(sub.begin(), sub.end());
                    }
                }
                at = std::move(next);
                if (at.empty()) break;
            }
            result.insert(at.begin(), at.end());
        }
        return memo_[key] = std::move(result);
    }

    const Grammar g_;  // a copy: callers often pass a temporary
    std::vector<uint32_t> cps_;
    std::map<std::pair<uint32_t, size_t>, std::set<size_t>> memo_;
};

// Random strings from a grammar. Past `budget` nested rules it takes the alternative with the
// shallowest derivation, so sampling always ends.
class Sampler {
  public:
    Sampler(const Grammar& g, uint32_t seed, int budget = 40) : g_(g), rng_(seed), budget_(budget) {
        const size_t n = g.rules.size();
        const int kInf = 1 << 28;
        height_.assign(n, kInf);
        for (bool changed = true; changed;) {
            changed = false;
            for (size_t r = 0; r < n; ++r) {
                for (const Sequence& seq : g.rules[r].alternatives) {
                    const int h = seq_height(seq);
                    if (h < height_[r]) height_[r] = h, changed = true;
                }
            }
        }
    }

    std::string sample() {
        std::string out;
        emit(g_.root, 0, out);
        return out;
    }

  private:
    int seq_height(const Sequence& seq) const {
        int h = 1;
        for (const Element& e : seq) {
            if (e.kind == Element::Kind::Rule) h = std::max(h, 1 + height_[e.rule]);
            if (e.kind == Element::Kind::Chars && !e.negated && e.ranges.empty()) return 1 << 28;
        }
        return h;
    }

    void emit(uint32_t rule, int depth, std::string& out) {
        const auto& alts = g_.rules[rule].alternatives;
        size_t pick = 0;
        if (depth > budget_) {
            for (size_t i = 1; i < alts.size(); ++i) {
                if (seq_height(alts[i]) < seq_height(alts[pick])) pick = i;
            }
        } else {
            std::vector<size_t> ok;
            for (size_t i = 0; i < alts.size(); ++i) {
                if (seq_height(alts[i]) < (1 << 28)) ok.push_back(i);
            }
            pick = ok[std::uniform_int_distribution<size_t>(0, ok.size() - 1)(rng_)];
        }
        for (const Element& e : alts[pick]) {
            if (e.kind == Element::Kind::Rule) {
                emit(e.rule, depth + 1, out);
            } else {
                append_utf8(out, pick_char(e));
            }
        }
    }

    uint32_t pick_char(const Element& e) {
        if (!e.negated) {
            const CodeRange& r =
                e.ranges[std::uniform_int_distribution<size_t>(0, e.ranges.size() - 1)(rng_)];
            // Mostly small code points: huge ranges would give almost only rare CJK/astral.
            const uint32_t hi = std::uniform_int_distribution<int>(0, 3)(rng_) == 0
                                    ? r.hi
                                    : std::min<uint32_t>(r.hi, std::max<uint32_t>(r.lo, 0x7F));
            return std::uniform_int_distribution<uint32_t>(r.lo, std::max(r.lo, hi))(rng_);
        }
        static const uint32_t kCandidates[] = {'a',  'Z',    '0',     ' ',  '-',  '"', '\\', '/',
                                               0xE9, 0x4E2D, 0x1F600, '\n', 0x7F, '{', ':'};
        for (int tries = 0; tries < 100; ++tries) {
            const uint32_t c = kCandidates[std::uniform_int_distribution<size_t>(
                0, std::size(kCandidates) - 1)(rng_)];
            if (element_matches(e, c)) return c;
        }
        for (uint32_t c = 0x20;; ++c) {
            if (element_matches(e, c)) return c;
        }
    }

    const Grammar g_;
    std::mt19937 rng_;
    int budget_;
    std::vector<int> height_;
};

}  // namespace flash::grammar::testing
