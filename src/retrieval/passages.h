// Passages: runs of consecutive sentences, the unit the index ranks. Depends on nothing outside
// retrieval/.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "retrieval/sentences.h"

namespace flash::retrieval {

struct PassageOptions {
    size_t max_words = 120;  // a passage grows up to this many words, whole sentences only
};

struct Passage {
    size_t start = 0, end = 0;        // byte offsets into the text: first sentence to last
    std::vector<Sentence> sentences;  // in order, offsets into the same text
};

// Groups `sentences` (from split_sentences(text)) into passages: a passage takes sentences
// while it stays within max_words (a longer sentence is a passage of its own), and a heading
// starts a new passage (consecutive headings stay together, with the text under them).
std::vector<Passage> group_passages(std::string_view text, const std::vector<Sentence>& sentences,
                                    const PassageOptions& options = {});

// Whitespace-separated words in `s`.
size_t word_count(std::string_view s);

}  // namespace flash::retrieval
