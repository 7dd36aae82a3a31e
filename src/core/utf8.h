// UTF-8 for every layer: lenient decoding (invalid bytes become U+FFFD, as llama.cpp does
// before pre-tokenizing), encoding, sequence lengths, and character boundaries for streaming.
// Depends on nothing but the standard library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace flash {

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

// Strict decoding for text that must be exactly right (patterns, grammars): the code points, or
// nullopt with `bad_at` set to the byte offset of the first sequence that is malformed,
// overlong, a surrogate or past U+10FFFF.
std::optional<std::u32string> decode_utf8_strict(std::string_view s, size_t* bad_at = nullptr);

// Replaces every malformed sequence by U+FFFD; valid text is returned unchanged.
std::string sanitize_utf8(std::string_view s);

// How many bytes at the end of `s` form the start of a UTF-8 character whose remaining
// bytes have not arrived yet (0 when `s` ends on a character boundary or in garbage).
size_t incomplete_utf8_tail(std::string_view s);

}  // namespace flash
