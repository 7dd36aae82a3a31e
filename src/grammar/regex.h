// Regular expressions → grammar rules: the ECMAScript subset that JSON Schema's `pattern` uses
// (literals, escapes, classes, '.', groups, '|', greedy or lazy quantifiers, ^ and $ at the
// ends). Constructs whose meaning differs between ECMAScript and Python's `re` (which validates
// JSON Schema in practice) are errors, and \D \W \S are limited so that a match under one
// engine is a match under the other. Backreferences, lookaround and \b are errors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/grammar.h"

namespace flash::grammar {

struct RegexOptions {
    // Code points no match may contain; JSON strings exclude '"', '\\' and U+0000-U+001F so
    // a match can be written between quotes without escapes.
    std::vector<CodeRange> exclude;
    // Search semantics (JSON Schema `pattern`): a string matches if some substring does, as
    // if the pattern were .*(p).*, except at an end that ^ or $ anchors. Off: the whole string
    // must match, and ^ $ at the ends change nothing.
    bool search = false;
    std::string name = "regex";  // base name of the rules made
};

// Adds rules matching exactly the pattern's language (under `options`) and returns the top
// one. Throws flash::Error "regex: <what> at position <n>" (0-based code point index), or
// "regex: pattern matches no string" when nothing can match.
uint32_t add_regex(GrammarBuilder& b, std::string_view pattern, const RegexOptions& options = {});

// A whole grammar for the pattern (full-match semantics unless options.search).
Grammar compile_regex(std::string_view pattern, const RegexOptions& options = {});

}  // namespace flash::grammar
