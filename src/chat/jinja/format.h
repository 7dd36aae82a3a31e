// Values as Python prints them: str() (what `{{ x }}` writes), repr() (inside lists and
// dicts: ['a', 1], {'k': None}), float repr (1.0, 1e-05, inf), and json.dumps as transformers'
// tojson filter calls it (ensure_ascii=False, no HTML escaping, key order kept).
// Depends on value.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "chat/jinja/value.h"

namespace flash::jinja {

std::string to_str(const Value& v);  // Python str(); undefined prints as ''
std::string repr(const Value& v);    // Python repr()
std::string float_repr(double d);    // repr(float): shortest round-trip digits

struct JsonStyle {
    std::optional<std::string> indent;  // json.dumps indent as a string of spaces (or as given)
    std::string item_sep = ", ";
    std::string key_sep = ": ";
    bool ensure_ascii = false;
    bool sort_keys = false;
    size_t max_bytes = SIZE_MAX;  // RenderError past this
};
// json.dumps; throws RenderError for values JSON cannot hold ("Object of type Undefined is not
// JSON serializable").
std::string to_json(const Value& v, const JsonStyle& style);

}  // namespace flash::jinja
