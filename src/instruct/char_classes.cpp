#include "instruct/char_classes.h"

#include "instruct/unicode_regex.h"

namespace flash::instruct {

namespace {

std::vector<bool> mark(std::string_view text, const UnicodeRegex& regex) {
    std::vector<bool> marked(text.size(), false);
    for (const Span& span : regex.find_all(text)) {
        for (size_t i = span.begin; i < span.end; ++i) marked[i] = true;
    }
    return marked;
}

}  // namespace

CharClasses::CharClasses(std::string_view text) {
    static const UnicodeRegex word(R"([\p{L}\p{M}\p{N}]+)");
    static const UnicodeRegex lower(R"(\p{Ll}+)");
    static const UnicodeRegex upper(R"([\p{Lu}\p{Lt}]+)");
    static const UnicodeRegex space(R"(\s+)");
    word_ = mark(text, word);
    lower_ = mark(text, lower);
    upper_ = mark(text, upper);
    space_ = mark(text, space);
}

}  // namespace flash::instruct
