// llama.cpp's and Ollama's habits on flash's command line. llama.cpp spells several flags as a
// dash and several letters (-ngl, -cnv, -sys); CLI11 would read "-sys" as "-s ys" and report a
// bad seed. Before CLI11 parses, those flags are rewritten to flash's names, dropped with a
// note (GPU offload where this build has no GPU backend), or refused with what flash uses
// instead. Mistyped subcommands get a suggestion.
#pragma once

#include <string>
#include <vector>

namespace flash::cli {

struct TranslatedArgs {
    std::vector<std::string> args;   // what CLI11 parses (args[0] is the program)
    std::vector<std::string> notes;  // one line each, for stderr
};

// Rewrites llama.cpp flags in `args` (argv as strings). `subcommands` are the names flash
// knows, so that the first of them in `args` decides which rewrites apply. Throws flash::Error
// for a flag flash refuses, and for an unknown subcommand (with the closest known name).
TranslatedArgs translate_llama_flags(std::vector<std::string> args,
                                     const std::vector<std::string>& subcommands);

// The known name closest to `typed` (edit distance at most 2, or a prefix); empty when none.
std::string closest_name(const std::string& typed, const std::vector<std::string>& names);

}  // namespace flash::cli
