#include "follow/text_rules.h"

#include <cctype>

#include "instruct/unicode_regex.h"
#include "instruct/utf8_repair.h"
#include "instruct/words.h"

namespace flash::follow {

namespace {

// The characters the rules ban as one class, or "" when none are.
std::string banned_class(const TextRules& rules) {
    std::string cls;
    if (rules.letter_case == LetterCase::Lower) cls += R"(\p{Lu}\p{Lt})";
    if (rules.letter_case == LetterCase::Upper) cls += R"(\p{Ll})";
    if (rules.no_commas) cls += ",，";
    return cls.empty() ? "" : "[" + cls + "]";
}

// The start of the last run of non-space bytes: words never span spaces, so counting from
// there sees every word a piece can join or start.
size_t tail_start(std::string_view text) {
    const size_t space = text.find_last_of(" \t\n\r");
    return space == std::string_view::npos ? 0 : space + 1;
}

}  // namespace

std::vector<bool> banned_tokens(const TextRules& rules, const grammar::TokenVocabulary& vocab) {
    std::vector<bool> banned(static_cast<size_t>(vocab.size()), false);
    const std::string cls = banned_class(rules);
    if (cls.empty()) return banned;
    const instruct::UnicodeRegex regex(cls);
    for (int32_t id = 0; id < vocab.size(); ++id) {
        if (!vocab.is_text(id)) continue;
        banned[static_cast<size_t>(id)] = regex.contains(instruct::repair_utf8(vocab.piece(id)));
    }
    return banned;
}

bool breaks_character_rules(const TextRules& rules, std::string_view text) {
    const std::string cls = banned_class(rules);
    return !cls.empty() && instruct::UnicodeRegex(cls).contains(instruct::repair_utf8(text));
}

std::string in_case(LetterCase letter_case, std::string text) {
    for (char& c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (letter_case == LetterCase::Lower) c = static_cast<char>(std::tolower(u));
        if (letter_case == LetterCase::Upper) c = static_cast<char>(std::toupper(u));
    }
    return text;
}

size_t words_in(std::string_view text) {
    return instruct::count_words(instruct::repair_utf8(text));
}

size_t words_added(std::string_view text, std::string_view piece) {
    const std::string_view tail = text.substr(tail_start(text));
    const size_t before = instruct::count_words(instruct::repair_utf8(tail));
    // Repaired together: a piece may finish a character the text's last bytes began.
    const size_t after = instruct::count_words(instruct::repair_utf8(std::string(tail) += piece));
    return after > before ? after - before : 0;
}

}  // namespace flash::follow
