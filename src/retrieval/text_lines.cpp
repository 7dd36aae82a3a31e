#include "retrieval/text_lines.h"

#include <cctype>
#include <string>

namespace flash::retrieval {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}
bool is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}
bool is_lower(char c) {
    return c >= 'a' && c <= 'z';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Length of a list marker (with the space after it) at the start of `s`, or 0.
size_t marker_length(std::string_view s, bool& numbered) {
    numbered = false;
    static constexpr std::string_view k_bullets[] = {"-",      "*",      "+",      "\u2022",
                                                     "\u25E6", "\u25AA", "\u2023", "\u2013"};
    for (std::string_view b : k_bullets) {
        if (s.size() > b.size() && s.starts_with(b) &&
            (s[b.size()] == ' ' || s[b.size()] == '\t')) {
            size_t n = b.size() + 1;
            // Markdown task lists: "- [ ] item", "- [x] item".
            const std::string_view rest = s.substr(n);
            if (rest.size() > 3 && rest[0] == '[' && rest[2] == ']' && rest[3] == ' ' &&
                (rest[1] == ' ' || rest[1] == 'x' || rest[1] == 'X'))
                n += 4;
            return n;
        }
    }
    size_t i = 0;
    const bool paren = !s.empty() && s[0] == '(';
    if (paren) ++i;
    const size_t first = i;
    while (i < s.size() && i - first < 3 && is_digit(s[i])) ++i;
    if (i == first && i < s.size() && is_lower(s[i]) &&
        (paren || (i + 1 < s.size() && s[i + 1] == ')')))
        ++i;  // "(a) " and "a) ", not "a. " (too often a word)
    if (i == first || i >= s.size()) return 0;
    const bool digits = is_digit(s[first]);
    if (paren ? s[i] != ')' : !(s[i] == ')' || (digits && s[i] == '.'))) return 0;
    ++i;
    if (i >= s.size() || (s[i] != ' ' && s[i] != '\t')) return 0;
    numbered = true;
    return i + 1;
}

bool looks_tabular(std::string_view body) {
    size_t pipes = 0, gaps = 0;
    for (size_t i = 0; i < body.size(); ++i) {
        if (body[i] == '|') ++pipes;
        if (body[i] == '\t') ++gaps;
        if (body[i] == ' ' && i + 1 < body.size() && body[i + 1] == ' ' &&
            (i == 0 || body[i - 1] != ' '))
            ++gaps;  // a run of two or more spaces inside the line: aligned columns
    }
    return pipes >= 2 || gaps >= 2;
}

size_t count_words(std::string_view s) {
    size_t words = 0;
    bool in_word = false;
    for (char c : s) {
        const bool space = is_space(c) || c == '\n';
        if (!space && !in_word) ++words;
        in_word = !space;
    }
    return words;
}

bool all_capitals(std::string_view s) {
    bool any = false;
    for (char c : s) {
        if (is_lower(c)) return false;
        any = any || is_upper(c);
    }
    return any;
}

// First byte of the body, for "starts with a capital / digit / lowercase" tests.
char first_char(const TextLine& l, std::string_view text) {
    return l.body_start < l.body_end ? text[l.body_start] : '\0';
}

bool is_heading(const std::vector<TextLine>& lines, size_t i, std::string_view text,
                bool block_breaks) {
    const TextLine& l = lines[i];
    const std::string_view body = text.substr(l.body_start, l.body_end - l.body_start);
    if (body.empty() || body.size() > 120 || l.tabular) return false;
    const size_t words = count_words(body);
    if (words > 12) return false;
    const bool after_blank = i == 0 || lines[i - 1].blank;
    if (!after_blank && !lines[i - 1].heading) return false;
    const bool next_blank = i + 1 == lines.size() || lines[i + 1].blank;
    const bool next_list = !next_blank && lines[i + 1].list_item;
    const char last = body.back();
    if (last == '.' || last == ',' || last == ';' || last == ':' || last == '!') return false;
    if (last == '?') return next_blank && !l.list_item;
    for (std::string_view cjk : {"\u3002", "\uFF01", "\uFF1F"})  // 。！？ anywhere: sentences
        if (body.find(cjk) != std::string_view::npos) return false;
    if (line_continues(body)) return false;
    if (l.list_item) return l.numbered && !next_list && words <= 8;
    if (next_blank || next_list) return true;
    const char next = first_char(lines[i + 1], text);
    const bool next_starts_sentence = is_upper(next) || is_digit(next);
    const bool key_value = body.find(": ") != std::string_view::npos;
    // Text right under it (no blank line): only a line that opens a block can be its heading,
    // or the first item of a list under a heading would count as one.
    return !block_breaks && after_blank && next_starts_sentence && !key_value &&
           (words <= 6 || all_capitals(body));
}

}  // namespace

bool line_continues(std::string_view body) {
    if (body.empty()) return false;
    const char last = body.back();
    if (last == ',' || last == '-' || last == '(' || last == '[' || last == '/' || last == '&' ||
        last == '+' || last == '=')
        return true;
    if (body.ends_with("\u2013") || body.ends_with("\u2014")) return true;  // – —
    size_t start = body.size();
    while (start > 0 && std::isalpha(static_cast<unsigned char>(body[start - 1]))) --start;
    if (start > 0 && !is_space(body[start - 1])) return false;
    std::string word(body.substr(start));
    for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    static constexpr std::string_view k_words[] = {
        "a",     "an",    "the", "and",   "or",     "nor",  "but",   "of",      "to",       "in",
        "on",    "at",    "for", "with",  "by",     "from", "as",    "that",    "which",    "who",
        "than",  "is",    "are", "was",   "were",   "be",   "been",  "has",     "have",     "had",
        "will",  "would", "can", "could", "should", "may",  "must",  "into",    "onto",     "over",
        "under", "about", "per", "via",   "if",     "when", "while", "because", "including"};
    for (std::string_view w : k_words)
        if (w == word) return true;
    return false;
}

std::vector<TextLine> classify_lines(std::string_view text, bool block_breaks) {
    std::vector<TextLine> lines;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        TextLine l;
        l.start = pos;
        l.end = nl;
        size_t b = pos;
        // Indentation, and e-mail style quoting ("> "), are not part of the text.
        while (b < nl && (is_space(text[b]) || text[b] == '>')) ++b;
        size_t e = nl;
        while (e > b && is_space(text[e - 1])) --e;
        l.blank = b == e;
        if (!l.blank) {
            const size_t m = marker_length(text.substr(b, e - b), l.numbered);
            l.list_item = m > 0;
            b += m;
            while (b < e && is_space(text[b])) ++b;
            if (b == e) {  // a marker alone on its line ("-") is just text
                b -= m;
                l.list_item = l.numbered = false;
            }
        }
        l.body_start = b;
        l.body_end = e;
        l.tabular = !l.blank && looks_tabular(text.substr(b, e - b));
        lines.push_back(l);
        if (nl == text.size()) break;
        pos = nl + 1;
    }
    for (size_t i = 0; i < lines.size(); ++i)
        if (!lines[i].blank) lines[i].heading = is_heading(lines, i, text, block_breaks);
    return lines;
}

}  // namespace flash::retrieval
