// GBNF parser: text → Expr trees per rule → builder rules (see gbnf.h for the dialect).
#include "grammar/gbnf.h"

#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/hex.h"
#include "core/utf8.h"
#include "grammar/expr.h"

namespace flash::grammar {

namespace {

using detail::CharSet;
using detail::Expr;

using detail::kMaxNesting;
using detail::kMaxRepeat;

bool is_word_char(char32_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}
bool is_digit(char32_t c) {
    return c >= '0' && c <= '9';
}

struct RuleInfo {
    std::string name;
    bool defined = false;
    size_t def_pos = 0;
    size_t first_use = 0;
    bool used = false;
    Expr body;
};

class GbnfParser {
  public:
    explicit GbnfParser(std::string_view text) {
        size_t bad_at = 0;
        auto decoded = decode_utf8_strict(text, &bad_at);
        if (!decoded) throw Error("gbnf: not valid UTF-8 at byte " + std::to_string(bad_at));
        p_ = std::move(*decoded);
    }

    Grammar parse() {
        skip_space(true);
        while (!at_end()) parse_rule();
        for (const RuleInfo& r : rules_) {
            if (!r.defined && !(r.name == "root" && !r.used)) {
                fail("undefined rule '" + r.name + "'", r.first_use);
            }
        }
        const auto root = index_.find("root");
        if (root == index_.end() || !rules_[root->second].defined) {
            throw Error("gbnf: no 'root' rule");
        }

        GrammarBuilder b;
        detail::ExprLowering lowering(b);
        for (RuleInfo& r : rules_) {
            lowering.add_named(r.name, b.declare(b.unique_name(r.name)), std::move(r.body));
        }
        if (const int64_t bad = lowering.first_unproductive(); bad >= 0) {
            const RuleInfo& r = rules_[static_cast<size_t>(bad)];
            fail("rule '" + r.name + "' never matches a finite string", r.def_pos);
        }
        try {
            lowering.define_named();
            return b.build(static_cast<uint32_t>(root->second));
        } catch (const Error& e) {
            throw Error(std::string("gbnf: ") + e.what());
        }
    }

  private:
    [[noreturn]] void fail(const std::string& what, size_t pos) const {
        size_t line = 1, col = 1;
        for (size_t k = 0; k < pos && k < p_.size(); ++k) {
            if (p_[k] == '\n') {
                ++line, col = 1;
            } else {
                ++col;
            }
        }
        throw Error("gbnf:" + std::to_string(line) + ":" + std::to_string(col) + ": " + what);
    }
    bool at_end() const { return i_ >= p_.size(); }
    char32_t peek(size_t ahead = 0) const {
        return i_ + ahead < p_.size() ? p_[i_ + ahead] : U'\0';
    }

    void skip_space(bool newline_ok) {
        while (!at_end()) {
            const char32_t c = peek();
            if (c == ' ' || c == '\t') {
                ++i_;
            } else if (c == '#') {
                while (!at_end() && peek() != '\n' && peek() != '\r') ++i_;
            } else if ((c == '\n' || c == '\r') && newline_ok) {
                ++i_;
            } else {
                break;
            }
        }
    }

    uint32_t rule_index(const std::string& name) {
        auto [it, inserted] = index_.emplace(name, rules_.size());
        if (inserted) rules_.push_back(RuleInfo{name});
        return static_cast<uint32_t>(it->second);
    }

    std::string parse_name() {
        std::string name;
        while (!at_end() && is_word_char(peek())) name += static_cast<char>(peek()), ++i_;
        return name;
    }

    void parse_rule() {
        const size_t start = i_;
        if (!is_word_char(peek())) fail("expected a rule name", i_);
        const std::string name = parse_name();
        skip_space(false);
        if (!(peek() == ':' && peek(1) == ':' && peek(2) == '=')) fail("expected '::='", i_);
        i_ += 3;
        skip_space(true);
        Expr body = parse_alternates(false, 0);
        if (!at_end()) {
            if (peek() == ')') fail("unbalanced ')'", i_);
            if (peek() != '\n' && peek() != '\r') fail("expected the end of the line", i_);
        }
        skip_space(true);
        RuleInfo& r = rules_[rule_index(name)];
        if (r.defined) {
            size_t line = 1;
            for (size_t k = 0; k < r.def_pos; ++k) line += p_[k] == '\n';
            fail("rule '" + name + "' is already defined on line " + std::to_string(line), start);
        }
        r.defined = true;
        r.def_pos = start;
        r.body = std::move(body);
    }

    Expr parse_alternates(bool nested, int depth) {
        if (depth > kMaxNesting) fail("groups nested too deeply", i_);
        std::vector<Expr> options{parse_sequence(nested, depth)};
        for (;;) {
            if (peek() == '|' && !at_end()) {
                ++i_;
                skip_space(true);
                options.push_back(parse_sequence(nested, depth));
                continue;
            }
            if (!nested) {
                // A line starting with '|' continues the rule (a rule line starts with a name).
                const size_t save = i_;
                skip_space(true);
                if (!at_end() && peek() == '|') continue;
                i_ = save;
            }
            break;
        }
        return Expr::alt(std::move(options));
    }

