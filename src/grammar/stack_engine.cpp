// StackEngine: node and state interning (open addressing), closure with tail calls, memoized
// transitions, and the key / pop-state operations the mask computation builds on.
#include "grammar/stack_engine.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/error.h"

namespace flash::grammar {

namespace {

using Op = CompiledGrammar::Op;

inline uint64_t mix(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

constexpr uint64_t kEmptyKey = ~uint64_t{0};
constexpr uint32_t kNoPos = ~uint32_t{0};
// Frames a key keeps per stack at most, even without reaching a shared rule.
constexpr size_t kMaxKeyDepth = 8;
constexpr size_t kTableBudgetBytes = size_t{64} << 20;
// Bounds on ambiguity. A grammar that stacks repetitions (x**** in GBNF, found by the fuzzer)
// multiplies the parse stacks alive at one byte; real grammars stay in the hundreds. Past
// these, matching is refused with an error instead of running for minutes.
constexpr size_t kMaxClosureSteps = size_t{1} << 18;  // work items expanded for one byte
constexpr size_t kMaxNodes = size_t{1} << 23;         // interned stack frames in all

[[noreturn]] void too_ambiguous(const std::string& what) {
    throw Error("grammar: too ambiguous to match (" + what +
                "); simplify nested repetitions such as (x*)*");
}

}  // namespace

StackEngine::StackEngine(std::shared_ptr<const CompiledGrammar> grammar)
    : g_(std::move(grammar)), n_classes_(g_->n_classes()) {
    // Node 0 is "below the root"; nodes 1..kMaxSlots are the key slots.
    node_pos_.assign(1 + kMaxSlots, kNoPos);
    node_parent_.assign(1 + kMaxSlots, kNil);
    node_keys_.assign(1024, kEmptyKey);
    node_vals_.assign(1024, 0);
    state_slots_.assign(1024, -1);
    seen_keys_.assign(256, 0);
    seen_stamp_.assign(256, 0);
    std::vector<uint32_t> none;
    intern_state(none, false, 0);  // kDead
    if (!g_->empty_language) {
        const uint32_t r = g_->root;
        for (uint32_t a = g_->rule_alts[r]; a < g_->rule_alts[r + 1]; ++a) {
            work_.push_back({g_->alt_start[a], kNil});
        }
        initial_ = close_and_intern();
    }
}

uint32_t StackEngine::intern_node(uint32_t pos, uint32_t parent) {
    const uint64_t key = (uint64_t{pos} << 32) | parent;
    size_t mask = node_keys_.size() - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
        if (node_keys_[i] == key) return node_vals_[i];
        if (node_keys_[i] != kEmptyKey) continue;
        const auto id = static_cast<uint32_t>(node_pos_.size());
        if (node_pos_.size() > kMaxNodes)
            too_ambiguous("more than " + std::to_string(kMaxNodes) + " parse stack frames");
        node_pos_.push_back(pos);
        node_parent_.push_back(parent);
        node_keys_[i] = key;
        node_vals_[i] = id;
        if ((node_pos_.size() - 1 - kMaxSlots) * 2 > node_keys_.size()) {
            std::vector<uint64_t> keys(node_keys_.size() * 2, kEmptyKey);
            std::vector<uint32_t> vals(keys.size(), 0);
            mask = keys.size() - 1;
            for (size_t k = 0; k < node_keys_.size(); ++k) {
                if (node_keys_[k] == kEmptyKey) continue;
                size_t j = mix(node_keys_[k]) & mask;
                while (keys[j] != kEmptyKey) j = (j + 1) & mask;
                keys[j] = node_keys_[k];
                vals[j] = node_vals_[k];
            }
            node_keys_.swap(keys);
            node_vals_.swap(vals);
        }
        return id;
    }
}

int32_t StackEngine::intern_state(std::vector<uint32_t>& tops, bool accept, uint64_t escapes) {
    std::sort(tops.begin(), tops.end());
    tops.erase(std::unique(tops.begin(), tops.end()), tops.end());
    uint64_t h = mix(escapes ^ (accept ? 0x5bd1e995ull : 0));
    for (uint32_t t : tops) h = mix(h ^ t);
    size_t mask = state_slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const int32_t id = state_slots_[i];
        if (id < 0) {
            const auto nid = static_cast<int32_t>(accept_.size());
            tops_off_.push_back(static_cast<uint32_t>(tops_pool_.size()));
            tops_len_.push_back(static_cast<uint32_t>(tops.size()));
            tops_pool_.insert(tops_pool_.end(), tops.begin(), tops.end());
            accept_.push_back(accept ? 1 : 0);
            escapes_.push_back(escapes);
            state_hash_.push_back(h);
            tables_.emplace_back();
            loops_.push_back({0, 0});
            loops_known_.push_back(0);
            state_slots_[i] = nid;
            if (accept_.size() * 2 > state_slots_.size()) {
                std::vector<int32_t> slots(state_slots_.size() * 2, -1);
                mask = slots.size() - 1;
                for (int32_t s = 0; s < static_cast<int32_t>(accept_.size()); ++s) {
                    size_t j = state_hash_[s] & mask;
                    while (slots[j] >= 0) j = (j + 1) & mask;
                    slots[j] = s;
                }
                state_slots_.swap(slots);
            }
            return nid;
        }
        if (state_hash_[id] != h || accept_[id] != (accept ? 1 : 0) || escapes_[id] != escapes ||
            tops_len_[id] != tops.size()) {
            continue;
        }
        if (tops.empty() ||
            std::memcmp(&tops_pool_[tops_off_[id]], tops.data(), tops.size() * 4) == 0) {
            return id;
        }
    }
}

