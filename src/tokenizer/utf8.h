// The GPT-2 byte-level alphabet (each byte 0..255 shown as a printable code point, so BPE
// vocabularies never hold raw bytes). The UTF-8 helpers themselves are core/utf8.h, named
// here too for the tokenizer's own code.
#pragma once

#include <cstdint>
#include <string>

#include "core/utf8.h"

namespace flash::tok {

using ::flash::append_utf8;
using ::flash::decode_utf8;
using ::flash::incomplete_utf8_tail;
using ::flash::sanitize_utf8;
using ::flash::utf8_len;

// GPT-2 byte-level alphabet: byte -> UTF-8 of its stand-in code point, and back.
const std::string& byte_to_unicode(uint8_t b);
// Returns -1 when `cp` is not one of the 256 stand-ins.
int unicode_to_byte(uint32_t cp);

}  // namespace flash::tok
