// Words, the unit of length:words, capital-word counts and keyword matching.
//
// IFEval counts nltk's \w+ runs; our rule, written out so it can be reasoned about:
// a word is a maximal run of letters, combining marks and digits of any script (so "café",
// "naïve" and "2024" are one word each), where a single apostrophe (' or ’), hyphen or period
// between two such characters joins them ("don't", "meal-planning", "3.50", "U.S.A" and the
// "P.S" of "P.S." are one word each, as nltk tokenizes them). Scripts written
// without spaces are not segmented: "日本語" is one word, as it is for \w+.
#pragma once

#include <string_view>
#include <vector>

#include "instruct/unicode_regex.h"

namespace flash::instruct {

std::vector<Span> word_spans(std::string_view text);
size_t count_words(std::string_view text);

// Words with at least one capital letter and no lowercase one (Python's str.isupper, as
// IFEval applies it to each word): "NOW", "USA", "I", "COVID-19".
size_t count_all_capital_words(std::string_view text);

// Case-insensitive whole-word occurrences of `word` (which may itself hold several words):
// not preceded or followed by a letter, mark or digit, so "museum" is found in "museum's" and
// "meal-planning" contains "meal", but "art" is not in "party".
size_t count_whole_word(std::string_view text, std::string_view word);

}  // namespace flash::instruct
