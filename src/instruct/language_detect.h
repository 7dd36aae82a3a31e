// A light language detector for language:response_language and case:uppercase ("in English").
//
// Text whose letters are mostly outside the Latin script is no language of the profiles.
// Otherwise every word found in a profile's common words scores for that language, split
// evenly among all profiles that list it ("la" is French, Spanish and Italian, so it gives each
// a third), and each distinctive letter (ñ, ß, ã…) scores one. The highest score wins; a tie or
// no score at all is "undetermined" rather than a guess.
#pragma once

#include <string>
#include <string_view>

namespace flash::instruct {

struct LanguageGuess {
    std::string code;    // "fr", or empty when undetermined or not Latin script
    std::string detail;  // for reasons: "French (score 9.5; next Spanish 2.3)"
};

LanguageGuess detect_language(std::string_view text);

}  // namespace flash::instruct
