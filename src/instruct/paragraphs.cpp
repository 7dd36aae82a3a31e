#include "instruct/paragraphs.h"

#include "instruct/unicode_regex.h"

namespace flash::instruct {

std::string_view trim(std::string_view text) {
    static const UnicodeRegex leading(R"(\A\s*)");
    static const UnicodeRegex trailing(R"(\s*\z)");
    const size_t begin = leading.find(text)->end;
    const size_t end = trailing.find(text, begin)->begin;
    return text.substr(begin, end - begin);
}

namespace {

std::vector<std::string_view> split_at(std::string_view text, const UnicodeRegex& separator) {
    std::vector<std::string_view> pieces;
    size_t piece_begin = 0;
    for (const Span& span : separator.find_all(text)) {
        pieces.push_back(text.substr(piece_begin, span.begin - piece_begin));
        piece_begin = span.end;
    }
    pieces.push_back(text.substr(piece_begin));
    return pieces;
}

}  // namespace

std::vector<std::string_view> split_at_dividers(std::string_view text) {
    static const UnicodeRegex divider(R"((?<!\S)\*\*\*(?!\S))");
    return split_at(text, divider);
}

std::vector<std::string_view> split_at_blank_lines(std::string_view text) {
    static const UnicodeRegex blank_line(R"(\n[^\S\n]*\n\s*)");
    std::vector<std::string_view> paragraphs;
    for (std::string_view piece : split_at(text, blank_line)) {
        piece = trim(piece);
        if (!piece.empty()) paragraphs.push_back(piece);
    }
    return paragraphs;
}

}  // namespace flash::instruct
