// UTF-8 decoding and the character classes Python's str methods use (isspace, isprintable,
// simple case mapping). Invalid bytes decode to U+DC80..U+DCFF and encode back to themselves,
// as Python's "surrogateescape" does, so slicing never changes bytes it does not touch.
// Depends on nothing but the standard library.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace flash::jinja::utf8 {

// Decodes the code point starting at s[i] and advances i past it.
char32_t next(std::string_view s, size_t& i);
void append(std::string& out, char32_t cp);
std::u32string decode(std::string_view s);
std::string encode(std::u32string_view s);
size_t length(std::string_view s);  // in code points
bool is_ascii(std::string_view s);

bool is_space(char32_t c);       // str.isspace
bool is_line_break(char32_t c);  // str.splitlines boundaries
bool is_printable(char32_t c);   // str.isprintable (unassigned code points count as printable)
bool is_alnum(char32_t c);       // str.isalnum, approximately outside Latin/Greek/Cyrillic
bool is_digit(char32_t c);
// Simple one-to-one case mappings for Latin, Greek, Cyrillic, Armenian and fullwidth Latin;
// other scripts have no case and map to themselves.
char32_t to_upper(char32_t c);
char32_t to_lower(char32_t c);
bool is_cased(char32_t c);
bool is_upper(char32_t c);
bool is_lower(char32_t c);

}  // namespace flash::jinja::utf8
