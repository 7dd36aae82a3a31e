// Word and letter profiles of the languages the evaluation data asks for (en fr es de it pt).
//
// Hand-written on purpose: Debian's detectors do not fit this job. libcld2 is archived
// upstream and bakes in tables for 80+ languages; libexttextcat must find its n-gram data files
// at run time and is weak on short texts; either would be a new system dependency for every
// build. Telling six Latin-script languages apart in a paragraph of model output only takes
// each one's most common function words and a few letters no other of the six uses.
#pragma once

#include <string_view>
#include <vector>

namespace flash::instruct {

struct LanguageProfile {
    std::string_view code;                       // ISO 639-1, as in the data's args: "fr"
    std::string_view name;                       // "French"
    std::vector<std::string_view> common_words;  // lowercase; apostrophe pieces ("l", "qu") too
    std::vector<std::string_view> distinctive_letters;  // lowercase UTF-8 characters
};

const std::vector<LanguageProfile>& language_profiles();
const LanguageProfile* find_language_profile(std::string_view code);

}  // namespace flash::instruct
