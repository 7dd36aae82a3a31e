// StackEngine: the matcher's recognizer. A parse configuration is a stack of grammar positions,
// stored as an interned persistent linked list (node = position + parent node), so equal stacks
// are one id; a state is the sorted set of stack-top nodes (each at a byte set) plus whether
// the root is complete. States are interned too and their transitions memoized per byte class,
// which makes the recognizer a lazily built DFA over stack sets. Closure runs on an explicit
// worklist (never the C++ stack), with tail calls so right recursion does not deepen stacks.
//
// For token masks a state can be cut into a *key*: each stack keeps its top frames down to the
// first rule shared by several callers, and the rest is replaced by a slot node. Popping into a
// slot is recorded as an escape, so one walk of the vocabulary from a key serves every context
// that shares it (the inside of a JSON string looks the same for every field).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "grammar/compiled_grammar.h"

namespace flash::grammar {

class StackEngine {
  public:
    static constexpr int32_t kDead = 0;  // state with no stacks
    static constexpr uint32_t kNil = 0;  // node: below the root
    static constexpr uint32_t kMaxSlots = 64;

    explicit StackEngine(std::shared_ptr<const CompiledGrammar> grammar);

    const CompiledGrammar& grammar() const { return *g_; }
    int32_t initial() const { return initial_; }
    int n_classes() const { return n_classes_; }
    const uint8_t* byte_class() const { return g_->byte_class.data(); }

    // Transition table of `s` by byte class; entries < 0 are not computed yet (see fill()).
    // The pointer stays valid until trim().
    const int32_t* table(int32_t s) {
        if (!tables_[s]) alloc_table(s);
        return tables_[s].get();
    }
    int32_t fill(int32_t s, int cls);  // computes table(s)[cls]
    int32_t next(int32_t s, uint8_t byte) {
        const int c = g_->byte_class[byte];
        const int32_t r = table(s)[c];
        return r >= 0 ? r : fill(s, c);
    }

    // ASCII bytes b with next(s, b) == s, as a 128-bit set (computed once per state).
    const std::array<uint64_t, 2>& ascii_loops(int32_t s);

    // True if from `s` every valid non-ASCII UTF-8 character leads back to `s` through live
    // states (the inside of a JSON string): then any valid UTF-8 below a trie node is allowed.
    bool utf8_closed(int32_t s);

    bool accepting(int32_t s) const { return accept_[s] != 0; }
    uint64_t escapes(int32_t s) const { return escapes_[s]; }
    size_t n_tops(int32_t s) const { return tops_len_[s]; }

    // The key of full state `s`; bottoms[i] receives the node that slot i stands for. -1 when
    // the state has more distinct bottoms than slots.
    int32_t key_of(int32_t s, std::vector<uint32_t>& bottoms);
    // The state after a frame returns into `node` (a bottom of some key).
    int32_t pop_state(uint32_t node);

    // Drops all transition tables when they exceed a memory budget (they are rebuilt lazily).
    // Only between operations: it invalidates table() pointers.
    void trim();
    size_t n_states() const { return accept_.size(); }
    size_t n_nodes() const { return node_pos_.size(); }

  private:
    struct Pending {
        uint32_t pos, parent;
    };

    uint32_t intern_node(uint32_t pos, uint32_t parent);
    // Runs closure over work_, collecting tops_/accept/escapes, then interns the state.
    int32_t close_and_intern();
    int32_t intern_state(std::vector<uint32_t>& tops, bool accept, uint64_t escapes);
    void alloc_table(int32_t s);

    std::shared_ptr<const CompiledGrammar> g_;
    int n_classes_ = 0;
    int32_t initial_ = kDead;

    // Nodes.
    std::vector<uint32_t> node_pos_, node_parent_;
    std::vector<uint64_t> node_keys_;  // open addressing: (pos, parent) + 1, 0 = empty
    std::vector<uint32_t> node_vals_;

    // States.
    std::vector<uint32_t> tops_pool_;
    std::vector<uint32_t> tops_off_, tops_len_;
    std::vector<uint8_t> accept_;
    std::vector<uint64_t> escapes_;
    std::vector<uint64_t> state_hash_;
    std::vector<int32_t> state_slots_;  // open addressing over state ids, -1 = empty
    std::vector<std::unique_ptr<int32_t[]>> tables_;
    std::vector<std::array<uint64_t, 2>> loops_;
    std::vector<uint8_t> loops_known_;  // bit 0: loops_ computed; bit 1: utf8 known; bit 2: closed
    size_t n_tables_ = 0;

    // pop_state memo: node -> state + 1 (0 = not computed).
    std::vector<int32_t> pop_memo_;

    // Closure scratch.
    std::vector<Pending> work_;
    std::vector<uint32_t> tops_;
    std::vector<uint64_t> seen_keys_;
    std::vector<uint32_t> seen_stamp_;
    uint32_t stamp_ = 0;
    size_t seen_count_ = 0;
    std::vector<uint32_t> chain_, key_tops_;
};

}  // namespace flash::grammar
