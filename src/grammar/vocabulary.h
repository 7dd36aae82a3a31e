// TokenVocabulary: the bytes of every token, arranged once per tokenizer as a byte trie in
// pre-order so mask computation can walk it depth-first with a flat loop, skipping a whole
// subtree at once. Immutable after construction and shared by all matchers (thread-safe).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace flash::grammar {

class TokenVocabulary {
  public:
    // Control tokens are never allowed; end-of-generation tokens only when the grammar is
    // complete; tokens with no bytes never.
    static std::shared_ptr<const TokenVocabulary> from_tokenizer(const Tokenizer& tok);
    // For tests: explicit token byte strings; eog ids allowed only when the grammar is complete.
    static std::shared_ptr<const TokenVocabulary> from_pieces(
        std::vector<std::string> pieces, std::vector<int32_t> end_of_generation_ids);

    int32_t size() const { return static_cast<int32_t>(pieces_.size()); }
    const std::string& piece(int32_t id) const { return pieces_[id]; }
    bool is_end_of_generation(int32_t id) const { return kind_[id] == Kind::Eog; }
    // Allowed or not by its bytes alone (not control, not eog, not empty).
    bool is_text(int32_t id) const { return kind_[id] == Kind::Text; }
    const std::vector<int32_t>& end_of_generation_ids() const { return eog_; }

    // Pre-order byte trie without its root: node i holds byte[i] at depth[i] (root children
    // have depth 1), its subtree is [i, end[i]), and the tokens spelled by the path to it are
    // toks[tok_off[i] .. tok_off[i + 1]).
    struct Trie {
        std::vector<uint8_t> byte;
        std::vector<uint16_t> depth;
        std::vector<uint32_t> end;
        std::vector<uint32_t> tok_off;
        std::vector<int32_t> toks;
        // Bytes of the nodes strictly below node i: ASCII as a 128-bit set, plus whether any
        // byte >= 0x80 occurs. Lets a walk allow a whole subtree when the state loops on them.
        std::vector<std::array<uint64_t, 2>> below_ascii;
        std::vector<uint8_t> below_non_ascii;
        // 1 if every path below node i, read from a character boundary, is valid UTF-8 so far.
        std::vector<uint8_t> below_utf8_ok;
        uint32_t max_depth = 0;
        uint32_t size() const { return static_cast<uint32_t>(byte.size()); }
    };
    const Trie& trie() const { return trie_; }

  private:
    enum class Kind : uint8_t { Text, Eog, Never };
    TokenVocabulary(std::vector<std::string> pieces, std::vector<Kind> kind);
    void build_trie();

    std::vector<std::string> pieces_;
    std::vector<Kind> kind_;
    std::vector<int32_t> eog_;
    Trie trie_;
};

}  // namespace flash::grammar
