// combination:two_responses, combination:repeat_prompt.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "instruct/paragraphs.h"
#include "instruct/registry.h"
#include "instruct/unicode_regex.h"

namespace flash::instruct {

namespace {

// As IFEval: split at "******"; blank pieces at either end are forgiven, a blank one in the
// middle is not; exactly two pieces must remain and differ (after trimming).
Checker two_responses(ArgReader&) {
    return [](std::string_view response) {
        std::vector<std::string_view> pieces;
        size_t from = 0;
        for (size_t at = response.find("******"); at != std::string_view::npos;
             at = response.find("******", from)) {
            pieces.push_back(response.substr(from, at - from));
            from = at + 6;
        }
        pieces.push_back(response.substr(from));
        std::vector<std::string_view> responses;
        for (size_t i = 0; i < pieces.size(); ++i) {
            const std::string_view piece = trim(pieces[i]);
            if (!piece.empty()) {
                responses.push_back(piece);
            } else if (i != 0 && i + 1 != pieces.size()) {
                return failed("an empty response between two ****** separators");
            }
        }
        if (responses.size() != 2) {
            return failed("found " + count_of(responses.size(), "response", "responses") +
                          " separated by ******, expected 2");
        }
        if (responses[0] == responses[1]) return failed("the two responses are the same");
        return passed("two different responses separated by ******");
    };
}

// As IFEval: after leading whitespace the response starts with the request, case-insensitively.
Checker repeat_prompt(ArgReader& args) {
    const std::string prompt = std::string(trim(args.nonempty_string("prompt_to_repeat")));
    const auto starts = std::make_shared<UnicodeRegex>("\\A\\s*" + escape_regex(prompt),
                                                       UnicodeRegex::Case::Insensitive);
    return [=](std::string_view response) {
        if (starts->contains(response)) return passed("starts with the request, word for word");
        return failed("does not start with the request; it starts " +
                      excerpt(response, 0, std::min(response.size(), size_t{40})));
    };
}

}  // namespace

void register_combination_checkers(Registry& registry) {
    registry.add("combination:two_responses", two_responses, nlohmann::json::object());
    registry.add("combination:repeat_prompt", repeat_prompt,
                 {{"prompt_to_repeat", "Describe Paris."}});
}

}  // namespace flash::instruct
