// UTF-8 helpers for the tokenizer: lenient decoding (invalid bytes become U+FFFD, as llama.cpp
// does before pre-tokenizing), encoding, sequence lengths, and the GPT-2 byte-level alphabet
// (each byte 0..255 shown as a printable code point, so BPE vocabularies never hold raw bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace flash::tok {

// Length of the UTF-8 sequence that starts with byte `lead`, judged by its high bits only
// (1 for continuation bytes, so callers always make progress).
inline size_t utf8_len(unsigned char lead) {
    static constexpr uint8_t k_len[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    return k_len[lead >> 4];
}

void append_utf8(std::string& out, uint32_t cp);

// Decodes one code point at `pos` and advances it. A malformed sequence yields U+FFFD and
// consumes a single byte.
uint32_t decode_utf8(std::string_view s, size_t& pos);

// Replaces every malformed sequence by U+FFFD; valid text is returned unchanged.
std::string sanitize_utf8(std::string_view s);

// How many bytes at the end of `s` form the start of a UTF-8 character whose remaining
// bytes have not arrived yet (0 when `s` ends on a character boundary or in garbage).
size_t incomplete_utf8_tail(std::string_view s);

// GPT-2 byte-level alphabet: byte -> UTF-8 of its stand-in code point, and back.
const std::string& byte_to_unicode(uint8_t b);
// Returns -1 when `cp` is not one of the 256 stand-ins.
int unicode_to_byte(uint32_t cp);

}  // namespace flash::tok
