// Responses come from models and users: bytes that are not UTF-8 are replaced (U+FFFD) before
// any checker looks at them, so the Unicode-aware matching below never sees invalid input.
#pragma once

#include <string>
#include <string_view>

namespace flash::instruct {

// Valid UTF-8 copy of `bytes`: each byte of an invalid, overlong, surrogate or truncated
// sequence becomes U+FFFD; valid text is returned unchanged.
std::string repair_utf8(std::string_view bytes);

}  // namespace flash::instruct
