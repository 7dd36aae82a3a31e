// content:placeholders, content:postscript.
#include <memory>
#include <string>

#include "instruct/registry.h"
#include "instruct/unicode_regex.h"

namespace flash::instruct {

namespace {

// A placeholder is [text] on one line with something other than spaces inside ("[]" and
// "[ ]" are not); IFEval counts any \[.*?\].
Checker placeholders(ArgReader& args) {
    const size_t n = args.positive_integer("num_placeholders");
    return [=](std::string_view response) {
        static const UnicodeRegex placeholder(R"(\[[^\[\]\n]*[^\s\[\]][^\[\]\n]*\])");
        const size_t count = placeholder.count(response);
        return CheckResult{count >= n, "found " + count_of(count, "placeholder", "placeholders") +
                                           " in [brackets], expected at least " +
                                           std::to_string(n)};
    };
}

// The marker in either case, with IFEval's optional space after each period ("P. S."), and
// not as the tail of a longer marker or word ("P.P.S." holds no "P.S."). Anywhere in the text,
// as in IFEval, though normally it starts a line near the end.
Checker postscript(ArgReader& args) {
    const std::string marker = args.one_of("postscript_marker", {"P.S.", "P.P.S"});
    const std::string pattern = marker == "P.S."
                                    ? R"((?<![\p{L}\p{N}.])p\.\s?s\.)"
                                    : R"((?<![\p{L}\p{N}.])p\.\s?p\.\s?s(?![\p{L}\p{N}]))";
    const auto regex = std::make_shared<UnicodeRegex>(pattern, UnicodeRegex::Case::Insensitive);
    return [=](std::string_view response) {
        if (const auto found = regex->find(response)) {
            return passed("postscript found: " + excerpt(response, found->begin, found->end));
        }
        return failed("no postscript starting with \"" + marker + "\"");
    };
}

}  // namespace

void register_content_checkers(Registry& registry) {
    registry.add("content:placeholders", placeholders, {{"num_placeholders", 2}});
    registry.add("content:postscript", postscript, {{"postscript_marker", "P.S."}});
}

}  // namespace flash::instruct
