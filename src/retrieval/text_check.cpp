#include "retrieval/text_check.h"

#include <cstdint>
#include <cstdio>

#include "core/error.h"

namespace flash::retrieval {

size_t find_invalid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    size_t i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len = 0;
        uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return i;  // a continuation byte without a lead, or 0xF8..0xFF
        }
        if (i + len > n) return i;
        for (size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        static constexpr uint32_t k_min[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < k_min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += len;
    }
    return std::string_view::npos;
}

void check_text(std::string_view bytes, const std::string& where) {
    size_t control = 0;
    for (size_t i = 0; i < bytes.size(); ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c == 0)
            throw Error(where + ": binary file (NUL byte at offset " + std::to_string(i) +
                        "); only text, Markdown, HTML and PDF files can be indexed");
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7F) ++control;
    }
    // Text may hold a stray escape or two (terminal colours); a tenth is clearly not text.
    if (control * 10 > bytes.size())
        throw Error(where + ": binary file (" + std::to_string(control) + " of " +
                    std::to_string(bytes.size()) +
                    " bytes are control characters); only text, Markdown, HTML and PDF files "
                    "can be indexed");
    if (const size_t bad = find_invalid_utf8(bytes); bad != std::string_view::npos) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(bytes[bad]));
        throw Error(where + ": invalid UTF-8 at byte offset " + std::to_string(bad) + " (byte " +
                    hex + "); convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)");
    }
}

}  // namespace flash::retrieval
