#include "retrieval/sentences.h"

#include <string>

#include "retrieval/abbreviations.h"
#include "retrieval/text_lines.h"

namespace flash::retrieval {
namespace {

// A sentence longer than this is runaway text (no punctuation at all); it is cut at a space so
// that passages stay a sensible size.
constexpr size_t k_max_sentence_bytes = 4000;

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}
bool is_lower(char c) {
    return c >= 'a' && c <= 'z';
}
bool is_letter(char c) {
    return is_upper(c) || is_lower(c);
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Full-width sentence ends: 。 ！ ？
size_t cjk_terminator(std::string_view s, size_t i) {
    for (std::string_view t : {"\u3002", "\uFF01", "\uFF1F"})
        if (s.substr(i).starts_with(t)) return t.size();
    return 0;
}

// Closing quotes and brackets that belong to the sentence they follow.
size_t closer(std::string_view s, size_t i) {
    const char c = s[i];
    if (c == '"' || c == '\'' || c == ')' || c == ']' || c == '}') return 1;
    for (std::string_view t : {"\u201D", "\u2019", "\u00BB", "\u300D", "\u300F", "\uFF09"})
        if (s.substr(i).starts_with(t)) return t.size();
    return 0;
}

bool opening_punct(char c) {
    return c == '"' || c == '\'' || c == '(' || c == '[' || c == '{';
}

class Splitter {
  public:
    Splitter(std::string_view text, std::vector<Sentence>& out) : s_(text), out_(out) {}

    // Splits [begin, end) — one block of running text — into sentences.
    void block(size_t begin, size_t end) {
        end_ = end;
        size_t start = begin;
        size_t i = begin;
        while (i < end) {
            if (const size_t n = cjk_terminator(s_, i)) {
                size_t k = i + n;
                while (k < end && closer(s_, k)) k += closer(s_, k);
                emit(start, k);
                start = i = k;
                continue;
            }
            const char c = s_[i];
            const bool ellipsis = s_.substr(i).starts_with("\u2026");
            if (c != '.' && c != '?' && c != '!' && !ellipsis) {
                ++i;
                continue;
            }
            // The run of terminators ("?!", "...", "…"), then closing quotes/brackets.
            size_t j = i;
            bool question = false, dots = false;
            int periods = 0;
            while (j < end) {
                if (s_[j] == '.') {
                    ++periods;
                    ++j;
                } else if (s_[j] == '?' || s_[j] == '!') {
                    question = true;
                    ++j;
                } else if (s_.substr(j).starts_with("\u2026")) {
                    dots = true;
                    j += 3;
                } else {
                    break;
                }
            }
            dots = dots || periods >= 2;
            size_t k = j;
            while (k < end && closer(s_, k)) k += closer(s_, k);
            if (ends_sentence(start, i, k, question, dots)) {
                emit(start, k);
                start = k;
            }
            i = k > i ? k : i + 1;
        }
        emit(start, end);
    }

    void heading(size_t begin, size_t end) { push(begin, end, true); }

  private:
    // Whether the terminator run at [i, ...) with closers up to k ends the sentence that
    // started at `start`.
    bool ends_sentence(size_t start, size_t i, size_t k, bool question, bool dots) const {
        if (k < end_ && !is_space(s_[k])) return false;  // 3.14, e.g., example.com, "Stop."he
        size_t m = k;
        while (m < end_ && is_space(s_[m])) ++m;
        if (m >= end_) return true;
        const char next = s_[m];
        if (is_lower(next)) return false;
        if (next == ',' || next == ';' || next == ':') return false;
        if (question || dots) return true;
        // A single period: what word does it follow?
        size_t w = i;
        while (w > start && (is_letter(s_[w - 1]) || s_[w - 1] == '.')) --w;
        while (w < i && s_[w] == '.') ++w;
        const std::string_view word = s_.substr(w, i - w);
        const std::string_view next_word = word_at(m);
        switch (abbreviation_kind(word)) {
            case AbbreviationKind::title:
                return false;
            case AbbreviationKind::number:
                return !looks_like_code(next_word);
            case AbbreviationKind::terminal:
                if (is_time_zone(next_word)) return false;
                return starts_with_capital(m);
            case AbbreviationKind::none:
                break;
        }
        if (word.size() == 1 && is_upper(word[0]) && is_initial(start, w))
            return !starts_with_capital(m);
        return true;
    }

    // A single capital letter is an initial ("Jordan M. Reyes", "J. R. R. Tolkien") when it
    // opens the sentence or follows a capitalised word.
    bool is_initial(size_t start, size_t w) const {
        if (w > start && !is_space(s_[w - 1]) && !opening_punct(s_[w - 1])) return false;
        size_t p = w;
        while (p > start && (is_space(s_[p - 1]) || opening_punct(s_[p - 1]))) --p;
        if (p == start) return true;
        size_t q = p;
        while (q > start && !is_space(s_[q - 1])) --q;
        return is_upper(s_[q]);
    }

    bool starts_with_capital(size_t m) const {
        while (m < end_ && opening_punct(s_[m])) ++m;
        return m < end_ && is_upper(s_[m]);
    }

    std::string_view word_at(size_t m) const {
        size_t e = m;
        while (e < end_ && !is_space(s_[e]) && s_[e] != ',' && s_[e] != ';' && s_[e] != ')') ++e;
        std::string_view w = s_.substr(m, e - m);
        while (!w.empty() && (w.back() == '.' || w.back() == ':')) w.remove_suffix(1);
        return w;
    }

    // "5", "AB-B7-220", "PAK-2": what follows "No." when it means "number".
    static bool looks_like_code(std::string_view w) {
        for (char c : w)
            if (is_digit(c)) return true;
        return false;
    }

    void emit(size_t begin, size_t end) {
        while (begin < end && is_space(s_[begin])) ++begin;
        while (end > begin && is_space(s_[end - 1])) --end;
        while (end - begin > k_max_sentence_bytes) {
            size_t cut = begin + k_max_sentence_bytes;
            while (cut > begin && !is_space(s_[cut])) --cut;
            if (cut == begin) {
                cut = begin + k_max_sentence_bytes;  // no space at all: cut on a character
                while (cut > begin && (static_cast<unsigned char>(s_[cut]) & 0xC0) == 0x80) --cut;
            }
            push(begin, cut, false);
            begin = cut;
            while (begin < end && is_space(s_[begin])) ++begin;
        }
        push(begin, end, false);
    }

    void push(size_t begin, size_t end, bool heading) {
        if (end > begin) out_.push_back({begin, end, heading});
    }

    std::string_view s_;
    std::vector<Sentence>& out_;
    size_t end_ = 0;
};

// Whether the newline between lines a and b (both with text) ends a sentence.
bool breaks_between(const TextLine& a, const TextLine& b, std::string_view text,
                    const SplitOptions& options) {
    if (options.hard_line_breaks || b.list_item || a.heading || a.tabular || b.tabular) return true;
    const std::string_view body = text.substr(a.body_start, a.body_end - a.body_start);
    if (is_lower(text[b.body_start]) || line_continues(body)) return false;
    // "Dr." at the end of a line still belongs to the name on the next.
    size_t w = body.size();
    if (w > 0 && body[w - 1] == '.') {
        --w;
        size_t s = w;
        while (s > 0 && (is_letter(body[s - 1]) || body[s - 1] == '.')) --s;
        if (abbreviation_kind(body.substr(s, w - s)) == AbbreviationKind::title) return false;
    }
    return true;
}

}  // namespace

std::vector<Sentence> split_sentences(std::string_view text, const SplitOptions& options) {
    std::vector<Sentence> out;
    const std::vector<TextLine> lines = classify_lines(text, options.hard_line_breaks);
    Splitter splitter(text, out);
    size_t i = 0;
    while (i < lines.size()) {
        if (lines[i].blank) {
            ++i;
            continue;
        }
        if (lines[i].heading) {
            splitter.heading(lines[i].body_start, lines[i].body_end);
            ++i;
            continue;
        }
        size_t j = i;
        while (j + 1 < lines.size() && !lines[j + 1].blank &&
               !breaks_between(lines[j], lines[j + 1], text, options))
            ++j;
        splitter.block(lines[i].body_start, lines[j].body_end);
        i = j + 1;
    }
    return out;
}

}  // namespace flash::retrieval
