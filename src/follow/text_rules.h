// Rules every generated token obeys: letter case, no commas, a word limit. Character rules
// become a per-token ban over the vocabulary (a token holding a capital cannot be chosen under
// "all lowercase"); the word limit is counted on the text as it grows (segment_constraint.h).
// Words and letters are the checkers' own (instruct/words.h, Unicode classes).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/vocabulary.h"

namespace flash::follow {

enum class LetterCase { Any, Lower, Upper };

struct TextRules {
    LetterCase letter_case = LetterCase::Any;
    bool no_commas = false;
    std::optional<size_t> max_words;  // the whole response holds at most this many words

    bool bans_characters() const { return letter_case != LetterCase::Any || no_commas; }
};

// One flag per vocabulary token: true when its text breaks a character rule. End-of-generation,
// control and empty tokens are never banned (they carry no text).
std::vector<bool> banned_tokens(const TextRules& rules, const grammar::TokenVocabulary& vocab);

// Whether `text` breaks a character rule (read as UTF-8, invalid bytes ignored).
bool breaks_character_rules(const TextRules& rules, std::string_view text);

// `text` in the rule's case (ASCII letters): forced phrases that the checkers compare
// case-insensitively are written in the case the response must keep.
std::string in_case(LetterCase letter_case, std::string text);

// Words in `text`, as the length checkers count them.
size_t words_in(std::string_view text);

// How many words `piece` adds when appended to `text` (0 when it continues the last word or
// holds none). Only the tail after the last space is re-read, so this is cheap per token.
size_t words_added(std::string_view text, std::string_view piece);

}  // namespace flash::follow
