// TokenMasker: token masks for StackEngine states over a TokenVocabulary. A mask is a
// depth-first walk of the vocabulary trie carrying the recognizer state (one memoized
// transition per trie node, a dead state prunes the subtree). Two caches make repeated work
// cheap: masks by full state (inside a string the state repeats token after token), and walks
// by key (StackEngine::key_of): a key's walk records the trie nodes where a stack returns below
// the key, and only those subtrees are walked again, from the real parent, per context.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "grammar/stack_engine.h"
#include "grammar/vocabulary.h"

namespace flash::grammar {

class TokenMasker {
  public:
    TokenMasker(std::shared_ptr<const CompiledGrammar> grammar,
                std::shared_ptr<const TokenVocabulary> vocab);

    StackEngine& engine() { return engine_; }
    const TokenVocabulary& vocab() const { return *vocab_; }
    size_t words() const { return (static_cast<size_t>(vocab_->size()) + 63) / 64; }

    // Tokens allowed from `state` (end-of-generation ones iff it is accepting); `bits` is
    // resized to words().
    void compute(int32_t state, std::vector<uint64_t>& bits);

  private:
    struct PopPoint {
        uint32_t node;     // trie node after whose byte some stack returned below the key
        uint64_t escapes;  // which slots
    };
    struct KeyWalk {
        std::vector<uint64_t> bits;  // tokens allowed without looking below the key
        std::vector<PopPoint> pops;
        uint64_t cost = 0;  // trie nodes visited, to keep expensive walks when evicting
    };

    // Walks trie nodes [begin, stop) whose parent (at base_depth) is in `start`; sets allowed
    // tokens in `bits`, records pop points when `pops` is given. Returns nodes visited.
    uint64_t walk(uint32_t begin, uint32_t stop, uint32_t base_depth, int32_t start, uint64_t* bits,
                  std::vector<PopPoint>* pops);
    const KeyWalk& key_walk(int32_t key);

    std::shared_ptr<const TokenVocabulary> vocab_;
    StackEngine engine_;
    std::unordered_map<int32_t, KeyWalk> keys_;
    std::unordered_map<int32_t, std::vector<uint64_t>> masks_;
    std::vector<int32_t> st_;           // per-depth states of the walk
    std::vector<const int32_t*> tabs_;  // per-depth transition tables
    std::vector<uint32_t> bottoms_;
};

}  // namespace flash::grammar
