// The dataset card (README.md with Hugging Face's YAML front matter) and manifest.json, from
// what a build produced. Neither holds timings or paths of the machine, so a rebuild with the
// same seed and sources gives the same bytes.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "data/build.h"
#include "data/example.h"
#include "tokenizer/tokenizer.h"

namespace flash::data {

struct CardFacts {
    const BuildOptions& options;
    const BuildReport& report;
    const std::vector<Example>& examples;
    std::vector<std::pair<std::string, std::string>> source_sha256;  // file name, sum
    const Tokenizer* tokenizer = nullptr;  // when set, lengths are also given in its tokens
    std::string tokenizer_name;            // the GGUF's file name
};

std::string dataset_card(const CardFacts& facts);
// Build configuration, flash's version, the sources' and every written file's sha256.
Json manifest(const CardFacts& facts, const std::filesystem::path& out_dir);

}  // namespace flash::data
