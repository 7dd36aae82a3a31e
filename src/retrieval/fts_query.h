// User text → an FTS5 MATCH expression that can never be a syntax error. Depends on nothing
// else.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flash::retrieval {

// Letters and digits of any script are word characters; punctuation, symbols (currency,
// arrows, emoji) and CJK/full-width punctuation are not — the split FTS5's unicode61 tokenizer
// makes for these characters.
bool is_word_char(uint32_t cp);

// The words of a query: runs of letters and digits (any script), lowercased (ASCII), without
// duplicates, in order; at most 64. Punctuation, quotes and FTS5 operators are separators.
std::vector<std::string> query_words(std::string_view query);

// English function words ("the", "is", "what", "how", ...), lowercase ASCII: they say nothing
// about what a passage is about.
bool is_function_word(std::string_view lowercase_word);

// The query's words other than function words, as quoted FTS5 strings joined by OR ("price" OR
// "warranty"), so BM25 ranks passages holding more (and rarer) query words higher and a passage
// sharing only "the" or "is" with the query is not a match. Empty when the query has no other
// words.
std::string fts_match_query(std::string_view query);

}  // namespace flash::retrieval
