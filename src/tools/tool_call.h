// A tool call as flash reports it (OpenAI's `tool_calls` entries), what was read from a
// model's output, and the caller's choice of whether and what to call.
// Depends on nothing but nlohmann-json.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flash::tools {

using Json = nlohmann::ordered_json;

struct ToolCall {
    std::string id;    // "call_1", ... unique within a response
    std::string name;
    Json arguments = Json::object();

    // {"id": ..., "type": "function", "function": {"name": ..., "arguments": "<JSON text>"}}
    Json to_openai() const;
};

// What a format parser read from one model output.
struct ParsedOutput {
    std::string content;          // text outside the calls (trimmed)
    std::vector<ToolCall> calls;  // in output order, ids not yet assigned
    bool attempted = false;       // the output contains the format's call syntax at all
    std::vector<std::string> errors;  // malformed call syntax, with what was expected
};

// OpenAI's tool_choice: "auto" (the model decides), "none" (no call), "required" (at least
// one call) or one named function.
struct ToolChoice {
    enum class Mode { Auto, None, Required, Named };
    Mode mode = Mode::Auto;
    std::string name;  // Named

    // Accepts "auto" | "none" | "required" | a function name, or OpenAI's object form
    // {"type": "function", "function": {"name": ...}}. Throws flash::Error otherwise.
    static ToolChoice parse(const Json& value);
    std::string to_string() const;
};

}  // namespace flash::tools
