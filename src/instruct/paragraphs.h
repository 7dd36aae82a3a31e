// The two ways the data splits a response into paragraphs.
#pragma once

#include <string_view>
#include <vector>

namespace flash::instruct {

// length:paragraphs — paragraphs separated by the markdown divider "***". A divider is a run
// of exactly three asterisks with whitespace (or the text's edge) on both sides, so it may
// stand on its own line or between two paragraphs on one line (as IFEval's split allows), but
// "***bold italic***" and the "******" of two_responses are not dividers. Pieces are returned
// untrimmed, empty ones included: leading/trailing empties are the caller's to forgive.
std::vector<std::string_view> split_at_dividers(std::string_view text);

// length:nth_paragraph_first_word — paragraphs separated by blank lines (two newlines, with
// only whitespace between them). Empty paragraphs are dropped; the rest are trimmed.
std::vector<std::string_view> split_at_blank_lines(std::string_view text);

// `text` without leading and trailing whitespace (ASCII and Unicode spaces).
std::string_view trim(std::string_view text);

}  // namespace flash::instruct
