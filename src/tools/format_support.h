// Building blocks the tool formats share: grammar pieces (literals, a tool's arguments
// object, one value per property, ordered optional members, repeated calls), reading JSON
// calls back, and Python-style JSON text (", " and ": " separators, as templates' tojson
// writes it). Internal to tools/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/grammar.h"
#include "tools/tool_call.h"
#include "tools/tool_format.h"
#include "tools/tool_spec.h"

namespace flash::tools::detail {

using grammar::Element;
using grammar::GrammarBuilder;
using grammar::Sequence;

Sequence lit(std::string_view text);
Sequence cat(Sequence a, const Sequence& b);
Element ref(uint32_t rule);

// The tool's arguments object as compact JSON (its ToolSpec grammar, embedded).
uint32_t arguments_rule(GrammarBuilder& b, const ToolSpec& tool);
// One property's value as JSON, compiled from its own schema (with the tool's $defs).
uint32_t property_value_rule(GrammarBuilder& b, const ToolSpec& tool, const std::string& property);

struct Member {
    Sequence body;
    bool required = false;
};
// The members in this order, the required ones always and the others optionally, with
// `separator` between two that are present.
uint32_t ordered_members(GrammarBuilder& b, std::string_view name,
                         const std::vector<Member>& members, const Sequence& separator);

// `first` then further calls, each `separator` + `next`, for count.min..count.max calls in all
// (count.min is at least 1 here).
uint32_t repeat_calls(GrammarBuilder& b, uint32_t first, const Sequence& separator, uint32_t next,
                      CallCount count);

// Properties of the tool's schema in order, with whether each is required.
std::vector<std::pair<std::string, bool>> properties(const ToolSpec& tool);
// The JSON type the schema declares for a property ("string", "boolean", ...; "" if none).
std::string property_type(const ToolSpec& tool, const std::string& property);

// End of the JSON value starting at s[start] ('{' or '['), honouring strings; npos if it
// does not close.
size_t json_value_end(std::string_view s, size_t start);
// A call from {"name": ..., "arguments"/"parameters": {...} or "<JSON text>"}; an error
// message when the object is not one.
std::optional<ToolCall> read_json_call(const Json& object, std::string* error);
// Parses JSON text, recording a message in `errors` on failure.
std::optional<Json> parse_json(std::string_view text, std::vector<std::string>& errors);

// JSON with Python json.dumps' default separators (", ", ": "), non-ASCII kept.
std::string python_json(const Json& value);
std::string trim(std::string_view s);
// The tools as a templates' `tools` list renders them: one JSON object per line.
std::string tool_lines(const std::vector<ToolSpec>& tools);

}  // namespace flash::tools::detail
