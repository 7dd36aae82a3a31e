// The vocabulary as read from GGUF metadata: token texts, scores and attributes, BPE merge
// ranks, special-token ids, the end-of-generation set, and the per-model flags llama.cpp
// derives from tokenizer.ggml.model / tokenizer.ggml.pre. Everything the encoders and the
// decoder need is computed once here so that encoding does no setup work.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/gguf.h"

namespace flash::tok {

// Token attributes (bit set), following llama.cpp's llama_token_attr so that the rules for
// special-token splitting and rendering read the same.
enum TokenAttr : uint32_t {
    kAttrUndefined = 0,
    kAttrUnknown = 1u << 0,
    kAttrUnused = 1u << 1,
    kAttrNormal = 1u << 2,
    kAttrControl = 1u << 3,
    kAttrUserDefined = 1u << 4,
    kAttrByte = 1u << 5,
    kAttrLstrip = 1u << 7,
    kAttrRstrip = 1u << 8,
};

enum class VocabKind {
    Spm,  // tokenizer.ggml.model "llama": SentencePiece merges by score, byte fallback
    Bpe,  // "gpt2" (byte-level) and "gemma4" (raw UTF-8 with U+2581 for spaces)
};

// Heterogeneous lookup so string_view keys need no temporary std::string.
struct SvHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

struct Vocab {
    std::string source;  // file path, for error messages
    std::string model;   // tokenizer.ggml.model
    std::string pre;     // tokenizer.ggml.pre as written in the file ("" if absent)
    VocabKind kind = VocabKind::Bpe;

    std::vector<std::string> text;
    std::vector<float> score;
    std::vector<uint32_t> attr;
    std::unordered_map<std::string_view, int32_t, SvHash, std::equal_to<>> ids;  // views into text

    // BPE merge ranks keyed by "left \xFF right" (0xFF never occurs in UTF-8, so the key is
    // unambiguous); the key bytes live in merge_keys.
    std::string merge_keys;
    std::unordered_map<std::string_view, int32_t, SvHash, std::equal_to<>> merge_rank;

    // Flags that shape encoding (see llama.cpp's per-model defaults).
    bool add_bos = false;
    bool add_eos = false;
    bool add_space_prefix = false;         // SPM: prepend " " to text that starts a fragment run
    bool escape_whitespace = false;        // replace ' ' by U+2581 before merging
    bool byte_encode = true;               // BPE words use the GPT-2 byte alphabet
    bool ignore_merges = false;            // a word that is itself a token is emitted whole
    bool newline_run_whole = false;        // gemma4: a run of '\n' that is a token stays whole
    std::vector<std::string> pre_regexes;  // BPE pre-tokenizer, applied in order

    int32_t bos = -1, eos = -1, eot = -1, eom = -1, unk = -1, sep = -1, pad = -1, mask = -1;
    int32_t fim_pre = -1, fim_suf = -1, fim_mid = -1, fim_pad = -1, fim_rep = -1, fim_sep = -1;
    std::unordered_set<int32_t> eog;

    // Control / user-defined / unknown tokens, longest text first: the order in which the
    // special-token splitter looks for them.
    std::vector<int32_t> special_tokens;
    // Bytes each token contributes when decoded (special tokens as their text).
    std::vector<std::string> pieces;
    // Token for each raw byte under byte fallback (<0xXX>), -1 where the vocabulary has none.
    int32_t byte_token[256];

    int32_t n_tokens() const { return static_cast<int32_t>(text.size()); }
    std::optional<int32_t> find(std::string_view s) const {
        auto it = ids.find(s);
        if (it == ids.end()) return std::nullopt;
        return it->second;
    }
    // Rank of merging `left` and `right`, or -1. `scratch` avoids an allocation per lookup.
    int32_t merge(std::string_view left, std::string_view right, std::string& scratch) const;
};

// Reads tokens, types, scores and merges and applies llama.cpp's model-specific rules.
// Throws flash::Error naming the file and key for a missing or unsupported vocabulary.
// The pre-tokenizer name is validated separately (pretokenizer.h).
void load_vocab(const GgufFile& gguf, Vocab& v);

}  // namespace flash::tok
