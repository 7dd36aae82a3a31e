// Padding, repr() quoting, json.dumps string escapes, HTML escaping and slice bounds: the half
// of pystr.h that formats rather than searches.
#include <algorithm>

#include "chat/jinja/errors.h"
#include "chat/jinja/pystr.h"
#include "chat/jinja/utf8.h"

namespace flash::jinja::py {

std::string pad(std::string_view s, int64_t width, char32_t fill, char how) {
    const int64_t n = static_cast<int64_t>(utf8::length(s));
    if (width <= n) return std::string(s);
    const int64_t marg = width - n;
    int64_t left = 0;
    if (how == '>') left = marg;
    if (how == '^') left = marg / 2 + (marg & width & 1);
    std::string fill_s;
    utf8::append(fill_s, fill);
    std::string out;
    for (int64_t k = 0; k < left; ++k) out += fill_s;
    out += s;
    for (int64_t k = 0; k < marg - left; ++k) out += fill_s;
    return out;
}

std::string zfill(std::string_view s, int64_t width) {
    const int64_t n = static_cast<int64_t>(utf8::length(s));
    if (width <= n) return std::string(s);
    std::string out;
    size_t body = 0;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        out += s[0];
        body = 1;
    }
    out.append(static_cast<size_t>(width - n), '0');
    out += s.substr(body);
    return out;
}

std::string repr(std::string_view s) {
    const bool has_single = s.find('\'') != std::string_view::npos;
    const bool has_double = s.find('"') != std::string_view::npos;
    const char quote = has_single && !has_double ? '"' : '\'';
    std::string out(1, quote);
    static const char* hex = "0123456789abcdef";
    for (size_t i = 0; i < s.size();) {
        const char32_t c = utf8::next(s, i);
        if (c == static_cast<char32_t>(quote) || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (!utf8::is_printable(c)) {
            const int digits = c < 0x100 ? 2 : c < 0x10000 ? 4 : 8;
            out += '\\';
            out += digits == 2 ? 'x' : digits == 4 ? 'u' : 'U';
            for (int k = digits - 1; k >= 0; --k) out += hex[(c >> (4 * k)) & 0xF];
        } else {
            utf8::append(out, c);
        }
    }
    out += quote;
    return out;
}

std::string json_quote(std::string_view s, bool ensure_ascii) {
    std::string out = "\"";
    static const char* hex = "0123456789abcdef";
    auto u_escape = [&](char32_t c) {
        out += "\\u";
        for (int k = 3; k >= 0; --k) out += hex[(c >> (4 * k)) & 0xF];
    };
    for (size_t i = 0; i < s.size();) {
        const size_t start = i;
        const char32_t c = utf8::next(s, i);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (c < 0x20 || (ensure_ascii && c >= 0x7F)) {
                    if (c >= 0x10000) {
                        u_escape(0xD800 + ((c - 0x10000) >> 10));
                        u_escape(0xDC00 + ((c - 0x10000) & 0x3FF));
                    } else {
                        u_escape(c);
                    }
                } else {
                    out += s.substr(start, i - start);  // bytes as they are
                }
        }
    }
    out += '"';
    return out;
}

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&#34;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::vector<size_t> slice_indices(size_t length, std::optional<int64_t> start,
                                  std::optional<int64_t> stop, std::optional<int64_t> step) {
    const int64_t n = static_cast<int64_t>(length);
    const int64_t st = step.value_or(1);
    if (st == 0) throw RenderError("slice step cannot be zero");
    const int64_t lower = st > 0 ? 0 : -1, upper = st > 0 ? n : n - 1;
    auto fix = [&](std::optional<int64_t> v, int64_t dflt) {
        if (!v) return dflt;
        int64_t x = *v;
        if (x < 0) {
            x += n;
            if (x < lower) x = lower;
        } else if (x > upper) {
            x = upper;
        }
        return x;
    };
    const int64_t b = fix(start, st > 0 ? lower : upper);
    const int64_t e = fix(stop, st > 0 ? upper : lower);
    std::vector<size_t> out;
    for (int64_t i = b; st > 0 ? i < e : i > e; i += st) out.push_back(static_cast<size_t>(i));
    return out;
}

}  // namespace flash::jinja::py