    Expr parse_sequence(bool nested, int depth) {
        std::vector<Expr> items;
        while (!at_end()) {
            const char32_t c = peek();
            if (c == '|' || c == ')' || c == '\n' || c == '\r') break;
            Expr item = parse_atom(depth);
            skip_space(nested);
            while (!at_end() &&
                   (peek() == '*' || peek() == '+' || peek() == '?' || peek() == '{')) {
                item = parse_postfix(std::move(item));
                skip_space(nested);
            }
            items.push_back(std::move(item));
        }
        return Expr::seq(std::move(items));
    }

    Expr parse_postfix(Expr item) {
        const char32_t c = peek();
        if (c == '*') return ++i_, Expr::repeat(std::move(item), 0, -1);
        if (c == '+') return ++i_, Expr::repeat(std::move(item), 1, -1);
        if (c == '?') return ++i_, Expr::repeat(std::move(item), 0, 1);
        const size_t start = i_;
        ++i_;  // '{'
        skip_space(true);
        int64_t min = 0, max = -1;
        if (peek() != ',') min = parse_int();
        skip_space(true);
        if (peek() == '}') {
            max = min;
        } else if (peek() == ',') {
            ++i_;
            skip_space(true);
            if (is_digit(peek())) max = parse_int();
            skip_space(true);
            if (peek() != '}') fail("expected '}'", i_);
        } else {
            fail("expected ',' or '}'", i_);
        }
        ++i_;
        if (max >= 0 && max < min) fail("repetition {min,max} has min > max", start);
        return Expr::repeat(std::move(item), min, max);
    }

    int64_t parse_int() {
        if (!is_digit(peek())) fail("expected an integer", i_);
        const size_t start = i_;
        int64_t v = 0;
        while (!at_end() && is_digit(peek())) {
            v = v * 10 + static_cast<int64_t>(peek() - '0');
            if (v > kMaxRepeat) {
                fail("repetition bound is too large (limit " + std::to_string(kMaxRepeat) + ")",
                     start);
            }
            ++i_;
        }
        return v;
    }

    Expr parse_atom(int depth) {
        const size_t start = i_;
        const char32_t c = peek();
        if (c == '"') {
            ++i_;
            std::u32string text;
            for (;;) {
                if (at_end()) fail("unterminated string literal", start);
                if (peek() == '"') break;
                text.push_back(static_cast<char32_t>(parse_char()));
            }
            ++i_;
            return Expr::text(text);
        }
        if (c == '[') return parse_class();
        if (c == '(') {
            ++i_;
            skip_space(true);
            Expr inner = parse_alternates(true, depth + 1);
            if (at_end()) fail("missing ')' for the group opened here", start);
            if (peek() != ')') fail("expected ')'", i_);
            ++i_;
            return inner;
        }
        if (c == '.') {
            ++i_;
            return Expr::chars_of(CharSet::all());
        }
        if (is_word_char(c)) {
            const std::string name = parse_name();
            const uint32_t r = rule_index(name);
            if (!rules_[r].used) rules_[r].used = true, rules_[r].first_use = start;
            return Expr::rule(r);
        }
        if (c == '<' || c == '!') fail("token references are not supported", start);
        if (c == '*' || c == '+' || c == '?' || c == '{') {
            fail(std::string("'") + static_cast<char>(c) + "' has nothing to repeat", start);
        }
        fail("unexpected character", start);
    }

    // One character of a literal or class, with llama.cpp's escapes.
    uint32_t parse_char() {
        const size_t start = i_;
        if (peek() != '\\') return static_cast<uint32_t>(p_[i_++]);
        ++i_;
        if (at_end()) fail("unterminated escape", start);
        const char32_t e = p_[i_++];
        auto hex = [&](int digits) {
            uint32_t v = 0;
            for (int k = 0; k < digits; ++k) {
                const int h = hex_value(peek());
                if (h < 0) fail("expected " + std::to_string(digits) + " hex digits", start);
                v = v * 16 + static_cast<uint32_t>(h);
                ++i_;
            }
            if (v > detail::kMaxCodePoint || (v >= 0xD800 && v <= 0xDFFF)) {
                fail("escape is not a Unicode scalar value", start);
            }
            return v;
        };
        switch (e) {
            case 'x':
                return hex(2);
            case 'u':
                return hex(4);
            case 'U':
                return hex(8);
            case 't':
                return '\t';
            case 'r':
                return '\r';
            case 'n':
                return '\n';
            case '\\':
            case '"':
            case '[':
            case ']':
            case '-':
            case '^':
                return static_cast<uint32_t>(e);
            default:
                fail("unknown escape", start);
        }
    }

    Expr parse_class() {
        const size_t start = i_;
        ++i_;  // '['
        bool negated = false;
        if (peek() == '^') negated = true, ++i_;
        CharSet set;
        for (;;) {
            if (at_end()) fail("unterminated character class", start);
            if (peek() == ']') break;
            const size_t item = i_;
            const uint32_t lo = parse_char();
            if (peek() == '-' && peek(1) != ']' && i_ + 1 < p_.size()) {
                ++i_;
                if (at_end()) fail("unterminated character class", start);
                const uint32_t hi = parse_char();
                if (lo > hi) fail("character range out of order", item);
                set.add(lo, hi);
            } else {
                set.add(lo, lo);
            }
        }
        ++i_;
        if (negated) set = set.complement();
        return Expr::chars_of(std::move(set));
    }

    std::u32string p_;
    size_t i_ = 0;
    std::vector<RuleInfo> rules_;
    std::map<std::string, size_t> index_;
};

}  // namespace

Grammar parse_gbnf(std::string_view text) {
    return GbnfParser(text).parse();
}

}  // namespace flash::grammar
