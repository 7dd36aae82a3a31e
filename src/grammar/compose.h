// Composing grammars: copies a finished Grammar's rules into a GrammarBuilder so that bigger
// grammars (a tool call whose arguments are a JSON Schema object, say) can be assembled from
// the front ends' outputs. Depends on grammar.h only.
#pragma once

#include <cstdint>
#include <string_view>

#include "grammar/grammar.h"

namespace flash::grammar {

// Adds every rule of `g` to `b` under names prefixed with `prefix` and returns the id, in
// `b`, of g's root rule. References inside `g` are renumbered; `g` is left unchanged.
uint32_t embed(GrammarBuilder& b, const Grammar& g, std::string_view prefix);

}  // namespace flash::grammar
