#include "chat/jinja/lexer.h"

#include <algorithm>
#include <cstdlib>

#include "chat/jinja/errors.h"
#include "chat/jinja/literals.h"
#include "chat/jinja/utf8.h"
#include "core/error.h"

namespace flash::jinja {

void throw_syntax_error(int line, int column, const std::string& what) {
    throw Error("chat template line " + std::to_string(line) + ", column " +
                std::to_string(column) + ": " + what);
}

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_name_start(char c) {
    return c == '_' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}
bool is_ascii_space(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}
bool is_name_char(char c) {
    return is_name_start(c) || is_digit(c);
}

// jinja2 splits on \r\n, \r and \n, joins with \n and drops one trailing newline
// (keep_trailing_newline=False).
std::string normalize(std::string_view src) {
    std::string out;
    out.reserve(src.size());
    for (size_t i = 0; i < src.size(); ++i) {
        if (src[i] == '\r') {
            out += '\n';
            if (i + 1 < src.size() && src[i + 1] == '\n') ++i;
        } else {
            out += src[i];
        }
    }
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

class Lexer {
  public:
    Lexer(std::string src, LexOptions o) : src_(std::move(src)), opt_(o) {
        line_starts_.push_back(0);
        for (size_t i = 0; i < src_.size(); ++i)
            if (src_[i] == '\n') line_starts_.push_back(i + 1);
    }

    std::vector<Token> run() {
        bool line_starting = true;  // the previous match ended with a newline
        size_t pos = 0;
        while (pos < src_.size()) {
            const size_t tag = find_tag(pos);
            if (tag == std::string::npos) {
                emit_data(pos, src_.substr(pos));
                break;
            }
            const char kind = src_[tag + 1];
            char sign = tag + 2 < src_.size() ? src_[tag + 2] : 0;
            if (sign != '-' && sign != '+') sign = 0;
            std::string text = src_.substr(pos, tag - pos);
            if (sign == '-') {
                text = rstrip_space(text);
            } else if (sign != '+' && opt_.lstrip_blocks && kind != '{') {
                lstrip(text, line_starting);
            }
            emit_data(pos, text);
            pos = tag + 2 + (sign ? 1 : 0);
            if (kind == '#') {
                pos = skip_comment(tag, pos);
            } else if (kind == '%' && raw_begin(pos)) {
                pos = lex_raw(tag, pos);
            } else {
                pos = lex_tag(tag, pos, kind == '%');
            }
            line_starting = src_[pos - 1] == '\n';
        }
        Token eof;
        eof.type = Tok::Eof;
        locate(src_.size(), eof);
        tokens_.push_back(eof);
        return std::move(tokens_);
    }

  private:
    std::string src_;
    LexOptions opt_;
    std::vector<size_t> line_starts_;
    mutable struct { size_t offset = 0, column = 1; } last_;
    std::vector<Token> tokens_;

    // Tokens arrive in source order, so columns are counted on from the previous token's
    // (a long one-line template stays linear).
    void locate(size_t offset, Token& t) const {
        const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
        const size_t start = *(it - 1);
        t.line = static_cast<int>(it - line_starts_.begin());
        size_t from = start, column = 1;
        if (last_.offset >= start && last_.offset <= offset) {
            from = last_.offset;
            column = last_.column;
        }
        column += utf8::length(std::string_view(src_).substr(from, offset - from));
        last_ = {offset, column};
        t.column = static_cast<int>(column);
    }

    [[noreturn]] void fail(size_t offset, const std::string& what) const {
        Token t;
        locate(offset, t);
        throw_syntax_error(t.line, t.column, what);
    }

    void push(Tok type, size_t offset, std::string text = {}) {
        Token t;
        t.type = type;
        t.text = std::move(text);
        locate(offset, t);
        tokens_.push_back(std::move(t));
    }

    void emit_data(size_t offset, std::string text) {
        if (!text.empty()) push(Tok::Data, offset, std::move(text));
    }

    size_t find_tag(size_t pos) const {
        for (size_t i = src_.find('{', pos); i != std::string::npos; i = src_.find('{', i + 1))
            if (i + 1 < src_.size() &&
                (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#'))
                return i;
        return std::string::npos;
    }

    // Python's str.rstrip(): Unicode whitespace.
    static std::string rstrip_space(const std::string& s) {
        const std::u32string u = utf8::decode(s);
        size_t e = u.size();
        while (e > 0 && utf8::is_space(u[e - 1])) --e;
        return utf8::encode(std::u32string_view(u).substr(0, e));
    }

    // lstrip_blocks: whitespace between the start of the line and a block or comment tag goes
    // (jinja2 tests the rest of the line with \s+, so Unicode spaces count).
    static void lstrip(std::string& text, bool line_starting) {
        const size_t nl = text.rfind('\n');
        const size_t l_pos = nl == std::string::npos ? 0 : nl + 1;
        if (l_pos == text.size() || (l_pos == 0 && !line_starting)) return;
        for (size_t i = l_pos; i < text.size();)
            if (!utf8::is_space(utf8::next(text, i))) return;
        text.resize(l_pos);
    }

    // Regex \s* after a `-` end tag.
    size_t skip_space(size_t pos) const {
        while (pos < src_.size()) {
            size_t next = pos;
            if (!utf8::is_space(utf8::next(src_, next))) break;
            pos = next;
        }
        return pos;
    }

    // After the closing delimiter: `-` eats all following whitespace, `+` nothing, plain the
    // one newline trim_blocks removes.
    size_t after_end(size_t end, char sign, bool block) const {
        if (sign == '-') return skip_space(end);
        if (sign == 0 && block && opt_.trim_blocks && end < src_.size() && src_[end] == '\n')
            return end + 1;
        return end;
    }

    size_t skip_comment(size_t tag, size_t pos) {
        const size_t k = src_.find("#}", pos);
        if (k == std::string::npos) fail(tag, "missing end of comment tag");
        const char sign = k > pos && (src_[k - 1] == '-' || src_[k - 1] == '+') ? src_[k - 1] : 0;
        return after_end(k + 2, sign, true);
    }

    // `{% raw %}` (with optional -/+ and spaces), pos just past "{%" and its sign.
    bool raw_begin(size_t pos) const {
        size_t p = pos;
        while (p < src_.size() && is_ascii_space(src_[p])) ++p;
        if (src_.compare(p, 3, "raw") != 0) return false;
        p += 3;
        while (p < src_.size() && is_ascii_space(src_[p])) ++p;
        return src_.compare(p, 2, "%}") == 0 || src_.compare(p, 3, "-%}") == 0;
    }

    size_t lex_raw(size_t tag, size_t pos) {
        size_t p = src_.find("raw", pos) + 3;
        while (is_ascii_space(src_[p])) ++p;
        p = src_[p] == '-' ? skip_space(p + 3) : p + 2;  // raw's own end tag: no trim_blocks
        // Find {%[-+]? \s* endraw \s* (+%} | -%}\s* | %}\n?).
        for (size_t q = src_.find("{%", p); q != std::string::npos; q = src_.find("{%", q + 1)) {
            size_t r = q + 2;
            const char sign = src_[r] == '-' || src_[r] == '+' ? src_[r++] : 0;
            while (r < src_.size() && is_ascii_space(src_[r])) ++r;
            if (src_.compare(r, 6, "endraw") != 0) continue;
            r += 6;
            while (r < src_.size() && is_ascii_space(src_[r])) ++r;
            char end_sign = 0;
            if (src_[r] == '-' || src_[r] == '+') end_sign = src_[r++];
            if (src_.compare(r, 2, "%}") != 0) continue;
            std::string text = src_.substr(p, q - p);
            if (sign == '-') {
                text = rstrip_space(text);
            } else if (sign != '+' && opt_.lstrip_blocks) {
                lstrip(text, src_[p - 1] == '\n');
            }
            emit_data(p, text);
            return after_end(r + 2, end_sign, true);
        }
        fail(tag, "missing end of raw directive");
    }

    size_t lex_tag(size_t tag, size_t pos, bool block) {
        push(block ? Tok::BlockBegin : Tok::VariableBegin, tag);
        std::vector<char> balance;
        const char* close = block ? "%}" : "}}";
        while (true) {
            if (pos >= src_.size())
                fail(tag, block ? "unexpected end of template: missing '%}'"
                                : "unexpected end of template: missing '}}'");
            if (balance.empty()) {
                char sign = 0;
                size_t p = pos;
                if ((src_[p] == '-' || (block && src_[p] == '+')) &&
                    src_.compare(p + 1, 2, close) == 0)
                    sign = src_[p++];
                if (src_.compare(p, 2, close) == 0) {
                    push(block ? Tok::BlockEnd : Tok::VariableEnd, pos);
                    return after_end(p + 2, sign, block);
                }
            }
            const char c = src_[pos];
            size_t after_char = pos;
            if (utf8::is_space(utf8::next(src_, after_char))) {
                pos = after_char;
            } else if (is_digit(c) && (pos == 0 || src_[pos - 1] != '.')) {
                pos = lex_number(pos);
            } else if (is_digit(c)) {
                pos = lex_integer(pos);
            } else if (is_name_start(c)) {
                size_t e = pos;
                while (e < src_.size() && is_name_char(src_[e])) ++e;
                push(Tok::Name, pos, src_.substr(pos, e - pos));
                pos = e;
            } else if (c == '\'' || c == '"') {
                pos = lex_string(pos);
            } else {
                pos = lex_operator(pos, balance);
            }
        }
    }

    size_t digits(size_t p) const {  // \d+(_\d+)*
        if (p >= src_.size() || !is_digit(src_[p])) return std::string::npos;
        while (p < src_.size() && is_digit(src_[p])) {
            ++p;
            if (p + 1 < src_.size() && src_[p] == '_' && is_digit(src_[p + 1])) ++p;
        }
        return p;
    }

    size_t lex_number(size_t pos) {
        size_t p = digits(pos);
        bool is_float = false;
        if (p < src_.size() && src_[p] == '.' && digits(p + 1) != std::string::npos) {
            p = digits(p + 1);
            is_float = true;
        }
        if (p < src_.size() && (src_[p] == 'e' || src_[p] == 'E')) {
            size_t q = p + 1;
            if (q < src_.size() && (src_[q] == '+' || src_[q] == '-')) ++q;
            if (digits(q) != std::string::npos) {
                p = digits(q);
                is_float = true;
            }
        }
        if (!is_float) return lex_integer(pos);
        std::string text = src_.substr(pos, p - pos);
        text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
        push(Tok::Float, pos, text);
        tokens_.back().float_value = std::strtod(text.c_str(), nullptr);
        return p;
    }

    size_t lex_integer(size_t pos) {
        int base = 10;
        size_t p = pos;
        if (src_[p] == '0' && p + 1 < src_.size()) {
            const char x = static_cast<char>(src_[p + 1] | 0x20);
            base = x == 'x' ? 16 : x == 'o' ? 8 : x == 'b' ? 2 : 10;
        }
        auto valid = [&](char c) {
            const int d = is_digit(c)                                ? c - '0'
                          : ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') ? (c | 0x20) - 'a' + 10
                                                                     : 99;
            return d < base;
        };
        std::string text;
        if (base != 10) {
            p += 2;
            while (p < src_.size() && (valid(src_[p]) || (src_[p] == '_' && p + 1 < src_.size() &&
                                                          valid(src_[p + 1])))) {
                if (src_[p] != '_') text += src_[p];
                ++p;
            }
            if (text.empty()) {  // "0x" alone is the integer 0 followed by a name
                base = 10;
                p = pos + 1;
                text = "0";
            }
        } else if (src_[p] == '0') {
            // 0(_?0)*: a leading zero never starts a longer decimal.
            ++p;
            while (p + 1 < src_.size() &&
                   ((src_[p] == '_' && src_[p + 1] == '0') || src_[p] == '0'))
                p += src_[p] == '_' ? 2 : 1;
            text = "0";
        } else {
            const size_t e = digits(p);
            text = src_.substr(p, e - p);
            text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
            p = e;
        }
        errno = 0;
        const unsigned long long v = std::strtoull(text.c_str(), nullptr, base);
        if (errno == ERANGE || v > static_cast<unsigned long long>(INT64_MAX))
            fail(pos, "integer literal " + src_.substr(pos, p - pos) + " is too large");
        push(Tok::Integer, pos, src_.substr(pos, p - pos));
        tokens_.back().int_value = static_cast<int64_t>(v);
        return p;
    }

    size_t lex_string(size_t pos) {
        const char q = src_[pos];
        size_t p = pos + 1;
        while (p < src_.size() && src_[p] != q) p += src_[p] == '\\' ? 2 : 1;
        if (p >= src_.size()) fail(pos, "unterminated string literal");
        try {
            push(Tok::String, pos,
                 decode_string_literal(std::string_view(src_).substr(pos + 1, p - pos - 1)));
        } catch (const LiteralError& e) {
            fail(pos + 1 + e.offset, e.what);
        }
        return p + 1;
    }

    size_t lex_operator(size_t pos, std::vector<char>& balance) {
        static const char* two[] = {"//", "**", "==", "!=", ">=", "<="};
        for (const char* op : two)
            if (src_.compare(pos, 2, op) == 0) {
                push(Tok::Operator, pos, op);
                return pos + 2;
            }
        const char c = src_[pos];
        static const std::string singles = "+-/*%~[](){}><=.:|,;";
        if (singles.find(c) == std::string::npos) {
            size_t q = pos;
            const char32_t cp = utf8::next(src_, q);
            std::string ch;
            utf8::append(ch, cp);
            fail(pos, "unexpected character '" + ch + "'");
        }
        if (c == '(' || c == '[' || c == '{') {
            balance.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
        } else if (c == ')' || c == ']' || c == '}') {
            if (balance.empty()) fail(pos, std::string("unexpected '") + c + "'");
            if (balance.back() != c)
                fail(pos, std::string("unexpected '") + c + "', expected '" + balance.back() + "'");
            balance.pop_back();
        }
        push(Tok::Operator, pos, std::string(1, c));
        return pos + 1;
    }
};

}  // namespace

std::vector<Token> tokenize(std::string_view source, LexOptions options) {
    return Lexer(normalize(source), options).run();
}

}  // namespace flash::jinja
