// format:sections, format:json, format:constrained_response — the response's overall shape.
#include <array>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "instruct/paragraphs.h"
#include "instruct/registry.h"
#include "instruct/unicode_regex.h"

namespace flash::instruct {

namespace {

// A section starts with a line "<spliter> <number>" (case as given; markdown heading or
// emphasis marks before it allowed: "## SECTION 1", "**Part 2:**"). A mention inside a
// sentence ("as Section 2 says") starts nothing. The README asks for N sections, so exactly
// N headers pass; IFEval accepts N or more.
Checker sections(ArgReader& args) {
    const std::string spliter =
        args.one_of("section_spliter", {"Section", "SECTION", "Part", "PART"});
    const size_t n = args.positive_integer("num_sections");
    const auto header = std::make_shared<UnicodeRegex>(R"((?m)^[ \t#*_]*)" + escape_regex(spliter) +
                                                       R"([ \t]+\d+(?!\d))");
    return [=](std::string_view response) {
        const size_t count = header->count(response);
        return CheckResult{count == n, "found " + count_of(count, "section", "sections") +
                                           " starting with \"" + spliter +
                                           " <number>\", expected exactly " + std::to_string(n)};
    };
}

// As IFEval: surrounding whitespace and a ``` or ```json fence around the JSON are allowed.
std::string_view without_code_fence(std::string_view text) {
    text = trim(text);
    for (std::string_view opening : {"```json", "```Json", "```JSON", "```"}) {
        if (text.starts_with(opening)) {
            text.remove_prefix(opening.size());
            break;
        }
    }
    if (text.ends_with("```")) text.remove_suffix(3);
    return trim(text);
}

Checker json(ArgReader&) {
    return [](std::string_view response) {
        const std::string_view body = without_code_fence(response);
        try {
            const auto value = nlohmann::json::parse(body);
            return passed(std::string("the whole response is a JSON ") + value.type_name());
        } catch (const nlohmann::json::parse_error& error) {
            return failed("not JSON as a whole: parse error at byte " + std::to_string(error.byte));
        } catch (const nlohmann::json::out_of_range&) {
            // A number beyond double's range ("3e893") is still JSON; Python reads it as inf.
            return passed("the whole response is JSON (with a number beyond double's range)");
        }
    };
}

Checker constrained_response(ArgReader&) {
    return [](std::string_view response) {
        static constexpr std::array<std::string_view, 3> kOptions = {
            "My answer is yes.", "My answer is no.", "My answer is maybe."};
        for (std::string_view option : kOptions) {
            // As IFEval: the option must appear, exactly cased; more text may surround it.
            if (response.find(option) != std::string_view::npos) {
                return passed("contains \"" + std::string(option) + "\"");
            }
        }
        return failed(
            "none of \"My answer is yes.\", \"My answer is no.\", \"My answer is maybe.\"");
    };
}

}  // namespace

void register_structure_checkers(Registry& registry) {
    registry.add("format:sections", sections,
                 {{"section_spliter", "Section"}, {"num_sections", 2}});
    registry.add("format:json", json, nlohmann::json::object());
    registry.add("format:constrained_response", constrained_response, nlohmann::json::object());
}

}  // namespace flash::instruct
