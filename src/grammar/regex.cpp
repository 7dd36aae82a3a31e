// Regex parser: pattern text → Expr tree → builder rules (see regex.h for the dialect).
#include "grammar/regex.h"

#include <string>

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

bool is_digit(char32_t c) {
    return c >= '0' && c <= '9';
}
bool is_alnum(char32_t c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

CharSet digits() {
    return CharSet::range('0', '9');
}
CharSet word() {
    CharSet s = digits();
    s.add('A', 'Z'), s.add('a', 'z'), s.add('_', '_');
    return s;
}
// Whitespace under both engines (ECMAScript \s and Python's str.isspace()).
CharSet space_both() {
    CharSet s = CharSet::range('\t', '\r');
    for (uint32_t c : {0x20u, 0xA0u, 0x1680u, 0x2028u, 0x2029u, 0x202Fu, 0x205Fu, 0x3000u}) {
        s.add(c, c);
    }
    s.add(0x2000, 0x200A);
    return s;
}
// Whitespace under either engine: \S must avoid all of it.
CharSet space_either() {
    CharSet s = space_both();
    s.add(0x1C, 0x1F), s.add(0x85, 0x85), s.add(0xFEFF, 0xFEFF);
    return s;
}
// `s` plus everything outside ASCII, where Python's \d and \w reach further than ECMAScript's.
CharSet with_non_ascii(CharSet s) {
    s.add(0x80, 0x10FFFF);
    return s;
}
// ASCII only: outside ASCII, Python's \d and \w cover Unicode digits and letters that
// ECMAScript's \D and \W would allow.
CharSet ascii_minus(const CharSet& s) {
    CharSet out = CharSet::range(0, 0x7F);
    out.subtract(s);
    return out;
}
CharSet line_terminators() {
    CharSet s = CharSet::of('\n');
    s.add('\r', '\r'), s.add(0x2028, 0x2029);
    return s;
}

struct Branch {
    Expr expr;
    bool anchored_start = false;
    bool anchored_end = false;
};

class RegexParser {
  public:
    RegexParser(std::string_view pattern, const RegexOptions& options) {
        size_t bad_at = 0;
        auto decoded = decode_utf8_strict(pattern, &bad_at);
        if (!decoded)  // found by the regex fuzzer: bytes past U+10FFFF made an empty class
            throw Error("regex: the pattern is not valid UTF-8 at byte " + std::to_string(bad_at));
        p_ = std::move(*decoded);
        for (const CodeRange& r : options.exclude) exclude_.add(r.lo, r.hi);
    }

    Expr parse(bool search) {
        std::vector<Branch> branches;
        for (;;) {
            branches.push_back(parse_branch(true));
            if (at_end()) break;
            if (peek() == ')') fail("unbalanced ')'", i_);
            ++i_;  // '|'
        }
        std::vector<Expr> options;
        for (Branch& br : branches) {
            if (!search) {
                options.push_back(std::move(br.expr));
                continue;
            }
            CharSet any = CharSet::all();
            any.subtract(exclude_);
            const Expr wander = Expr::repeat(Expr::chars_of(any), 0, -1);
            options.push_back(
                Expr::seq({br.anchored_start ? Expr::empty() : wander, std::move(br.expr),
                           br.anchored_end ? Expr::empty() : wander}));
        }
        return Expr::alt(std::move(options));
    }

  private:
    [[noreturn]] void fail(const std::string& what, size_t pos) const {
        throw Error("regex: " + what + " at position " + std::to_string(pos));
    }
    bool at_end() const { return i_ >= p_.size(); }
    char32_t peek(size_t ahead = 0) const {
        return i_ + ahead < p_.size() ? p_[i_ + ahead] : U'\0';
    }
    bool has(size_t ahead) const { return i_ + ahead < p_.size(); }

    Expr set_expr(CharSet s) const {
        s.subtract(exclude_);
        return Expr::chars_of(std::move(s));
    }

    Expr parse_disjunction(int depth) {
        if (depth > kMaxNesting) fail("groups nested too deeply", i_);
        std::vector<Expr> options;
        for (;;) {
            options.push_back(parse_branch(false, depth).expr);
            if (at_end() || peek() != '|') break;
            ++i_;
        }
        return Expr::alt(std::move(options));
    }

    Branch parse_branch(bool top, int depth = 0) {
        Branch br;
        std::vector<Expr> terms;
        while (!at_end() && peek() != '|' && peek() != ')') {
            const char32_t c = peek();
            if (c == '^') {
                if (!top || !terms.empty() || br.anchored_end) {
                    fail("anchor '^' is only supported at the start of the pattern", i_);
                }
                br.anchored_start = true;
                ++i_;
                if (!at_end() && is_quantifier_start()) fail("nothing to repeat", i_);
                continue;
            }
            if (c == '$') {
                ++i_;
                if (!top || (!at_end() && peek() != '|' && peek() != '$')) {
                    fail("anchor '$' is only supported at the end of the pattern", i_ - 1);
                }
                br.anchored_end = true;
                continue;
            }
            terms.push_back(parse_quantifiers(parse_atom(depth)));
        }
        br.expr = Expr::seq(std::move(terms));
        return br;
    }

    bool is_quantifier_start() const {
        const char32_t c = peek();
        if (c == '*' || c == '+' || c == '?') return true;
        return c == '{' && brace_quantifier_length() > 0;
    }

    // Length of a {m}, {m,} or {m,n} quantifier at i_, or 0 if the text is not one.
    size_t brace_quantifier_length() const {
        size_t k = 1;
        if (!is_digit(peek(k))) return 0;
        while (has(k) && is_digit(peek(k))) ++k;
        if (peek(k) == '}') return k + 1;
        if (peek(k) != ',') return 0;
        ++k;
        while (has(k) && is_digit(peek(k))) ++k;
        return peek(k) == '}' ? k + 1 : 0;
    }

    int64_t parse_bound(size_t& k) const {
        int64_t v = 0;
        const size_t start = i_ + k;
        while (has(k) && is_digit(peek(k))) {
            v = v * 10 + static_cast<int64_t>(peek(k) - '0');
            if (v > kMaxRepeat) {
                fail("repetition bound is too large (limit " + std::to_string(kMaxRepeat) + ")",
                     start);
            }
            ++k;
        }
        return v;
    }

    Expr parse_quantifiers(Expr atom) {
        if (at_end()) return atom;
        const size_t qpos = i_;
        int64_t min = 0, max = 0;
        const char32_t c = peek();
        if (c == '*') {
            min = 0, max = -1, ++i_;
        } else if (c == '+') {
            min = 1, max = -1, ++i_;
        } else if (c == '?') {
            min = 0, max = 1, ++i_;
        } else if (c == '{') {
            const size_t len = brace_quantifier_length();
            if (len == 0) {
                if (peek(1) == ',') fail("'{,n}' is not a quantifier in ECMAScript", i_);
                return atom;  // a literal '{' follows
            }
            size_t k = 1;
            min = parse_bound(k);
            if (peek(k) == '}') {
                max = min;
            } else {
                ++k;  // ','
                max = is_digit(peek(k)) ? parse_bound(k) : -1;
            }
            if (max >= 0 && max < min) fail("repetition {min,max} has min > max", qpos);
            i_ += len;
        } else {
            return atom;
        }
        if (!at_end() && peek() == '?') ++i_;  // lazy: the same language
        if (!at_end() && is_quantifier_start()) fail("nothing to repeat", i_);
        return Expr::repeat(std::move(atom), min, max);
    }

    Expr parse_atom(int depth) {
        const size_t start = i_;
        const char32_t c = peek();
        switch (c) {
            case '(': {
                ++i_;
                if (peek() == '?') {
                    if (peek(1) == ':') {
                        i_ += 2;
                    } else if (peek(1) == '=' || peek(1) == '!') {
                        fail("lookahead is not supported", start);
                    } else if (peek(1) == '<' && (peek(2) == '=' || peek(2) == '!')) {
                        fail("lookbehind is not supported", start);
                    } else if (peek(1) == '<') {
                        size_t k = 2;
                        while (has(k) && peek(k) != '>') ++k;
                        if (!has(k)) fail("unterminated group name", start);
                        i_ += k + 1;
                    } else {
                        fail("unsupported group syntax '(?'", start);
                    }
                }
                Expr inner = parse_disjunction(depth + 1);
                if (at_end() || peek() != ')') fail("missing ')' for the group opened", start);
                ++i_;
                return inner;
            }
            case '[':
                return parse_class();
            case '.': {
                ++i_;
                CharSet s = line_terminators().complement();
                return set_expr(std::move(s));
            }
            case '\\':
                return parse_escape();
            case '*':
            case '+':
            case '?':
                fail("nothing to repeat", start);
            case '{':
                if (brace_quantifier_length() > 0) fail("nothing to repeat", start);
                if (peek(1) == ',') fail("'{,n}' is not a quantifier in ECMAScript", start);
                ++i_;
                return set_expr(CharSet::of(c));
            default:
                ++i_;
                return set_expr(CharSet::of(c));
        }
    }

    // An escape outside a class.
    Expr parse_escape() {
        const size_t start = i_;
        ++i_;
        if (at_end()) fail("trailing backslash", start);
        const char32_t c = peek();
        if (c == 'b' || c == 'B')
            fail("word boundary '\\" + std::string(1, char(c)) + "' is not supported", start);
        CharSet s;
        escape_class_or_char(start, false, s);
        return set_expr(std::move(s));
    }

    // Parses the escape after a backslash at i_ into `out`. Returns true when it was a class
    // escape (\d \w \s and negations), false for a single character.
    bool escape_class_or_char(size_t start, bool in_class, CharSet& out) {
        const char32_t c = peek();
        ++i_;
        switch (c) {
            // Each class escape is the set both engines agree on; inside a negated class the
            // set is complemented afterwards, so there it must be the set either engine could
            // match instead — or [^\s\S] would let U+FEFF through, and [^\d] a Unicode digit.
            case 'd':
                out = widen_ ? with_non_ascii(digits()) : digits();
                return true;
            case 'D':
                out = widen_ ? digits().complement() : ascii_minus(digits());
                return true;
            case 'w':
                out = widen_ ? with_non_ascii(word()) : word();
                return true;
            case 'W':
                out = widen_ ? word().complement() : ascii_minus(word());
                return true;
            case 's':
                out = widen_ ? space_either() : space_both();
                return true;
            case 'S':
                out = widen_ ? space_both().complement() : space_either().complement();
                return true;
            case 'n':
                out = CharSet::of('\n');
                return false;
            case 'r':
                out = CharSet::of('\r');
                return false;
            case 't':
                out = CharSet::of('\t');
                return false;
            case 'v':
                out = CharSet::of('\v');
                return false;
            case 'f':
                out = CharSet::of('\f');
                return false;
            case 'b':
                if (in_class) {
                    out = CharSet::of('\b');
                    return false;
                }
                break;
            case '0':
                if (is_digit(peek())) fail("octal escapes are not supported", start);
                out = CharSet::of(0);
                return false;
            case 'c': {
                const char32_t l = peek();
                if (!((l >= 'a' && l <= 'z') || (l >= 'A' && l <= 'Z'))) {
                    fail("'\\c' must be followed by a letter", start);
                }
                ++i_;
                out = CharSet::of(static_cast<uint32_t>(l) % 32);
                return false;
            }
            case 'x': {
                const int h = hex_value(peek()), l = hex_value(peek(1));
                if (h < 0 || l < 0) fail("'\\x' must be followed by two hex digits", start);
                i_ += 2;
                out = CharSet::of(static_cast<uint32_t>(h * 16 + l));
                return false;
            }
            case 'u':
                out = CharSet::of(parse_unicode_escape(start));
                return false;
            case 'k':
                fail("backreferences are not supported", start);
            case 'p':
            case 'P':
                fail("Unicode property escapes are not supported", start);
            default:
                break;
        }
        if (c >= '1' && c <= '9') fail("backreferences are not supported", start);
        if (c == '-' || !is_alnum(c)) {  // identity escape of punctuation or non-ASCII
            out = CharSet::of(static_cast<uint32_t>(c));
            return false;
        }
        fail("unknown escape '\\" + std::string(1, static_cast<char>(c)) + "'", start);
    }

    uint32_t parse_unicode_escape(size_t start) {
        if (peek() == '{') {
            uint32_t v = 0;
            size_t k = 1;
            while (hex_value(peek(k)) >= 0) {
                v = v * 16 + static_cast<uint32_t>(hex_value(peek(k)));
                if (v > detail::kMaxCodePoint) fail("'\\u{...}' is past U+10FFFF", start);
                ++k;
            }
            if (k == 1 || peek(k) != '}') fail("malformed '\\u{...}' escape", start);
            i_ += k + 1;
            return v;
        }
        auto hex4 = [&](size_t at) -> int64_t {
            int64_t v = 0;
            for (size_t k = 0; k < 4; ++k) {
                const int h = hex_value(peek(at + k));
                if (h < 0) return -1;
                v = v * 16 + h;
            }
            return v;
        };
        const int64_t v = hex4(0);
        if (v < 0) fail("'\\u' must be followed by four hex digits", start);
        i_ += 4;
        if (v >= 0xD800 && v <= 0xDBFF && peek() == '\\' && peek(1) == 'u') {
            const int64_t lo = hex4(2);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                i_ += 6;
                return static_cast<uint32_t>(0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00));
            }
        }
        if (v >= 0xD800 && v <= 0xDFFF) fail("lone surrogate escape", start);
        return static_cast<uint32_t>(v);
    }

    Expr parse_class() {
        const size_t start = i_;
        ++i_;  // '['
        bool negated = false;
        if (peek() == '^' && has(0)) negated = true, ++i_;
        if (!at_end() && peek() == ']') fail("empty class '[]' is not supported", start);
        CharSet set;
        widen_ = negated;
        for (;;) {
            if (at_end()) fail("unterminated character class", start);
            if (peek() == ']') break;
            const size_t item_pos = i_;
            CharSet lo;
            const bool lo_class = class_atom(lo);
            if (peek() == '-' && has(1) && peek(1) != ']') {
                ++i_;
                CharSet hi;
                const bool hi_class = class_atom(hi);
                if (lo_class || hi_class) fail("bad character range", item_pos);
                const uint32_t a = lo.ranges()[0].lo, b = hi.ranges()[0].lo;
                if (a > b) fail("character range out of order", item_pos);
                set.add(a, b);
            } else {
                set.add(lo);
            }
        }
        ++i_;  // ']'
        widen_ = false;
        if (negated) set = set.complement();
        if (set.empty()) fail("character class matches no character", start);
        return set_expr(std::move(set));
    }

    // One class member at i_: returns true for a class escape (\d ...), false for one char.
    bool class_atom(CharSet& out) {
        const size_t start = i_;
        if (peek() == '\\') {
            ++i_;
            if (at_end()) fail("trailing backslash", start);
            return escape_class_or_char(start, true, out);
        }
        out = CharSet::of(static_cast<uint32_t>(peek()));
        ++i_;
        return false;
    }

    std::u32string p_;
    size_t i_ = 0;
    bool widen_ = false;  // inside a negated class: class escapes take their widest reading
    CharSet exclude_;
};

}  // namespace

uint32_t add_regex(GrammarBuilder& b, std::string_view pattern, const RegexOptions& options) {
    RegexParser parser(pattern, options);
    Expr e = parser.parse(options.search);
    if (e.kind == Expr::Kind::Never) {
        throw Error(options.exclude.empty()
                        ? "regex: pattern matches no string"
                        : "regex: pattern matches no string without the excluded characters");
    }
    detail::ExprLowering lowering(b);
    return lowering.lower_rule(e, options.name);
}

Grammar compile_regex(std::string_view pattern, const RegexOptions& options) {
    GrammarBuilder b;
    const uint32_t root = add_regex(b, pattern, options);
    return b.build(root);
}

}  // namespace flash::grammar
