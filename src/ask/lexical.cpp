#include "ask/lexical.h"

#include "core/utf8.h"
#include "retrieval/fts_query.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace flash::ask {
namespace {

// Beyond the function words search ignores (retrieval::is_function_word): the words of
// questions about documents, which say nothing about support either.
constexpr std::string_view k_stopwords[] = {
    "document", "documents", "according", "answer", "question",  "sentence", "sentences",
    "says",     "say",       "stated",    "states", "mentioned", "know"};

// Spelled-out numbers as they appear in prose ("thirty days", "two weeks").
struct NumberWord {
    std::string_view word;
    int value;
};
constexpr NumberWord k_number_words[] = {
    {"zero", 0},     {"one", 1},       {"two", 2},        {"three", 3},     {"four", 4},
    {"five", 5},     {"six", 6},       {"seven", 7},      {"eight", 8},     {"nine", 9},
    {"ten", 10},     {"eleven", 11},   {"twelve", 12},    {"thirteen", 13}, {"fourteen", 14},
    {"fifteen", 15}, {"sixteen", 16},  {"seventeen", 17}, {"eighteen", 18}, {"nineteen", 19},
    {"twenty", 20},  {"thirty", 30},   {"forty", 40},     {"fifty", 50},    {"sixty", 60},
    {"ninety", 90},  {"hundred", 100}, {"dozen", 12},
};

bool is_ascii_alpha(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(unsigned char c) {
    return c >= '0' && c <= '9';
}

void add_unique(std::vector<std::string>& list, std::string item) {
    if (item.empty() || std::find(list.begin(), list.end(), item) != list.end()) return;
    list.push_back(std::move(item));
}

bool word_char_at(std::string_view text, size_t i) {
    return retrieval::is_word_char(decode_utf8(text, i));
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

bool is_stopword(std::string_view w) {
    return retrieval::is_function_word(w) ||
           std::find(std::begin(k_stopwords), std::end(k_stopwords), w) != std::end(k_stopwords);
}

std::string stem(std::string_view w) {
    std::string s(w);
    // Longest suffix first; keep at least three letters of stem so "bus" or "fees" survive.
    for (std::string_view suffix :
         {"ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s"}) {
        if (ends_with(s, suffix) && s.size() >= suffix.size() + 3) {
            s.resize(s.size() - suffix.size());
            if (suffix == "ies" || suffix == "ied") s += 'y';
            break;
        }
    }
    // "returned"/"return" meet; "stopped" → "stopp" → "stop".
    if (s.size() > 3 && s[s.size() - 1] == s[s.size() - 2] && !is_digit(s.back())) s.pop_back();
    if (s.size() > 3 && s.back() == 'e') s.pop_back();  // "charge"/"charged"
    return s;
}

std::string normalise_number(std::string_view token) {
    std::string digits;
    bool seen_point = false;
    for (size_t i = 0; i < token.size(); ++i) {
        const auto c = static_cast<unsigned char>(token[i]);
        if (is_digit(c)) {
            digits += static_cast<char>(c);
        } else if (c == '.' && !seen_point && i + 1 < token.size() &&
                   is_digit(static_cast<unsigned char>(token[i + 1]))) {
            digits += '.';
            seen_point = true;
        }  // thousands separators and currency signs are dropped
    }
    if (digits.empty()) return {};
    size_t point = digits.find('.');
    if (point != std::string::npos) {
        while (digits.back() == '0') digits.pop_back();
        if (digits.back() == '.') digits.pop_back();
    }
    point = digits.find('.');
    const size_t int_end = point == std::string::npos ? digits.size() : point;
    size_t lead = 0;
    while (lead + 1 < int_end && digits[lead] == '0') ++lead;
    return digits.substr(lead);
}

LexicalTerms lexical_terms(std::string_view text) {
    LexicalTerms terms;
    size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (is_digit(c)) {
            // A number: digits with internal ',' or '.' between digits ("1,200.50", "2.4").
            size_t j = i;
            while (j < text.size()) {
                const auto d = static_cast<unsigned char>(text[j]);
                const bool inner_sep = (d == ',' || d == '.') && j + 1 < text.size() &&
                                       is_digit(static_cast<unsigned char>(text[j + 1]));
                if (!is_digit(d) && !inner_sep) break;
                ++j;
            }
            add_unique(terms.numbers, normalise_number(text.substr(i, j - i)));
            i = j;
        } else if (is_ascii_alpha(c) || (c >= 0x80 && word_char_at(text, i))) {
            // A word: letters and digits of any script ("don't" → "don", "t").
            size_t j = i;
            std::string word;
            while (j < text.size()) {
                const auto d = static_cast<unsigned char>(text[j]);
                if (d >= 0x80) {
                    size_t next = j;
                    if (!retrieval::is_word_char(decode_utf8(text, next))) break;
                    word.append(text.substr(j, next - j));
                    j = next;
                    continue;
                }
                if (!is_ascii_alpha(d) && !is_digit(d)) break;
                word += (d >= 'A' && d <= 'Z') ? static_cast<char>(d - 'A' + 'a')
                                               : static_cast<char>(d);
                ++j;
            }
            i = j;
            const auto number = std::find_if(std::begin(k_number_words), std::end(k_number_words),
                                             [&](const NumberWord& n) { return n.word == word; });
            if (number != std::end(k_number_words)) {
                add_unique(terms.numbers, std::to_string(number->value));
            } else if (word.size() > 1 && !is_stopword(word)) {  // "a.m." leaves "m"
                add_unique(terms.words, stem(word));
            }
        } else if (c >= 0x80) {
            decode_utf8(text, i);  // a symbol or punctuation character: skipped whole
        } else {
            ++i;
        }
    }
    return terms;
}

LexicalTerms lexical_terms(const std::vector<std::string_view>& texts) {
    LexicalTerms all;
    for (std::string_view text : texts) {
        LexicalTerms t = lexical_terms(text);
        all.words.insert(all.words.end(), t.words.begin(), t.words.end());
        all.numbers.insert(all.numbers.end(), t.numbers.begin(), t.numbers.end());
    }
    return all;
}

bool contains(const std::vector<std::string>& terms, const std::string& term) {
    return std::find(terms.begin(), terms.end(), term) != terms.end();
}

}  // namespace flash::ask
