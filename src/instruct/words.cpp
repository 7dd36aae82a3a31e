#include "instruct/words.h"

#include <algorithm>
#include <string>

namespace flash::instruct {

namespace {

const UnicodeRegex& word_regex() {
    static const UnicodeRegex regex(R"([\p{L}\p{M}\p{N}]+(?:['’.\-][\p{L}\p{M}\p{N}]+)*)");
    return regex;
}

}  // namespace

std::vector<Span> word_spans(std::string_view text) {
    return word_regex().find_all(text);
}

size_t count_words(std::string_view text) {
    return word_spans(text).size();
}

size_t count_all_capital_words(std::string_view text) {
    static const UnicodeRegex capital(R"([\p{Lu}\p{Lt}])");
    static const UnicodeRegex lowercase(R"(\p{Ll})");
    const auto spans = word_spans(text);
    return std::count_if(spans.begin(), spans.end(), [&](const Span& span) {
        const std::string_view word = text.substr(span.begin, span.end - span.begin);
        return capital.contains(word) && !lowercase.contains(word);
    });
}

size_t count_whole_word(std::string_view text, std::string_view word) {
    if (word.empty()) return 0;
    const UnicodeRegex regex(
        R"((?<![\p{L}\p{M}\p{N}]))" + escape_regex(word) + R"((?![\p{L}\p{M}\p{N}]))",
        UnicodeRegex::Case::Insensitive);
    return regex.count(text);
}

}  // namespace flash::instruct
