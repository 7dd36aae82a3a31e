// Python's two string formatting languages as templates reach them: `"%s: %d" % (a, b)` (and
// the `format` filter, which is the same operator) and `"{} {name}".format(...)` (str.format,
// which jinja2's sandbox routes through its own formatter).
// Depends on value.h.
#pragma once

#include <string>
#include <string_view>

#include "chat/jinja/value.h"

namespace flash::jinja {

class Interpreter;

// `args` is a tuple for several values, a dict for %(name)s, anything else a single value.
std::string percent_format(Interpreter& in, std::string_view fmt, const Value& args);
std::string brace_format(Interpreter& in, std::string_view fmt, const CallArgs& args);

}  // namespace flash::jinja
