#include "retrieval/passages.h"

namespace flash::retrieval {

size_t word_count(std::string_view s) {
    size_t words = 0;
    bool in_word = false;
    for (char c : s) {
        const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
        if (!space && !in_word) ++words;
        in_word = !space;
    }
    return words;
}

std::vector<Passage> group_passages(std::string_view text, const std::vector<Sentence>& sentences,
                                    const PassageOptions& options) {
    std::vector<Passage> passages;
    Passage current;
    size_t words = 0;
    bool only_headings = true;
    auto close = [&] {
        if (current.sentences.empty()) return;
        current.start = current.sentences.front().start;
        current.end = current.sentences.back().end;
        passages.push_back(std::move(current));
        current = Passage{};
        words = 0;
        only_headings = true;
    };
    for (const Sentence& s : sentences) {
        const size_t n = word_count(text.substr(s.start, s.end - s.start));
        const bool heading_break = s.heading && !only_headings;
        const bool full = !only_headings && words + n > options.max_words;
        if (heading_break || full) close();
        current.sentences.push_back(s);
        words += n;
        only_headings = only_headings && s.heading;
    }
    close();
    return passages;
}

}  // namespace flash::retrieval
