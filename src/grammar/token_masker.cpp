// TokenMasker: trie walks with memoized transitions, the per-key walk cache with its pop
// points, and the per-state mask cache.
#include "grammar/token_masker.h"

#include <algorithm>

namespace flash::grammar {

namespace {
constexpr size_t kMaxMasks = 512;       // full-state masks kept (each n_vocab bits)
constexpr size_t kMaxKeys = 2048;       // key walks kept
constexpr uint64_t kCheapWalk = 20000;  // walks cheaper than this are evicted first
constexpr uint32_t kSkipMinNodes = 2;   // subtrees this large are checked for a whole-allow
}  // namespace

TokenMasker::TokenMasker(std::shared_ptr<const CompiledGrammar> grammar,
                         std::shared_ptr<const TokenVocabulary> vocab)
    : vocab_(std::move(vocab)), engine_(std::move(grammar)) {
    st_.resize(vocab_->trie().max_depth + 2);
    tabs_.resize(vocab_->trie().max_depth + 2);
}

uint64_t TokenMasker::walk(uint32_t begin, uint32_t stop, uint32_t base_depth, int32_t start,
                           uint64_t* bits, std::vector<PopPoint>* pops) {
    const TokenVocabulary::Trie& t = vocab_->trie();
    const uint8_t* byte = t.byte.data();
    const uint16_t* depth = t.depth.data();
    const uint32_t* end = t.end.data();
    const uint32_t* tok_off = t.tok_off.data();
    const int32_t* toks = t.toks.data();
    const uint8_t* cls = engine_.byte_class();
    int32_t* st = st_.data();
    const int32_t** tabs = tabs_.data();
    st[base_depth] = start;
    tabs[base_depth] = engine_.table(start);
    uint64_t visited = 0;
    for (uint32_t i = begin; i < stop;) {
        ++visited;
        const uint32_t d = depth[i];
        const int c = cls[byte[i]];
        int32_t s = tabs[d - 1][c];
        if (s < 0) s = engine_.fill(st[d - 1], c);
        if (s == StackEngine::kDead) {
            i = end[i];
            continue;
        }
        for (uint32_t k = tok_off[i]; k < tok_off[i + 1]; ++k) {
            bits[toks[k] >> 6] |= uint64_t{1} << (toks[k] & 63);
        }
        if (pops && engine_.escapes(s) != 0) pops->push_back({i, engine_.escapes(s)});
        if (end[i] - i >= kSkipMinNodes && (!pops || engine_.escapes(s) == 0)) {
            // Every ASCII byte below loops back to this state, and so does every (valid)
            // character below: the whole subtree is allowed.
            const auto& loops = engine_.ascii_loops(s);
            const auto& below = t.below_ascii[i];
            if ((below[0] & ~loops[0]) == 0 && (below[1] & ~loops[1]) == 0 &&
                (!t.below_non_ascii[i] || (t.below_utf8_ok[i] && engine_.utf8_closed(s)))) {
                for (uint32_t k = tok_off[i + 1]; k < tok_off[end[i]]; ++k) {
                    bits[toks[k] >> 6] |= uint64_t{1} << (toks[k] & 63);
                }
                i = end[i];
                continue;
            }
        }
        if (end[i] != i + 1) {
            st[d] = s;
            tabs[d] = engine_.table(s);
        }
        ++i;
    }
    return visited;
}

const TokenMasker::KeyWalk& TokenMasker::key_walk(int32_t key) {
    auto it = keys_.find(key);
    if (it != keys_.end()) return it->second;
    if (keys_.size() >= kMaxKeys) {
        std::erase_if(keys_, [](const auto& kv) { return kv.second.cost < kCheapWalk; });
        if (keys_.size() >= kMaxKeys) keys_.clear();
    }
    KeyWalk kw;
    kw.bits.assign(words(), 0);
    kw.cost = walk(0, vocab_->trie().size(), 0, key, kw.bits.data(), &kw.pops);
    return keys_.emplace(key, std::move(kw)).first->second;
}

void TokenMasker::compute(int32_t state, std::vector<uint64_t>& bits) {
    bits.assign(words(), 0);
    if (state == StackEngine::kDead) return;
    if (auto it = masks_.find(state); it != masks_.end()) {
        std::copy(it->second.begin(), it->second.end(), bits.begin());
        return;
    }
    engine_.trim();  // between walks only: trimming invalidates table pointers
    const int32_t key = engine_.key_of(state, bottoms_);
    if (key < 0) {
        walk(0, vocab_->trie().size(), 0, state, bits.data(), nullptr);
    } else {
        const KeyWalk& kw = key_walk(key);
        std::copy(kw.bits.begin(), kw.bits.end(), bits.begin());
        const TokenVocabulary::Trie& t = vocab_->trie();
        for (const PopPoint& p : kw.pops) {
            for (uint64_t e = p.escapes; e != 0; e &= e - 1) {
                const int32_t from = engine_.pop_state(bottoms_[__builtin_ctzll(e)]);
                if (from == StackEngine::kDead || t.end[p.node] == p.node + 1) continue;
                walk(p.node + 1, t.end[p.node], t.depth[p.node], from, bits.data(), nullptr);
            }
        }
    }
    if (engine_.accepting(state)) {
        for (int32_t id : vocab_->end_of_generation_ids())
            bits[id >> 6] |= uint64_t{1} << (id & 63);
    }
    if (masks_.size() >= kMaxMasks) masks_.clear();
    masks_.emplace(state, bits);
}

}  // namespace flash::grammar
