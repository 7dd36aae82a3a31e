// Matcher: the grammar constraint for one generation. Feeds on tokens or raw bytes, and for
// each step gives the mask of vocabulary tokens that keep the output a valid prefix of the
// grammar, plus completion queries and forced bytes (fast-forward). Built from a
// CompiledGrammar (compile once per grammar) and a TokenVocabulary (once per tokenizer).
//
// A Matcher and its copies share one cache of recognizer states and masks, so copies are cheap
// (a state id) but must be used from one thread; construct separate Matchers for other threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/compiled_grammar.h"
#include "grammar/vocabulary.h"

namespace flash::grammar {

class TokenMasker;

// One bit per vocabulary token.
struct TokenMask {
    std::vector<uint64_t> bits;

    bool allowed(int32_t id) const {
        return id >= 0 && static_cast<size_t>(id >> 6) < bits.size() &&
               ((bits[id >> 6] >> (id & 63)) & 1);
    }
    void set(int32_t id) {
        if (id < 0) return;
        if (static_cast<size_t>(id >> 6) >= bits.size()) bits.resize((id >> 6) + 1, 0);
        bits[id >> 6] |= uint64_t{1} << (id & 63);
    }
    int32_t count() const {
        int32_t n = 0;
        for (uint64_t w : bits) n += __builtin_popcountll(w);
        return n;
    }
};

class Matcher {
  public:
    Matcher(std::shared_ptr<const CompiledGrammar> grammar,
            std::shared_ptr<const TokenVocabulary> vocab);

    // Tokens whose bytes keep the output a valid prefix; end-of-generation tokens iff
    // is_complete(); control and empty tokens never. Nothing after an end-of-generation token.
    void compute_mask(TokenMask& out);
    // Advances by one token; false (state unchanged) if the mask would not allow it.
    bool accept_token(int32_t id);
    // Advances by raw bytes; false (state unchanged) if they do not keep the output valid.
    bool accept_bytes(std::string_view bytes);
    bool is_complete() const;   // the output so far is a full sentence of the grammar
    bool can_continue() const;  // some non-empty continuation exists
    // The longest byte string every valid continuation starts with (empty if complete).
    std::string forced_bytes() const;
    // A shortest byte string that makes the output complete (empty when it already is), found
    // by a breadth-first search of at most `max_bytes` bytes and a bounded number of states;
    // nullopt when none is found within those bounds. Printable ASCII is preferred.
    std::optional<std::string> shortest_completion(size_t max_bytes = 512) const;
    void reset();  // back to the start; caches are kept

  private:
    std::shared_ptr<TokenMasker> masker_;
    int32_t state_ = 0;
    bool ended_ = false;  // an end-of-generation token was accepted
};

}  // namespace flash::grammar
