// Runs a program with an argument vector (no shell, so no quoting pitfalls) and waits for it.
// Depends on core/ only.
#pragma once

#include <string>
#include <vector>

namespace flash {

struct ProcessResult {
    int exit_code = -1;  // 128+N when killed by signal N
    std::string output;  // stdout and stderr interleaved (empty when passed through)
};

// argv[0] is looked up on PATH. With pass_through the child's stdout and stderr both go to our
// stderr (so a tool's chatter never mixes with our stdout); otherwise they are captured.
// Throws flash::Error when the program can't be started (e.g. not installed).
ProcessResult run_process(const std::vector<std::string>& argv, bool pass_through = false);

// The last `max_lines` non-empty lines of `text`, for error messages.
std::string tail_lines(const std::string& text, size_t max_lines);

}  // namespace flash
