// Shared fixtures for the tool-calling tests: a small weather/calendar tool set and a
// byte-level grammar check (no tokenizer needed).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "grammar/compiled_grammar.h"
#include "grammar/matcher.h"
#include "tools/tool_spec.h"

namespace flash::tools::testing {

inline const char* kToolsJson = R"([
  {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {
       "city": {"type": "string"},
       "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
       "days": {"type": "integer", "minimum": 1, "maximum": 7}},
     "required": ["city"]}}},
  {"type": "function", "function": {"name": "set_alarm", "description": "Set an alarm",
    "parameters": {"type": "object", "properties": {
       "time": {"type": "string"},
       "repeat": {"type": "boolean"}},
     "required": ["time", "repeat"]}}}
])";

inline std::vector<ToolSpec> sample_tools() { return parse_tools_text(kToolsJson); }

// Whether the whole of `text` is a complete sentence of `g`.
inline bool grammar_accepts(const grammar::Grammar& g, std::string_view text) {
    static const auto vocab = grammar::TokenVocabulary::from_pieces({" "}, {});
    grammar::Matcher m(grammar::CompiledGrammar::compile(g), vocab);
    return m.accept_bytes(text) && m.is_complete();
}

// Whether `text` is a valid prefix (possibly complete) of `g`.
inline bool grammar_allows_prefix(const grammar::Grammar& g, std::string_view text) {
    static const auto vocab = grammar::TokenVocabulary::from_pieces({" "}, {});
    grammar::Matcher m(grammar::CompiledGrammar::compile(g), vocab);
    return m.accept_bytes(text);
}

}  // namespace flash::tools::testing
