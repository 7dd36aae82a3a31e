// `--list-instructions`: prints every instruction type `--instructions FILE` accepts, with the
// args its checker reads and an example, all taken from instruct/'s registry, then exits.
#pragma once

#include <CLI/CLI.hpp>

namespace flash::cli {

// Adds the flag to `cmd`, in its "Instructions" group; it works without the command's other
// required options, as --help does.
void add_list_instructions_flag(CLI::App& cmd);

}  // namespace flash::cli
