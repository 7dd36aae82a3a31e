// The grammar of a whole reply under a tool_choice: with "required" or a named function the
// reply is calls from its first byte; with "auto" it is free text up to the format's trigger
// and calls after it. Every call it allows names an offered function and carries arguments
// valid under that function's schema. Depends on tools/tool_format.h.
#pragma once

#include <optional>
#include <vector>

#include "grammar/grammar.h"
#include "tools/tool_call.h"
#include "tools/tool_format.h"
#include "tools/tool_spec.h"

namespace flash::tools {

// Calls one reply may hold when parallel calls are on: a model that repeats its call over
// and over must still stop.
constexpr int kMaxParallelCalls = 8;

// nullopt for tool_choice "none" (nothing to constrain). Throws flash::Error for a named
// function that is not among the tools, or no tools with a choice that needs one.
std::optional<grammar::Grammar> tool_call_grammar(const ToolFormat& format,
                                                  const std::vector<ToolSpec>& tools,
                                                  const ToolChoice& choice, bool parallel,
                                                  int max_calls = kMaxParallelCalls);

// Any text that does not contain `trigger`, optionally followed by the trigger and then
// `after` (a rule of `b`). Built as the trigger's KMP automaton, one rule per matched prefix.
uint32_t text_until_trigger(grammar::GrammarBuilder& b, std::string_view trigger, uint32_t after);

}  // namespace flash::tools
