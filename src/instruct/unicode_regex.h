// A compiled PCRE2 pattern over UTF-8 text with Unicode properties (\p{L}, \p{Lu}, \s…), so the
// checkers classify letters, case and spaces of any script without tables of our own.
// Subjects must be valid UTF-8 (see utf8_repair.h). Immutable after construction and safe to
// share between threads (each match gets its own match data).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flash::instruct {

struct Span {
    size_t begin = 0;  // byte offsets into the subject
    size_t end = 0;
};

class UnicodeRegex {
  public:
    enum class Case { Sensitive, Insensitive };

    // A pattern that does not compile is a flash::Error quoting it.
    explicit UnicodeRegex(std::string_view pattern, Case match_case = Case::Sensitive);
    ~UnicodeRegex();
    UnicodeRegex(UnicodeRegex&&) noexcept;
    UnicodeRegex& operator=(UnicodeRegex&&) noexcept;

    // The first match starting at or after byte `from`.
    std::optional<Span> find(std::string_view text, size_t from = 0) const;
    // Every non-overlapping match, left to right.
    std::vector<Span> find_all(std::string_view text) const;
    size_t count(std::string_view text) const { return find_all(text).size(); }
    bool contains(std::string_view text) const { return find(text).has_value(); }

  private:
    struct Compiled;
    std::unique_ptr<Compiled> compiled_;
};

// `literal` with every ASCII punctuation character backslash-escaped, for embedding user text
// (keywords, phrases) in a pattern.
std::string escape_regex(std::string_view literal);

}  // namespace flash::instruct
