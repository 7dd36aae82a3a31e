// Reading Python literals — what pythonic tool calls ([name(key=value, ...)]) hold as values:
// strings in either quote, ints, floats, True/False/None, lists, tuples and dicts; JSON's
// true/false/null are accepted too. Written here because the calls are a tiny subset of
// Python that no Debian library parses on its own. Internal to tools/.
#pragma once

#include <string>
#include <string_view>

#include "tools/tool_call.h"

namespace flash::tools::detail {

// Parses one value at s[pos], advancing pos past it (and past spaces before it). Throws
// flash::Error naming the offset for anything else.
Json parse_python_value(std::string_view s, size_t& pos);
// Skips spaces, tabs and newlines.
void skip_space(std::string_view s, size_t& pos);
// An identifier (letters, digits, '_', '.', '-') at pos; empty if none.
std::string read_identifier(std::string_view s, size_t& pos);
// A value written as a Python literal (True/False/None, double-quoted strings).
std::string python_literal(const Json& value);

}  // namespace flash::tools::detail
