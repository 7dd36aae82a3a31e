// The words a claim is checked by: content words (lowercased, stopwords dropped, a light
// suffix stem so "returns"/"returned"/"return" meet) and numbers (normalised so "$1,200.00",
// "1200" and "1,200" are one value; "thirty" reads as 30). Hand-written because the check needs
// exactly these rules and no more: a stemming library (Snowball) would conflate more than helps
// with short, invented-name text, and none ships numbers normalised this way.
// Depends on retrieval/ (what a word character is) and tokenizer/ (UTF-8 decoding).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace flash::ask {

struct LexicalTerms {
    std::vector<std::string> words;    // content-word stems, in order, without duplicates
    std::vector<std::string> numbers;  // normalised numbers, in order, without duplicates
};

LexicalTerms lexical_terms(std::string_view text);

// The terms of several texts together (what a set of cited sentences says).
LexicalTerms lexical_terms(const std::vector<std::string_view>& texts);

// Whether `terms` holds this word stem or normalised number.
bool contains(const std::vector<std::string>& terms, const std::string& term);

// The stem used for matching: lowercase ASCII, with a plural/verb suffix removed.
std::string stem(std::string_view lowercase_word);

bool is_stopword(std::string_view lowercase_word);

// "1,200.50" → "1200.5", "007" → "7", "3.0" → "3"; empty when `token` holds no digits.
std::string normalise_number(std::string_view token);

}  // namespace flash::ask
