#include "retrieval/markdown_text.h"

#include <cctype>
#include <vector>

namespace flash::retrieval {
namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}
bool is_alnum(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
bool is_space_at(std::string_view s, size_t i) {
    return i >= s.size() || std::isspace(static_cast<unsigned char>(s[i]));
}

size_t run_length(std::string_view s, size_t i) {
    size_t j = i;
    while (j < s.size() && s[j] == s[i]) ++j;
    return j - i;
}

// End of the code span opening at s[i] (one past its closing backticks), or npos.
size_t code_span_end(std::string_view s, size_t i) {
    const size_t r = run_length(s, i);
    for (size_t j = i + r; j < s.size();) {
        if (s[j] != '`') {
            ++j;
            continue;
        }
        const size_t rj = run_length(s, j);
        if (rj == r) return j + rj;
        j += rj;
    }
    return std::string_view::npos;
}

// Index of the bracket that closes the one at s[i] (`[`→`]`, `(`→`)`), skipping code spans
// and escapes; npos when unclosed.
size_t matching(std::string_view s, size_t i) {
    const char open = s[i], close = open == '[' ? ']' : ')';
    int depth = 0;
    for (size_t j = i; j < s.size(); ++j) {
        if (s[j] == '\\') {
            ++j;
        } else if (s[j] == '`') {
            const size_t e = code_span_end(s, j);
            if (e != std::string_view::npos) j = e - 1;
        } else if (s[j] == open) {
            ++depth;
        } else if (s[j] == close && --depth == 0) {
            return j;
        }
    }
    return std::string_view::npos;
}

std::string inline_text(std::string_view s);

// `[text](url)`, `[text][ref]`, `[text][]` at s[i] == '['; returns the end or npos.
size_t link_end(std::string_view s, size_t i, std::string_view& text) {
    const size_t close = matching(s, i);
    if (close == std::string_view::npos || close + 1 >= s.size()) return std::string_view::npos;
    size_t end = std::string_view::npos;
    if (s[close + 1] == '(') {
        const size_t paren = matching(s, close + 1);
        if (paren != std::string_view::npos) end = paren + 1;
    } else if (s[close + 1] == '[') {
        const size_t ref = s.find(']', close + 2);
        if (ref != std::string_view::npos) end = ref + 1;
    }
    if (end != std::string_view::npos) text = s.substr(i + 1, close - i - 1);
    return end;
}

// `<https://...>`, `<mailto:...>`, `<user@host>` at s[i] == '<'; returns the end or npos.
size_t autolink_end(std::string_view s, size_t i, std::string_view& inner) {
    const size_t gt = s.find('>', i + 1);
    if (gt == std::string_view::npos) return gt;
    const std::string_view body = s.substr(i + 1, gt - i - 1);
    if (body.empty() || body.find_first_of(" \t<") != std::string_view::npos)
        return std::string_view::npos;
    const bool url = body.starts_with("http://") || body.starts_with("https://") ||
                     body.starts_with("ftp://") || body.starts_with("mailto:");
    const size_t at = body.find('@');
    const bool email = at != std::string_view::npos && at > 0 && body.find('.', at) != body.npos;
    if (!url && !email) return std::string_view::npos;
    inner = body;
    return gt + 1;
}

// Emphasis delimiters at s[i] ('*', '_' runs of 1-3, '~~'): the index of the matching closer
// on this line, or npos when the run is literal text.
size_t emphasis_close(std::string_view s, size_t i, size_t r) {
    const char c = s[i];
    if (r > 3 || (c == '~' && r != 2)) return std::string_view::npos;
    // An opener is followed by a non-space; '_' may not open inside a word (snake_case).
    if (is_space_at(s, i + r)) return std::string_view::npos;
    if (c == '_' && i > 0 && is_alnum(s[i - 1])) return std::string_view::npos;
    for (size_t j = i + r + 1; j < s.size();) {
        if (s[j] == '`') {
            const size_t e = code_span_end(s, j);
            j = e == std::string_view::npos ? j + 1 : e;
            continue;
        }
        if (s[j] != c) {
            j += s[j] == '\\' ? 2 : 1;
            continue;
        }
        const size_t rj = run_length(s, j);
        const bool closes = rj == r && !is_space_at(s, j - 1) &&
                            !(c == '_' && j + rj < s.size() && is_alnum(s[j + rj]));
        if (closes) return j;
        j += rj;
    }
    return std::string_view::npos;
}

std::string inline_text(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        const char c = s[i];
        if (c == '\\' && i + 1 < s.size() && std::ispunct(static_cast<unsigned char>(s[i + 1]))) {
            out += s[i + 1];
            i += 2;
            continue;
        }
        if (c == '`') {
            const size_t e = code_span_end(s, i);
            const size_t n = e == std::string_view::npos ? run_length(s, i) : e - i;
            out += s.substr(i, n);
            i += n;
            continue;
        }
        std::string_view inner;
        if (c == '[' || (c == '!' && i + 1 < s.size() && s[i + 1] == '[')) {
            const size_t at = c == '!' ? i + 1 : i;
            if (const size_t e = link_end(s, at, inner); e != std::string_view::npos) {
                out += inline_text(inner);
                i = e;
                continue;
            }
        }
        if (c == '<') {
            if (const size_t e = autolink_end(s, i, inner); e != std::string_view::npos) {
                out += inner;
                i = e;
                continue;
            }
        }
        if (c == '*' || c == '_' || c == '~') {
            const size_t r = run_length(s, i);
            if (const size_t j = emphasis_close(s, i, r); j != std::string_view::npos) {
                out += inline_text(s.substr(i + r, j - i - r));
                i = j + r;
                continue;
            }
            out += s.substr(i, r);
            i += r;
            continue;
        }
        out += c;
        ++i;
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && (is_blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// "---", "***", "___", "- - -" (thematic breaks) and "===" / "---" setext underlines.
bool is_rule_line(std::string_view t) {
    if (t.empty()) return false;
    const char c = t[0];
    if (c != '-' && c != '*' && c != '_' && c != '=') return false;
    size_t marks = 0;
    for (char x : t) {
        if (x == c) {
            ++marks;
        } else if (!is_blank(x) || c == '=') {
            return false;
        }
    }
    return c == '=' || marks >= 3;
}

// "| a | b |" rows made only of dashes, colons and pipes: a table's delimiter row.
bool is_table_delimiter(std::string_view t) {
    if (t.find('|') == std::string_view::npos || t.find('-') == std::string_view::npos)
        return false;
    for (char x : t)
        if (x != '|' && x != '-' && x != ':' && !is_blank(x)) return false;
    return true;
}

bool is_reference_definition(std::string_view t) {
    if (t.empty() || t[0] != '[') return false;
    const size_t close = t.find("]:");
    return close != std::string_view::npos && close > 1;
}

// The fence ("```" or "~~~", three or more) opening this line, or empty.
std::string_view fence_of(std::string_view t) {
    if (t.size() < 3 || (t[0] != '`' && t[0] != '~')) return {};
    const size_t r = run_length(t, 0);
    return r >= 3 ? t.substr(0, r) : std::string_view{};
}

std::string convert_line(std::string_view line) {
    const std::string_view t = trim(line);
    if (is_rule_line(t) || is_table_delimiter(t) || is_reference_definition(t)) return {};
    size_t indent = 0;
    while (indent < line.size() && is_blank(line[indent])) ++indent;
    std::string_view rest = line.substr(indent);
    while (!rest.empty() && (rest.back() == '\r')) rest.remove_suffix(1);
    // Block quotes: "> text", "> > text".
    while (!rest.empty() && rest[0] == '>') {
        rest.remove_prefix(1);
        while (!rest.empty() && is_blank(rest[0])) rest.remove_prefix(1);
    }
    // ATX headings: "## Title ##" → "Title".
    size_t hashes = run_length(rest, 0);
    if (!rest.empty() && rest[0] == '#' && hashes <= 6 &&
        (hashes == rest.size() || is_blank(rest[hashes]))) {
        rest = trim(rest.substr(hashes));
        size_t end = rest.size();
        while (end > 0 && rest[end - 1] == '#') --end;
        if (end < rest.size() && (end == 0 || is_blank(rest[end - 1])))
            rest = trim(rest.substr(0, end));
        return inline_text(rest);
    }
    // Indentation (nested list items) stays unless a quote mark was removed before the text.
    const bool quoted = rest.data() != line.data() + indent;
    return std::string(line.substr(0, quoted ? 0 : indent)) + inline_text(rest);
}

}  // namespace

std::string markdown_to_text(std::string_view md) {
    std::string out;
    std::string_view fence;  // the open code fence, if any
    bool in_comment = false;
    size_t pos = 0;
    while (pos <= md.size()) {
        size_t nl = md.find('\n', pos);
        if (nl == std::string_view::npos) nl = md.size();
        std::string_view line = md.substr(pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        std::string converted;
        const std::string_view t = trim(line);
        if (!fence.empty()) {
            if (t.starts_with(fence) && trim(t.substr(run_length(t, 0))).empty()) {
                fence = {};
            } else {
                converted = std::string(line);
            }
        } else if (in_comment || t.starts_with("<!--")) {
            in_comment = t.find("-->") == std::string_view::npos;
        } else if (const std::string_view f = fence_of(t); !f.empty()) {
            fence = f;
        } else {
            converted = convert_line(line);
        }
        out += converted;
        if (nl < md.size()) out += '\n';
        pos = nl + 1;
    }
    return out;
}

}  // namespace flash::retrieval