int32_t StackEngine::close_and_intern() {
    const auto& elems = g_->elems;
    tops_.clear();
    bool accept = false;
    uint64_t escapes = 0;
    if (++stamp_ == 0) {
        std::fill(seen_stamp_.begin(), seen_stamp_.end(), 0);
        stamp_ = 1;
    }
    seen_count_ = 0;
    // Inserts (pos, parent) into this closure's seen set; false if already there.
    auto first_visit = [&](uint32_t pos, uint32_t parent) {
        const uint64_t key = (uint64_t{pos} << 32) | parent;
        size_t mask = seen_keys_.size() - 1;
        size_t i = mix(key) & mask;
        for (; seen_stamp_[i] == stamp_; i = (i + 1) & mask) {
            if (seen_keys_[i] == key) return false;
        }
        seen_keys_[i] = key;
        seen_stamp_[i] = stamp_;
        if (++seen_count_ * 2 > seen_keys_.size()) {
            std::vector<uint64_t> keys(seen_keys_.size() * 2);
            std::vector<uint32_t> stamps(keys.size(), 0);
            mask = keys.size() - 1;
            for (size_t k = 0; k < seen_keys_.size(); ++k) {
                if (seen_stamp_[k] != stamp_) continue;
                size_t j = mix(seen_keys_[k]) & mask;
                while (stamps[j] == stamp_) j = (j + 1) & mask;
                keys[j] = seen_keys_[k];
                stamps[j] = stamp_;
            }
            seen_keys_.swap(keys);
            seen_stamp_.swap(stamps);
        }
        return true;
    };
    size_t steps = 0;
    while (!work_.empty()) {
        if (++steps > kMaxClosureSteps)
            too_ambiguous("more than " + std::to_string(kMaxClosureSteps) + " steps for one byte");
        uint32_t pos = work_.back().pos;
        uint32_t parent = work_.back().parent;
        work_.pop_back();
        while (first_visit(pos, parent)) {
            const CompiledGrammar::Elem e = elems[pos];
            if (e.op == Op::Bytes) {
                tops_.push_back(intern_node(pos, parent));
                break;
            }
            if (e.op == Op::End) {  // the rule is done: return to the parent's position
                if (parent == kNil) {
                    accept = true;
                } else if (parent <= kMaxSlots) {
                    escapes |= uint64_t{1} << (parent - 1);
                } else {
                    pos = node_pos_[parent];
                    parent = node_parent_[parent];
                    continue;
                }
                break;
            }
            // A call. In tail position the callee returns straight to our parent.
            const uint32_t ret = pos + 1;
            const uint32_t np = elems[ret].op == Op::End ? parent : intern_node(ret, parent);
            for (uint32_t a = g_->rule_alts[e.arg]; a < g_->rule_alts[e.arg + 1]; ++a) {
                work_.push_back({g_->alt_start[a], np});
            }
            break;
        }
    }
    return intern_state(tops_, accept, escapes);
}

void StackEngine::alloc_table(int32_t s) {
    tables_[s] = std::make_unique<int32_t[]>(n_classes_);
    std::fill_n(tables_[s].get(), n_classes_, -1);
    ++n_tables_;
}

