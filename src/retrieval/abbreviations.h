// Word lists the sentence splitter consults at a period: abbreviations that never end a
// sentence ("Dr.", "e.g."), ones that may ("etc.", "p.m."), and time zones that follow "p.m.".
// Depends on nothing else.
#pragma once

#include <string_view>

namespace flash::retrieval {

enum class AbbreviationKind {
    none,      // an ordinary word: a period after it ends a sentence before a capital or digit
    title,     // "Dr.", "e.g.", "approx.", "ext.": never ends a sentence
    number,    // "No.", "Nr.": not before a number or code ("No. 5", "No. PAK-2")
    terminal,  // "etc.", "Inc.", "p.m.", "U.S.", "Jan.", "Mon.": ends one only before a capital
};

// `word` is the letters (and inner periods) right before the period, e.g. "Dr", "e.g", "p.m";
// compared case-insensitively.
AbbreviationKind abbreviation_kind(std::string_view word);

// "ET", "UTC", "Eastern", ...: a word that continues a time such as "5 p.m. ET".
bool is_time_zone(std::string_view word);

}  // namespace flash::retrieval
