// Structural checks on a Grammar shared by GrammarBuilder::build() and
// CompiledGrammar::compile() (which also accepts grammars assembled by hand).
#pragma once

#include <vector>

#include "grammar/grammar.h"

namespace flash::grammar {

// Throws flash::Error naming the rule if some rule can reach itself through leftmost positions
// (references preceded only by nullable elements). Iterative: safe on very deep grammars.
void check_left_recursion(const std::vector<Rule>& rules);

}  // namespace flash::grammar