int32_t StackEngine::fill(int32_t s, int cls) {
    const uint8_t b = g_->class_byte[cls];
    const auto& elems = g_->elems;
    work_.clear();
    const uint32_t off = tops_off_[s], len = tops_len_[s];
    for (uint32_t i = 0; i < len; ++i) {
        const uint32_t t = tops_pool_[off + i];
        const uint32_t pos = node_pos_[t];
        if (g_->sets[elems[pos].arg].test(b)) work_.push_back({pos + 1, node_parent_[t]});
    }
    const int32_t r = work_.empty() ? kDead : close_and_intern();
    if (!tables_[s]) alloc_table(s);
    tables_[s][cls] = r;
    return r;
}

const std::array<uint64_t, 2>& StackEngine::ascii_loops(int32_t s) {
    if (!(loops_known_[s] & 1)) {
        std::array<uint64_t, 2> m{0, 0};
        for (int b = 0; b < 128; ++b) {
            if (next(s, static_cast<uint8_t>(b)) == s) m[b >> 6] |= uint64_t{1} << (b & 63);
        }
        loops_[s] = m;  // next() may have grown loops_: index again
        loops_known_[s] |= 1;
    }
    return loops_[s];
}

bool StackEngine::utf8_closed(int32_t s) {
    if (loops_known_[s] & 2) return loops_known_[s] & 4;
    // Explore (state, decoder state) pairs over every non-ASCII character from s.
    bool closed = true;
    std::vector<std::pair<int32_t, int>> stack{{s, kUtf8Boundary}}, seen;
    while (closed && !stack.empty()) {
        const auto [g, u] = stack.back();
        stack.pop_back();
        for (int b = u == kUtf8Boundary ? 0x80 : 0; b < 256 && closed; ++b) {
            const int v = utf8_step(u, static_cast<uint8_t>(b));
            if (v < 0) continue;
            const int32_t h = next(g, static_cast<uint8_t>(b));
            // Mid-character states must not return below a key either: walks skip them.
            if (h == kDead || (v == kUtf8Boundary && h != s) || escapes_[h] != 0) {
                closed = false;
            } else if (v != kUtf8Boundary &&
                       std::find(seen.begin(), seen.end(), std::make_pair(h, v)) == seen.end()) {
                seen.emplace_back(h, v);
                stack.emplace_back(h, v);
            }
        }
    }
    loops_known_[s] |= closed ? 6 : 2;
    return closed;
}

int32_t StackEngine::key_of(int32_t s, std::vector<uint32_t>& bottoms) {
    bottoms.clear();
    key_tops_.clear();
    const uint32_t off = tops_off_[s], len = tops_len_[s];
    for (uint32_t i = 0; i < len; ++i) {
        chain_.clear();
        uint32_t cur = tops_pool_[off + i];
        uint32_t bottom = kNil;
        for (;;) {
            chain_.push_back(cur);
            const uint32_t p = node_parent_[cur];
            if (p == kNil) break;
            if (chain_.size() >= kMaxKeyDepth || g_->shared[g_->elem_rule[node_pos_[cur]]]) {
                bottom = p;
                break;
            }
            cur = p;
        }
        uint32_t node = kNil;
        if (bottom != kNil) {
            auto it = std::find(bottoms.begin(), bottoms.end(), bottom);
            if (it == bottoms.end()) {
                if (bottoms.size() == kMaxSlots) return -1;
                bottoms.push_back(bottom);
                it = bottoms.end() - 1;
            }
            node = static_cast<uint32_t>(it - bottoms.begin()) + 1;
        }
        for (size_t k = chain_.size(); k-- > 0;) node = intern_node(node_pos_[chain_[k]], node);
        key_tops_.push_back(node);
    }
    return intern_state(key_tops_, false, 0);
}

int32_t StackEngine::pop_state(uint32_t node) {
    if (node < pop_memo_.size() && pop_memo_[node] != 0) return pop_memo_[node] - 1;
    work_.clear();
    work_.push_back({node_pos_[node], node_parent_[node]});
    const int32_t r = close_and_intern();
    if (node >= pop_memo_.size())
        pop_memo_.resize(std::max<size_t>(node + 1, pop_memo_.size() * 2), 0);
    pop_memo_[node] = r + 1;
    return r;
}

void StackEngine::trim() {
    if (n_tables_ * static_cast<size_t>(n_classes_) * sizeof(int32_t) <= kTableBudgetBytes) return;
    for (auto& t : tables_) t.reset();
    n_tables_ = 0;
}

}  // namespace flash::grammar
