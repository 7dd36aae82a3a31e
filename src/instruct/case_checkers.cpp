// case:lowercase, case:uppercase, case:capital_word_frequency, and punctuation:no_comma.
// Letters of every script count: "É" is a capital, "ß" a lowercase letter.
#include <string>

#include "instruct/language_detect.h"
#include "instruct/registry.h"
#include "instruct/unicode_regex.h"
#include "instruct/words.h"

namespace flash::instruct {

namespace {

const UnicodeRegex& capital_letter() {
    static const UnicodeRegex regex(R"([\p{Lu}\p{Lt}])");
    return regex;
}

const UnicodeRegex& lowercase_letter() {
    static const UnicodeRegex regex(R"(\p{Ll})");
    return regex;
}

Checker lowercase(ArgReader&) {
    return [](std::string_view response) {
        const auto capitals = capital_letter().find_all(response);
        if (capitals.empty()) return passed("no capital letters");
        return failed("found " + count_of(capitals.size(), "capital letter", "capital letters") +
                      ", first in " + excerpt(response, capitals[0].begin, capitals[0].end));
    };
}

// As IFEval: capitals only (at least one letter) and English. The language is only refused
// when it is positively detected as another one; capitals-only text with no common English
// words ("OK!") is not failed on that account.
Checker uppercase(ArgReader&) {
    return [](std::string_view response) {
        const auto lowercase = lowercase_letter().find_all(response);
        if (!lowercase.empty()) {
            return failed("found " +
                          count_of(lowercase.size(), "lowercase letter", "lowercase letters") +
                          ", first in " + excerpt(response, lowercase[0].begin, lowercase[0].end));
        }
        if (!capital_letter().contains(response)) return failed("no letters at all");
        const LanguageGuess guess = detect_language(response);
        if (!guess.code.empty() && guess.code != "en") {
            return failed("all capitals, but written in " + guess.detail + ", expected English");
        }
        return passed("all capitals, English");
    };
}

// Words in all capitals by Python's isupper, as IFEval counts them: "I" and "A" count too.
Checker capital_word_frequency(ArgReader& args) {
    const Relation relation = args.relation();
    const size_t n = args.positive_integer("frequency");
    return [=](std::string_view response) {
        const size_t count = count_all_capital_words(response);
        return CheckResult{satisfies(relation, count, n),
                           "found " + count_of(count, "all-capital word", "all-capital words") +
                               ", expected " + describe(relation, n)};
    };
}

// The ASCII comma and the fullwidth one (U+FF0C).
Checker no_comma(ArgReader&) {
    return [](std::string_view response) {
        static const UnicodeRegex comma("[,，]");
        const auto commas = comma.find_all(response);
        if (commas.empty()) return passed("no commas");
        return failed("found " + count_of(commas.size(), "comma", "commas") + ", first in " +
                      excerpt(response, commas[0].begin, commas[0].end));
    };
}

}  // namespace

void register_case_checkers(Registry& registry) {
    registry.add("case:lowercase", lowercase, nlohmann::json::object());
    registry.add("case:uppercase", uppercase, nlohmann::json::object());
    registry.add("case:capital_word_frequency", capital_word_frequency,
                 {{"relation", "less than"}, {"frequency", 3}});
    registry.add("punctuation:no_comma", no_comma, nlohmann::json::object());
}

}  // namespace flash::instruct
