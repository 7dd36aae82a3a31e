// A jinja2 string literal's body → its text: Python's "unicode-escape" decoding, applied (as
// jinja2 does) after backslashreplace, so \n, \t, \xNN, \uNNNN, \UNNNNNNNN, octal escapes and
// unknown escapes (kept as written) behave as in Python.
// Depends on utf8.h.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace flash::jinja {

struct LiteralError {
    size_t offset;  // into the literal's body
    std::string what;
};

// Throws LiteralError for a malformed escape.
std::string decode_string_literal(std::string_view body);

}  // namespace flash::jinja
