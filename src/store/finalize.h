// The last step of every pull: check the downloaded `.part` file, then give it its final name.
// Depends on core/ only.
#pragma once

#include <string>

namespace flash {

// True when the file exists and starts with the four bytes "GGUF".
bool has_gguf_magic(const std::string& path);

// Checks that `part` starts with the GGUF magic and, when expected_sha256 is non-empty, that
// its sha256 matches; then renames it to `dest` (atomically replacing any old file). On a failed
// check `part` is deleted and flash::Error names `what` (a URL or package) and both hashes.
void install_verified(const std::string& part, const std::string& dest,
                      const std::string& expected_sha256, const std::string& what);

}  // namespace flash
