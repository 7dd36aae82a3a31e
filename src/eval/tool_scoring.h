// BFCL-style AST scoring of tool calls: a case is right when the calls made match the
// expected calls one to one (in any order) by function name, every argument's value is among
// that argument's acceptable values, no unexpected argument appears, and an argument may be
// left out only where "" is acceptable. An irrelevance case (no expected calls) is right when
// no call is made. The data format is described in data/eval/tools/README.md.
// Depends on tools/tool_call.h.
#pragma once

#include <string>
#include <vector>

#include "tools/tool_call.h"

namespace flash::eval {

using Json = nlohmann::ordered_json;

struct ToolCase {
    std::string id;
    std::string category;  // simple, multiple, parallel, irrelevance
    std::string question;
    Json tools;     // OpenAI tools array
    Json expected;  // [{"name", "arguments": {param: [acceptable values]}}]
};

// Reads one JSONL file of cases; errors name the file and line.
std::vector<ToolCase> load_tool_cases(const std::string& path);
// simple, multiple, parallel and irrelevance .jsonl from a directory, in that order.
std::vector<ToolCase> load_tool_suite(const std::string& dir);

struct CallScore {
    bool names_right = false;  // the multiset of called names equals the expected one
    bool right = false;        // names and every argument right
    std::string why;           // the first mismatch, for the per-sample log
};

// Scores well-formed calls against a case's expected calls.
CallScore score_calls(const std::vector<tools::ToolCall>& calls, const Json& expected);

// Whether `value` matches one acceptable value: strings case-insensitively with surrounding
// spaces and trailing punctuation ignored, numbers by value, arrays element by element,
// objects member by member (each member a list of acceptable values).
bool value_matches(const Json& value, const Json& acceptable);

}  // namespace flash::eval
