// Checks that raw file bytes are text flash can index: no NUL bytes, not mostly control
// characters, valid UTF-8. Errors name the file and, for bad UTF-8, the byte offset.
// Depends on core/ only.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace flash::retrieval {

// Offset of the first byte that does not start or continue a valid UTF-8 sequence (overlong
// forms, surrogates and code points past U+10FFFF count as invalid); npos when all is valid.
size_t find_invalid_utf8(std::string_view bytes);

// Throws flash::Error naming `where` when `bytes` is binary (a NUL byte, or more than 10% of
// the bytes are control characters other than tab, newline, carriage return and form feed)
// or not valid UTF-8.
void check_text(std::string_view bytes, const std::string& where);

}  // namespace flash::retrieval
