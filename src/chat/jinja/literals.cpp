#include "chat/jinja/literals.h"

#include "chat/jinja/utf8.h"

namespace flash::jinja {
namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    const char l = static_cast<char>(c | 0x20);
    return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
}

// n hex digits at s[p], or -1.
long hex(std::string_view s, size_t p, int n) {
    if (p + n > s.size()) return -1;
    long v = 0;
    for (int k = 0; k < n; ++k) {
        const int d = hex_digit(s[p + k]);
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

}  // namespace

std::string decode_string_literal(std::string_view s) {
    std::string out;
    for (size_t p = 0; p < s.size();) {
        if (s[p] != '\\' || p + 1 >= s.size()) {
            out += s[p++];
            continue;
        }
        const char c = s[p + 1];
        p += 2;
        switch (c) {
            case '\n':
                break;  // line continuation
            case '\\':
                out += '\\';
                break;
            case '\'':
                out += '\'';
                break;
            case '"':
                out += '"';
                break;
            case 'a':
                out += '\a';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'v':
                out += '\v';
                break;
            case 'x':
            case 'u':
            case 'U': {
                const int n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
                const long v = hex(s, p, n);
                if (v < 0 || v > 0x10FFFF)
                    throw LiteralError{p - 2, std::string("invalid \\") + c + " escape in string"};
                utf8::append(out, static_cast<char32_t>(v));
                p += n;
                break;
            }
            case 'N':
                throw LiteralError{p - 2, "\\N{...} escapes are not supported"};
            default:
                if (c >= '0' && c <= '7') {
                    int v = c - '0';
                    for (int k = 0; k < 2 && p < s.size() && s[p] >= '0' && s[p] <= '7'; ++k)
                        v = v * 8 + (s[p++] - '0');
                    utf8::append(out, static_cast<char32_t>(v));
                } else if (static_cast<unsigned char>(c) >= 0x80) {
                    // backslashreplace turned the character into \xNN / \uNNNN / \UNNNNNNNN,
                    // whose own backslash pairs with this one: a backslash, then the escape's
                    // text kept literally.
                    size_t q = p - 1;
                    const char32_t cp = utf8::next(s, q);
                    p = q;
                    static const char* hx = "0123456789abcdef";
                    const int n = cp < 0x100 ? 2 : cp < 0x10000 ? 4 : 8;
                    out += '\\';
                    out += n == 2 ? 'x' : n == 4 ? 'u' : 'U';
                    for (int k = n - 1; k >= 0; --k) out += hx[(cp >> (4 * k)) & 0xF];
                } else {
                    out += '\\';  // unknown escapes stay as written
                    out += c;
                }
        }
    }
    return out;
}

}  // namespace flash::jinja
