// UTF-8 decoding, encoding and boundaries, shared by every layer that reads text.
#include "core/utf8.h"

namespace flash {

void append_utf8(std::string& out, uint32_t cp) {
    if (cp <= 0x7F) {
        out.push_back(static_cast<char>(cp));
    } else if (cp <= 0x7FF) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp <= 0xFFFF) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | ((cp >> 18) & 0x07)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

uint32_t decode_utf8(std::string_view s, size_t& pos) {
    const auto at = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
    const auto cont = [&](size_t i) { return i < s.size() && (at(i) & 0xC0) == 0x80; };
    const unsigned char c = at(pos);
    if (c < 0x80) {
        pos += 1;
        return c;
    }
    // Structural checks only (no overlong/surrogate rejection): the same leniency as the
    // reference tokenizer, so identical input splits identically.
    if ((c & 0xE0) == 0xC0 && cont(pos + 1)) {
        const uint32_t cp = ((c & 0x1Fu) << 6) | (at(pos + 1) & 0x3Fu);
        pos += 2;
        return cp;
    }
    if ((c & 0xF0) == 0xE0 && cont(pos + 1) && cont(pos + 2)) {
        const uint32_t cp =
            ((c & 0x0Fu) << 12) | ((at(pos + 1) & 0x3Fu) << 6) | (at(pos + 2) & 0x3Fu);
        pos += 3;
        return cp;
    }
    if ((c & 0xF8) == 0xF0 && cont(pos + 1) && cont(pos + 2) && cont(pos + 3)) {
        const uint32_t cp = ((c & 0x07u) << 18) | ((at(pos + 1) & 0x3Fu) << 12) |
                            ((at(pos + 2) & 0x3Fu) << 6) | (at(pos + 3) & 0x3Fu);
        pos += 4;
        return cp;
    }
    pos += 1;
    return 0xFFFD;
}

std::optional<std::u32string> decode_utf8_strict(std::string_view s, size_t* bad_at) {
    std::u32string out;
    out.reserve(s.size());
    std::string again;
    for (size_t pos = 0; pos < s.size();) {
        const size_t start = pos;
        const uint32_t cp = decode_utf8(s, pos);
        again.clear();
        append_utf8(again, cp);
        // The lenient decoder accepts overlong forms and values past U+10FFFF and turns
        // garbage into U+FFFD: re-encoding differs from the input exactly in those cases.
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF ||
            s.compare(start, pos - start, again) != 0) {
            if (bad_at) *bad_at = start;
            return std::nullopt;
        }
        out.push_back(static_cast<char32_t>(cp));
    }
    return out;
}

std::string sanitize_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    size_t pos = 0;
    while (pos < s.size()) {
        uint32_t cp = decode_utf8(s, pos);
        // Re-encoding canonicalises overlong forms, as the reference's code-point round trip
        // does; surrogates and values past U+10FFFF (which PCRE2 rejects) become U+FFFD.
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
        append_utf8(out, cp);
    }
    return out;
}

size_t incomplete_utf8_tail(std::string_view s) {
    // Look back at most 3 bytes for a lead byte whose sequence runs past the end.
    const size_t n = s.size();
    for (size_t back = 1; back <= 3 && back <= n; ++back) {
        const unsigned char c = static_cast<unsigned char>(s[n - back]);
        if ((c & 0xC0) == 0x80) continue;  // continuation byte: keep looking for the lead
        if (c < 0x80) return 0;
        size_t need = 0;
        if ((c & 0xE0) == 0xC0)
            need = 2;
        else if ((c & 0xF0) == 0xE0)
            need = 3;
        else if ((c & 0xF8) == 0xF0)
            need = 4;
        return need > back ? back : 0;
    }
    return 0;
}

}  // namespace flash
