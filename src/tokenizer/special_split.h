// Special-token partitioning: cuts the input at every occurrence of a special token's text
// (longest tokens first), before any pre-tokenization, so that e.g. "<|im_start|>" becomes
// one id instead of being spelled out. Control and unknown tokens are only recognised when
// parse_special is set; user-defined tokens always are (as in llama.cpp and HF tokenizers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace flash::tok {

struct Fragment {
    int32_t token = -1;  // >= 0: a special token; -1: raw text [offset, offset + length)
    size_t offset = 0;
    size_t length = 0;
};

std::vector<Fragment> split_special(const Vocab& v, std::string_view text, bool parse_special);

}  // namespace flash::tok
