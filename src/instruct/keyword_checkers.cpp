// keywords:include, keywords:exclude, keywords:frequency, keywords:letter_frequency.
// Keywords match as whole words, case-insensitively (words.h): the data's README says "the
// word", where IFEval's include/frequency match any substring.
#include <string>
#include <vector>

#include "core/error.h"
#include "instruct/registry.h"
#include "instruct/words.h"

namespace flash::instruct {

namespace {

std::string quoted(const std::string& word) {
    return "\"" + word + "\"";
}

Checker include(ArgReader& args) {
    const auto keywords = args.nonempty_string_list("keywords");
    return [keywords](std::string_view response) {
        std::string missing;
        for (const std::string& keyword : keywords) {
            if (count_whole_word(response, keyword) == 0) {
                missing += (missing.empty() ? "" : ", ") + quoted(keyword);
            }
        }
        if (missing.empty())
            return passed("contains all " + count_of(keywords.size(), "keyword", "keywords"));
        return failed("missing " + missing);
    };
}

Checker exclude(ArgReader& args) {
    const auto keywords = args.nonempty_string_list("keywords");
    return [keywords](std::string_view response) {
        std::string found;
        for (const std::string& keyword : keywords) {
            if (const size_t n = count_whole_word(response, keyword)) {
                found += (found.empty() ? "" : ", ") + quoted(keyword) + " " +
                         count_of(n, "time", "times");
            }
        }
        if (found.empty()) return passed("contains none of the forbidden words");
        return failed("contains forbidden " + found);
    };
}

Checker frequency(ArgReader& args) {
    const std::string keyword = args.nonempty_string("keyword");
    const Relation relation = args.relation();
    const size_t n = args.positive_integer("frequency");
    return [=](std::string_view response) {
        const size_t count = count_whole_word(response, keyword);
        const std::string reason = quoted(keyword) + " appears " +
                                   count_of(count, "time", "times") + ", expected " +
                                   describe(relation, n);
        return CheckResult{satisfies(relation, count, n), reason};
    };
}

Checker letter_frequency(ArgReader& args) {
    const std::string letter = args.nonempty_string("letter");
    const auto lower = static_cast<unsigned char>(letter[0]) | 0x20;
    if (letter.size() != 1 || lower < 'a' || lower > 'z') {
        throw Error("instruction " + args.type() + ": arg 'letter' must be one letter a-z, got \"" +
                    letter + "\"");
    }
    const Relation relation = args.relation();
    const size_t n = args.positive_integer("frequency");
    return [=](std::string_view response) {
        size_t count = 0;
        for (const char c : response) count += (static_cast<unsigned char>(c) | 0x20) == lower;
        const std::string reason = "letter \"" + std::string(1, static_cast<char>(lower)) +
                                   "\" appears " + count_of(count, "time", "times") +
                                   ", expected " + describe(relation, n);
        return CheckResult{satisfies(relation, count, n), reason};
    };
}

}  // namespace

void register_keyword_checkers(Registry& registry) {
    registry.add("keywords:include", include,
                 {{"keywords", nlohmann::json::array({"river", "bridge"})}});
    registry.add("keywords:exclude", exclude, {{"keywords", nlohmann::json::array({"very"})}});
    registry.add("keywords:frequency", frequency,
                 {{"keyword", "Paris"}, {"relation", "at least"}, {"frequency", 2}});
    registry.add("keywords:letter_frequency", letter_frequency,
                 {{"letter", "z"}, {"relation", "less than"}, {"frequency", 3}});
}

}  // namespace flash::instruct
