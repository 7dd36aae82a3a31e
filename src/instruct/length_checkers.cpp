// length:words, length:sentences, length:paragraphs, length:nth_paragraph_first_word.
#include <memory>
#include <string>

#include "core/error.h"
#include "instruct/paragraphs.h"
#include "instruct/registry.h"
#include "instruct/sentences.h"
#include "instruct/words.h"

namespace flash::instruct {

namespace {

Checker words(ArgReader& args) {
    const Relation relation = args.relation();
    const size_t n = args.positive_integer("num_words");
    return [=](std::string_view response) {
        const size_t count = count_words(response);
        return CheckResult{
            satisfies(relation, count, n),
            "found " + count_of(count, "word", "words") + ", expected " + describe(relation, n)};
    };
}

Checker sentences(ArgReader& args) {
    const Relation relation = args.relation();
    const size_t n = args.positive_integer("num_sentences");
    return [=](std::string_view response) {
        const size_t count = count_sentences(response);
        return CheckResult{satisfies(relation, count, n),
                           "found " + count_of(count, "sentence", "sentences") + ", expected " +
                               describe(relation, n)};
    };
}

// As IFEval: empty pieces before the first or after the last divider are forgiven; an empty
// one between two dividers breaks the count.
Checker divided_paragraphs(ArgReader& args) {
    const size_t n = args.positive_integer("num_paragraphs");
    return [=](std::string_view response) {
        const auto pieces = split_at_dividers(response);
        size_t count = 0;
        for (size_t i = 0; i < pieces.size(); ++i) {
            if (!trim(pieces[i]).empty()) {
                ++count;
            } else if (i != 0 && i + 1 != pieces.size()) {
                return failed("paragraph " + std::to_string(i + 1) +
                              " between *** dividers is empty");
            }
        }
        return CheckResult{count == n, "found " + count_of(count, "paragraph", "paragraphs") +
                                           " separated by ***, expected exactly " +
                                           std::to_string(n)};
    };
}

Checker nth_paragraph_first_word(ArgReader& args) {
    const size_t n = args.positive_integer("num_paragraphs");
    const size_t nth = args.positive_integer("nth_paragraph");
    const std::string first_word = args.nonempty_string("first_word");
    if (nth > n) {
        throw Error("instruction " + args.type() + ": arg 'nth_paragraph' (" + std::to_string(nth) +
                    ") is past 'num_paragraphs' (" + std::to_string(n) + ")");
    }
    const auto whole_word = std::make_shared<UnicodeRegex>("\\A" + escape_regex(first_word) + "\\z",
                                                           UnicodeRegex::Case::Insensitive);
    return [=](std::string_view response) {
        const auto paragraphs = split_at_blank_lines(response);
        if (paragraphs.size() != n) {
            return failed("found " + count_of(paragraphs.size(), "paragraph", "paragraphs") +
                          " separated by blank lines, expected exactly " + std::to_string(n));
        }
        // The first word after any leading quotes, emphasis or heading marks.
        const std::string_view paragraph = paragraphs[nth - 1];
        const auto spans = word_spans(paragraph);
        const std::string_view word =
            spans.empty() ? std::string_view()
                          : paragraph.substr(spans[0].begin, spans[0].end - spans[0].begin);
        const std::string where = "paragraph " + std::to_string(nth) + " starts with \"" +
                                  std::string(word) + "\", expected \"" + first_word + "\"";
        return CheckResult{whole_word->contains(word), where};
    };
}

}  // namespace

void register_length_checkers(Registry& registry) {
    registry.add("length:words", words, {{"relation", "less than"}, {"num_words", 100}});
    registry.add("length:sentences", sentences, {{"relation", "at least"}, {"num_sentences", 3}});
    registry.add("length:paragraphs", divided_paragraphs, {{"num_paragraphs", 3}});
    registry.add("length:nth_paragraph_first_word", nth_paragraph_first_word,
                 {{"num_paragraphs", 3}, {"nth_paragraph", 2}, {"first_word", "However"}});
}

}  // namespace flash::instruct
