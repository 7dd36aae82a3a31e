// Pre-tokenizers for BPE vocabularies: the table of regexes llama.cpp applies for each
// tokenizer.ggml.pre name, and a PCRE2 (UTF + UCP) splitter that applies them in sequence.
// Each regex splits every current piece into its matches and the unmatched text between
// them (both kept), exactly like llama.cpp's unicode_regex_split.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flash::tok {

struct PreTokenizerSpec {
    std::vector<std::string> regexes;
    bool add_bos = false;            // llama.cpp's default for tokenizer.ggml.add_bos_token
    bool ignore_merges = false;      // a word that is already a token is not merged
    bool byte_encode = true;         // words are mapped to the GPT-2 byte alphabet
    bool escape_whitespace = false;  // ' ' -> U+2581 before splitting (SPM-style BPE)
    bool newline_run_whole = false;  // gemma4: keep a "\n\n..." word whole when it is a token
};

// nullopt for a name llama.cpp does not know (or this port does not carry).
std::optional<PreTokenizerSpec> pretokenizer_spec(std::string_view pre);
std::string supported_pretokenizers();

class PreTokenizer {
  public:
    // Compiles the regexes; throws flash::Error (naming `source`) if one does not compile.
    PreTokenizer(const std::vector<std::string>& regexes, const std::string& source);
    ~PreTokenizer();
    PreTokenizer(const PreTokenizer&) = delete;
    PreTokenizer& operator=(const PreTokenizer&) = delete;

    // Splits valid UTF-8 `text` into words (views into `text`).
    std::vector<std::string_view> split(std::string_view text) const;

  private:
    struct Compiled;
    std::vector<std::unique_ptr<Compiled>> regexes_;
};

// Rewrites \s and \S as explicit classes of the White_Space code points, which is what the
// reference tokenizer treats as whitespace (PCRE2's UCP \s differs on U+0085 and U+180E).
std::string expand_whitespace_classes(std::string_view regex);

}  // namespace flash::tok
