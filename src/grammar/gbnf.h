// GBNF (llama.cpp's grammar format) → Grammar. Rules `name ::= alternatives`, string literals
// and character classes with llama.cpp's escapes, '.', groups, * + ? {m} {m,} {m,n}, '#'
// comments and a required `root` rule. A top-level alternative may continue on the next line
// when that line starts with '|'. Token references (<[id]>, <token>, !...) are rejected.
#pragma once

#include <string_view>

#include "grammar/grammar.h"

namespace flash::grammar {

// Throws flash::Error "gbnf:<line>:<column>: <what>" (1-based, columns in code points) for
// syntax errors and undefined rules, "gbnf: ..." for a missing root or left recursion.
Grammar parse_gbnf(std::string_view text);

}  // namespace flash::grammar
