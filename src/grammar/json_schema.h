// JSON Schema → Grammar: every output the grammar allows validates against the schema (Draft
// 2020-12), and whitespace is bounded. Keywords flash cannot enforce are errors naming the
// keyword and its JSON pointer (warnings when lenient); annotations are ignored. Also the
// grammar for any JSON value (response_format json_object).
//
// Whitespace: compact (default) writes no whitespace except at most one space after ':' and
// ','; pretty writes a newline and `indent` spaces per level inside non-empty objects and
// arrays and one space after ':' (nesting deeper than 16 levels is written compactly).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "grammar/grammar.h"

namespace flash::grammar {

struct JsonSchemaOptions {
    bool pretty = false;  // see the whitespace policy above
    int indent = 2;
    // Keywords that are ignored with a warning instead of an error.
    std::vector<std::string> lenient_keywords;
    bool lenient = false;  // every unenforceable keyword becomes a warning
    // Caps for strings (characters) and arrays (items) whose schema sets none; 0: none. Tool
    // calls use them so a model that loops inside a value must still finish the call.
    int64_t default_max_length = 0;
    int64_t default_max_items = 0;
};

struct JsonSchemaResult {
    Grammar grammar;
    std::vector<std::string> warnings;
};

// Properties are generated in the order of `properties`; nlohmann::json keeps keys sorted, so
// pass an ordered_json (or text) to keep the schema author's order.
JsonSchemaResult compile_json_schema(const nlohmann::json& schema,
                                     const JsonSchemaOptions& options = {});
JsonSchemaResult compile_json_schema(const nlohmann::ordered_json& schema,
                                     const JsonSchemaOptions& options = {});
// Parses `text` first; malformed JSON is an error naming line and column.
JsonSchemaResult compile_json_schema_text(std::string_view text,
                                          const JsonSchemaOptions& options = {});

// Any JSON value, with the same whitespace policy.
Grammar json_any_grammar(const JsonSchemaOptions& options = {});

}  // namespace flash::grammar
