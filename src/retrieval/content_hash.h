// SHA-256 of bytes as lowercase hex (OpenSSL), to tell a changed file from a touched one.
// Depends on core/ only.
#pragma once

#include <string>
#include <string_view>

namespace flash::retrieval {

std::string sha256_hex(std::string_view bytes);

}  // namespace flash::retrieval
