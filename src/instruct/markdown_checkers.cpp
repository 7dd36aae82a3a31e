// format:bullet_count, format:highlighted_sections, format:title — markdown shapes.
#include <string>

#include "instruct/registry.h"
#include "instruct/unicode_regex.h"

namespace flash::instruct {

namespace {

// A bullet is a line starting (after any indentation: nested bullets count, as in IFEval)
// with "*" or "-" and then a space and some text. Numbered items are not bullets, nor are
// "**bold**" lines, "-5 degrees" or rules such as "***", "* * *", "---" and "- - -".
Checker bullet_count(ArgReader& args) {
    const size_t n = args.positive_integer("num_bullets");
    return [=](std::string_view response) {
        static const UnicodeRegex bullet(R"((?m)^([ \t]*)[*\-][ \t]+(?![*\- \t]*$)\S)");
        static const UnicodeRegex nested_bullet(R"((?m)^[ \t]+[*\-][ \t]+(?![*\- \t]*$)\S)");
        const size_t count = bullet.count(response);
        const size_t nested = nested_bullet.count(response);
        std::string reason = "found " + count_of(count, "bullet", "bullets");
        if (nested > 0) reason += " (" + std::to_string(nested) + " nested)";
        return CheckResult{count == n, reason + ", expected exactly " + std::to_string(n)};
    };
}

// *italic* or **bold** on one line, the text inside not starting or ending with a space (so
// a bullet's "* " marker opens nothing and "2 * 3 * 4" is no highlight).
Checker highlighted_sections(ArgReader& args) {
    const size_t n = args.positive_integer("num_highlights");
    return [=](std::string_view response) {
        static const UnicodeRegex bold(R"(\*\*[^\s*](?:[^*\n]*[^\s*])?\*\*)");
        static const UnicodeRegex italic(R"((?<!\*)\*[^\s*](?:[^*\n]*[^\s*])?\*(?!\*))");
        const size_t count = bold.count(response) + italic.count(response);
        return CheckResult{
            count >= n, "found " + count_of(count, "highlighted section", "highlighted sections") +
                            ", expected at least " + std::to_string(n)};
    };
}

Checker title(ArgReader&) {
    return [](std::string_view response) {
        static const UnicodeRegex title_regex(R"(<<[^\n<>]*[^\s<>][^\n<>]*>>)");
        if (const auto found = title_regex.find(response)) {
            return passed("title " +
                          std::string(response.substr(found->begin, found->end - found->begin)));
        }
        return failed("no title in double angular brackets <<like this>>");
    };
}

}  // namespace

void register_markdown_checkers(Registry& registry) {
    registry.add("format:bullet_count", bullet_count, {{"num_bullets", 3}});
    registry.add("format:highlighted_sections", highlighted_sections, {{"num_highlights", 2}});
    registry.add("format:title", title, nlohmann::json::object());
}

}  // namespace flash::instruct
