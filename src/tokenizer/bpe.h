// BPE merging of one pre-tokenized word by merge rank (lowest rank first, leftmost first on
// ties), for both byte-level vocabularies (gpt2) and raw-UTF-8 ones (gemma4).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace flash::tok {

// Appends the ids for `word` (already in the vocabulary's alphabet: byte-encoded for gpt2,
// U+2581-escaped for gemma4). Pieces that end up outside the vocabulary fall back to byte
// tokens where the vocabulary has them and are dropped otherwise, as in llama.cpp.
void bpe_encode_word(const Vocab& v, std::string_view word, std::vector<int32_t>& out);

}  // namespace flash::tok
