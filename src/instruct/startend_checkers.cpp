// startend:start_checker, startend:end_checker, startend:quotation.
#include <memory>
#include <string>

#include "instruct/paragraphs.h"
#include "instruct/registry.h"
#include "instruct/unicode_regex.h"

namespace flash::instruct {

namespace {

// Case-insensitive, as IFEval's end_checker: after leading whitespace the response starts
// with the phrase, and the phrase ends a word ("Here is" is not the start of "Here isn't").
Checker start_checker(ArgReader& args) {
    const std::string phrase = args.nonempty_string("start_phrase");
    const auto starts = std::make_shared<UnicodeRegex>(
        "\\A\\s*" + escape_regex(phrase) + R"((?<![\p{L}\p{N}])|\A\s*)" + escape_regex(phrase) +
            R"((?![\p{L}\p{N}]))",
        UnicodeRegex::Case::Insensitive);
    return [=](std::string_view response) {
        if (starts->contains(response)) return passed("starts with \"" + phrase + "\"");
        return failed("starts " + excerpt(response, 0, 0) + ", expected \"" + phrase + "\"");
    };
}

// As IFEval: the trimmed response ends with the phrase, case-insensitively; nothing follows.
Checker end_checker(ArgReader& args) {
    const std::string phrase = std::string(trim(args.nonempty_string("end_phrase")));
    const auto ends = std::make_shared<UnicodeRegex>(escape_regex(phrase) + "\\s*\\z",
                                                     UnicodeRegex::Case::Insensitive);
    return [=](std::string_view response) {
        if (ends->contains(response)) return passed("ends with \"" + phrase + "\"");
        return failed("ends " + excerpt(response, response.size(), response.size()) +
                      ", expected \"" + phrase + "\"");
    };
}

// The trimmed response opens and closes with a double quotation mark: straight "…" as in
// IFEval, or typographic “…”.
Checker quotation(ArgReader&) {
    return [](std::string_view response) {
        const std::string_view body = trim(response);
        const bool straight = body.size() >= 2 && body.front() == '"' && body.back() == '"';
        const bool curly = body.size() >= 6 && body.starts_with("“") && body.ends_with("”");
        if (straight || curly) return passed("wrapped in double quotation marks");
        return failed("not wrapped in double quotation marks as a whole");
    };
}

}  // namespace

void register_startend_checkers(Registry& registry) {
    registry.add("startend:start_checker", start_checker, {{"start_phrase", "Dear reader"}});
    registry.add("startend:end_checker", end_checker, {{"end_phrase", "Is there anything else?"}});
    registry.add("startend:quotation", quotation, nlohmann::json::object());
}

}  // namespace flash::instruct
