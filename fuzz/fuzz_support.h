// Shared by the libFuzzer targets: the one failure flash allows on bad input is an exception
// it means to throw (flash::Error, or the server's ApiError); anything else — another exception
// type, a crash, a sanitizer report, a hang — is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <sys/mman.h>
#include <unistd.h>

#include "core/error.h"

namespace flash::fuzz {

// Calls f(path) with the input behind an in-memory file, for readers that map a path.
template <typename F>
void with_file(const uint8_t* data, size_t size, const char* name, F f) {
    const int fd = memfd_create(name, 0);
    if (fd < 0) return;
    if (size == 0 || write(fd, data, size) == static_cast<ssize_t>(size))
        f("/proc/self/fd/" + std::to_string(fd));
    close(fd);
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// Splits the input at the first NUL: two independent strings from one input (a pattern and
// the text it is matched against, a template and its variables).
inline std::pair<std::string_view, std::string_view> split_at_nul(std::string_view in) {
    const size_t nul = in.find('\0');
    if (nul == std::string_view::npos) return {in, {}};
    return {in.substr(0, nul), in.substr(nul + 1)};
}

// Runs f; swallows flash::Error (the intended refusal), lets everything else through.
template <typename F>
void expect_only_flash_errors(F f) {
    try {
        f();
    } catch (const Error&) {
    }
}

}  // namespace flash::fuzz
