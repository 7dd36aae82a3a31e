#include "retrieval/fts_query.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace flash::retrieval {
namespace {

constexpr size_t k_max_words = 64;

// Words that match nearly every passage: an OR query on them padded search results with
// unrelated passages (BM25 gives a word found in half the passages no weight).
constexpr std::string_view k_function_words[] = {
    "a",     "about", "after",   "all",   "also",   "am",    "an",      "and",     "any",   "are",
    "as",    "at",    "be",      "been",  "before", "being", "between", "both",    "but",   "by",
    "can",   "could", "did",     "do",    "does",   "doing", "don",     "during",  "each",  "for",
    "from",  "had",   "has",     "have",  "having", "he",    "her",     "here",    "hers",  "him",
    "his",   "how",   "however", "i",     "if",     "in",    "into",    "is",      "it",    "its",
    "just",  "may",   "me",      "might", "more",   "most",  "must",    "my",      "no",    "not",
    "now",   "of",    "on",      "once",  "only",   "or",    "other",   "our",     "ours",  "out",
    "over",  "own",   "per",     "s",     "same",   "shall", "she",     "should",  "so",    "some",
    "such",  "t",     "than",    "that",  "the",    "their", "theirs",  "them",    "then",  "there",
    "these", "they",  "this",    "those", "to",     "too",   "under",   "until",   "up",    "upon",
    "us",    "very",  "via",     "was",   "we",     "were",  "what",    "when",    "where", "which",
    "while", "who",   "whom",    "why",   "will",   "with",  "within",  "without", "would", "yes",
    "you",   "your",  "yours"};

// Decodes the UTF-8 sequence at s[i] (the text was validated on the way in; a bad byte reads
// as a separator) and returns its length.
size_t decode(std::string_view s, size_t i, uint32_t& cp) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80             ? 1
                 : (c & 0xE0) == 0xC0 ? 2
                 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 ? 4
                                      : 0;
    if (len == 0 || i + len > s.size()) {
        cp = ' ';
        return 1;
    }
    cp = len == 1 ? c : c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    return len;
}

}  // namespace

bool is_word_char(uint32_t cp) {
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    if (cp >= 0xA0 && cp <= 0xBF) return false;
    if (cp == 0xD7 || cp == 0xF7) return false;
    if (cp >= 0x2000 && cp <= 0x2BFF) return false;  // punctuation, symbols, arrows, shapes
    if (cp >= 0x3000 && cp <= 0x303F) return false;  // CJK punctuation
    if (cp >= 0xFE30 && cp <= 0xFE4F) return false;
    if (cp >= 0xFF00 && cp <= 0xFF0F) return false;  // full-width punctuation
    if (cp >= 0xFF1A && cp <= 0xFF20) return false;
    if (cp >= 0x1F000 && cp <= 0x1FAFF) return false;  // emoji
    return true;
}

std::vector<std::string> query_words(std::string_view query) {
    std::vector<std::string> words;
    std::string word;
    auto finish = [&] {
        if (!word.empty() && words.size() < k_max_words &&
            std::find(words.begin(), words.end(), word) == words.end())
            words.push_back(word);
        word.clear();
    };
    for (size_t i = 0; i < query.size();) {
        uint32_t cp = 0;
        const size_t len = decode(query, i, cp);
        if (is_word_char(cp)) {
            for (size_t k = 0; k < len; ++k) {
                char c = query[i + k];
                if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
                word += c;
            }
        } else {
            finish();
        }
        i += len;
    }
    finish();
    return words;
}

bool is_function_word(std::string_view w) {
    return std::find(std::begin(k_function_words), std::end(k_function_words), w) !=
           std::end(k_function_words);
}

std::string fts_match_query(std::string_view query) {
    std::string out;
    for (const std::string& w : query_words(query)) {
        if (is_function_word(w)) continue;
        if (!out.empty()) out += " OR ";
        out += '"' + w + '"';  // words hold no quote characters, so no escaping is needed
    }
    return out;
}

}  // namespace flash::retrieval
