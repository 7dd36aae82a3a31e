// SentencePiece-style BPE (tokenizer.ggml.model "llama"): greedy merging of the adjacent
// pair whose concatenation is the highest-scoring token, with <0xXX> byte fallback.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace flash::tok {

// `text` is already whitespace-escaped (' ' -> U+2581) and carries any space prefix.
void spm_encode(const Vocab& v, std::string_view text, std::vector<int32_t>& out);

}  // namespace flash::tok
