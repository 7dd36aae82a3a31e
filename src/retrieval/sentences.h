// Sentence segmentation with byte offsets, for citing sentences of a document's text.
// Depends on nothing outside retrieval/.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace flash::retrieval {

struct Sentence {
    size_t start = 0, end = 0;  // byte offsets into the text; no surrounding whitespace
    bool heading = false;       // judged a heading from the line's shape (starts a passage)

    bool operator==(const Sentence&) const = default;
};

struct SplitOptions {
    // Every newline ends a sentence. For text made from HTML, where a newline only ever comes
    // from a block element (paragraph, list item, table row).
    bool hard_line_breaks = false;
};

// Splits `text` into sentences, in order and without overlap.
//
// A sentence ends at '.', '?', '!' or an ellipsis (with any closing quotes or brackets after
// it) when whitespace and then something other than a lowercase letter follow — except after
// abbreviations ("Dr.", "e.g.", "approx.", "No. 5"; "etc.", "p.m.", "U.S." only before a
// capital and not before a time zone: "5 p.m. ET") and initials ("J. R. R. Tolkien"). Periods
// inside tokens (3.14, v1.2.3, example.com, a@b.org) never split. '。', '！', '？' always end a
// sentence. Line structure: a blank line always ends one; a list item ("- ", "1. ") starts one
// (its marker is not part of it); a heading line is one; table-like lines are one each; a
// newline inside running text ends a sentence unless the next line starts with a lowercase
// letter or the line ends with a comma, hyphen or a word like "and".
std::vector<Sentence> split_sentences(std::string_view text, const SplitOptions& options = {});

}  // namespace flash::retrieval
