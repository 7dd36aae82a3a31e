// Tools offered to a model, in OpenAI's `tools` shape: each function's name, description and
// JSON Schema for its arguments, checked and compiled once. A schema flash cannot enforce is
// an error naming the tool and the keyword's JSON pointer — a call the grammar cannot
// constrain is never silently passed through. Depends on grammar/.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "grammar/compiled_grammar.h"
#include "grammar/grammar.h"

namespace flash::tools {

using Json = nlohmann::ordered_json;

struct ToolSpec {
    std::string name;
    std::string description;
    Json parameters;  // an object schema; additionalProperties defaults to false (see below)
    Json openai;      // the tool as given, {"type":"function","function":{...}}, for templates
    // Compact JSON grammar of the arguments object, and its compiled form for checking
    // arguments that come from unconstrained output.
    grammar::Grammar arguments_grammar;
    std::shared_ptr<const grammar::CompiledGrammar> arguments_checker;
    std::vector<std::string> warnings;  // from lenient schema compilation
    // Caps the grammar puts on strings and arrays whose schema sets none (see below).
    int64_t max_string_length = 0;
    int64_t max_array_items = 0;
};

struct ToolParseOptions {
    bool lenient = false;  // unenforceable schema keywords warn instead of failing
    // A small model can loop inside a value ("chicken", "chicken", ...); with these caps on
    // strings (characters) and arrays (items) whose schema sets no maximum, every call still
    // ends. A value that reaches a cap is reported (ToolResponse::warnings). 0: no cap.
    int64_t max_string_length = 200;
    int64_t max_array_items = 32;
};

// Parses and checks an OpenAI `tools` array. Errors name the place: "tools[1].function.name:
// 'get weather' is not a valid function name (letters, digits, '_', '-', '.')", duplicate
// names, parameters that are not an object schema, `required` naming undeclared properties,
// unenforceable keywords. Arguments objects are closed (additionalProperties: false) unless
// the schema says otherwise, so a call cannot invent argument names.
std::vector<ToolSpec> parse_tools(const Json& tools, const ToolParseOptions& options = {});
std::vector<ToolSpec> parse_tools_text(std::string_view text, const ToolParseOptions& options = {});

const ToolSpec* find_tool(const std::vector<ToolSpec>& tools, std::string_view name);

// Whether `arguments` satisfy the tool's schema, judged by its compiled grammar on the
// canonical serialization (properties in schema order). Fills `why` when not.
bool arguments_valid(const ToolSpec& tool, const Json& arguments, std::string* why = nullptr);

// The first string or array in `arguments` that reached the tool's caps, as a message; "" if
// none did.
std::string capped_value(const ToolSpec& tool, const Json& arguments);

}  // namespace flash::tools
