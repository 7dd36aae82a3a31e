// Runs the flash binary (or any command) for end-to-end tests and captures what it prints.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace flash::testing {

struct CommandResult {
    int exit_code = -1;
    std::string output;  // stdout, plus stderr when merged
};

// Runs `command` through the shell; stderr is merged into the output when merge_stderr.
inline CommandResult run_command(const std::string& command, bool merge_stderr = true) {
    CommandResult r;
    FILE* p = ::popen((command + (merge_stderr ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
    const int status = ::pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

// Whether `part` occurs in `text` (a command's output, usually).
inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

inline std::string flash_binary() { return std::string(FLASH_BINARY_DIR) + "/bin/flash"; }

inline std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

}  // namespace flash::testing
