// The GPT-2 byte-level alphabet.
#include "tokenizer/utf8.h"

#include <array>

namespace flash::tok {

namespace {

struct ByteAlphabet {
    std::array<std::string, 256> to_unicode;
    std::array<int16_t, 512> from_cp;  // stand-ins are all below U+0200
    ByteAlphabet() {
        from_cp.fill(-1);
        // Printable Latin-1 bytes stand for themselves; the rest map to U+0100 upwards in order.
        int next = 0;
        for (int b = 0; b < 256; ++b) {
            const bool printable =
                (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            const uint32_t cp = printable ? static_cast<uint32_t>(b) : 256u + next++;
            append_utf8(to_unicode[b], cp);
            from_cp[cp] = static_cast<int16_t>(b);
        }
    }
};

const ByteAlphabet& alphabet() {
    static const ByteAlphabet a;
    return a;
}

}  // namespace

const std::string& byte_to_unicode(uint8_t b) {
    return alphabet().to_unicode[b];
}

int unicode_to_byte(uint32_t cp) {
    return cp < 512 ? alphabet().from_cp[cp] : -1;
}

}  // namespace flash::tok
