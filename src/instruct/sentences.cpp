#include "instruct/sentences.h"

#include <array>
#include <string>

#include "instruct/char_classes.h"

namespace flash::instruct {

namespace {

// Titles and postscript markers: a period after them never ends a sentence.
constexpr std::array<std::string_view, 12> kTitles = {"mr", "mrs", "ms", "dr",  "prof",  "sr",
                                                      "jr", "st",  "mt", "p.s", "p.p.s", "messrs"};
// Other abbreviations: they end a sentence unless lowercase text or a digit follows.
constexpr std::array<std::string_view, 15> kAbbreviations = {"etc", "e.g", "i.e", "vs",  "approx",
                                                             "no",  "fig", "inc", "ltd", "co",
                                                             "a.m", "p.m", "ca",  "cf",  "dept"};

template <size_t N>
bool listed(const std::array<std::string_view, N>& words, std::string_view word) {
    for (std::string_view w : words) {
        if (w == word) return true;
    }
    return false;
}

class SentenceCounter {
  public:
    explicit SentenceCounter(std::string_view text) : text_(text), classes_(text) {}

    size_t count() {
        size_t line_begin = 0;
        while (line_begin <= text_.size()) {
            size_t line_end = text_.find('\n', line_begin);
            if (line_end == std::string_view::npos) line_end = text_.size();
            scan_line(line_begin, line_end);
            line_begin = line_end + 1;
        }
        end_sentence();
        return count_;
    }

  private:
    void end_sentence() {
        if (has_word_) ++count_;
        has_word_ = false;
    }

    void scan_line(size_t begin, size_t end) {
        bool any_word = false;
        for (size_t i = begin; i < end; ++i) any_word = any_word || classes_.is_word(i);
        if (!any_word) {  // blank line or divider
            end_sentence();
            return;
        }
        size_t i = skip_list_marker(begin, end);
        if (i != begin) end_sentence();
        while (i < end) {
            const size_t run_end = terminator_run_end(i, end);
            if (run_end == i) {
                has_word_ = has_word_ || classes_.is_word(i);
                ++i;
                continue;
            }
            if (ends_sentence(i, run_end, end)) end_sentence();
            i = run_end;
        }
    }

    // Past "  * ", "- ", "+ ", "12. ", "3) " at the line's start; `begin` if there is none.
    size_t skip_list_marker(size_t begin, size_t end) const {
        size_t i = begin;
        while (i < end && (text_[i] == ' ' || text_[i] == '\t')) ++i;
        size_t marker_end = i;
        if (i < end && (text_[i] == '*' || text_[i] == '-' || text_[i] == '+')) {
            marker_end = i + 1;
        } else {
            size_t digits = i;
            while (digits < end && text_[digits] >= '0' && text_[digits] <= '9') ++digits;
            if (digits > i && digits < end && (text_[digits] == '.' || text_[digits] == ')')) {
                marker_end = digits + 1;
            }
        }
        if (marker_end == i || marker_end >= end ||
            (text_[marker_end] != ' ' && text_[marker_end] != '\t')) {
            return begin;
        }
        return marker_end;
    }

    // Byte length of a sentence-ending character at i (. ! ? … 。 ！ ？), or 0.
    size_t terminator_length(size_t i, size_t end) const {
        const char c = text_[i];
        if (c == '.' || c == '!' || c == '?') return 1;
        for (std::string_view t : {"…", "。", "！", "？"}) {
            if (text_.substr(i, t.size()) == t && i + t.size() <= end) return t.size();
        }
        return 0;
    }

    bool is_ideographic_terminator(size_t i) const {
        const auto lead = static_cast<unsigned char>(text_[i]);
        return lead == 0xE3 || lead == 0xEF;  // 。 or the fullwidth ！？ (… is E2)
    }

    // End of the run of terminators starting at i, then of closing marks after it.
    size_t terminator_run_end(size_t i, size_t end) const {
        size_t j = i;
        while (j < end) {
            const size_t length = terminator_length(j, end);
            if (length == 0) break;
            j += length;
        }
        if (j == i) return i;
        while (j < end) {
            const char c = text_[j];
            if (c == '"' || c == '\'' || c == ')' || c == ']' || c == '*' || c == '_') {
                ++j;
            } else if (text_.substr(j, 3) == "”" || text_.substr(j, 3) == "’") {
                j += 3;
            } else if (text_.substr(j, 2) == "»") {
                j += 2;
            } else {
                break;
            }
        }
        return j;
    }

    bool ends_sentence(size_t run_begin, size_t run_end, size_t line_end) const {
        for (size_t i = run_begin; i < run_end; ++i) {
            if (terminator_length(i, line_end) > 1 && is_ideographic_terminator(i)) return true;
        }
        if (run_end < line_end && !classes_.is_space(run_end)) return false;
        if (text_[run_begin] != '.' || terminator_length(run_begin + 1, line_end) != 0) {
            return true;  // ! ? … or "..." always end a sentence here
        }
        const std::string word = word_before(run_begin);
        if (word == "x" || listed(kTitles, word)) return false;
        if (listed(kAbbreviations, word)) {
            size_t next = run_end;
            while (next < text_.size() && classes_.is_space(next)) ++next;
            const bool continues =
                next < text_.size() &&
                (classes_.is_lower(next) || (text_[next] >= '0' && text_[next] <= '9'));
            return !continues;
        }
        return true;
    }

    // The word just before the period at `dot` (the text since the last space, without
    // leading quotes or brackets), ASCII-lowercased; a single letter of any script comes back
    // as "x".
    std::string word_before(size_t dot) const {
        size_t begin = dot;
        while (begin > 0 && !classes_.is_space(begin - 1)) --begin;
        while (begin < dot && !classes_.is_word(begin)) ++begin;
        std::string word(text_.substr(begin, dot - begin));
        size_t code_points = 0;
        for (char& c : word) {
            if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++code_points;
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        if (word.empty()) return word;
        const bool digit = word[0] >= '0' && word[0] <= '9';
        if (code_points == 1 && !digit) return "x";  // a single letter: initials
        return word;
    }

    std::string_view text_;
    CharClasses classes_;
    size_t count_ = 0;
    bool has_word_ = false;
};

}  // namespace

size_t count_sentences(std::string_view text) {
    return SentenceCounter(text).count();
}

}  // namespace flash::instruct
