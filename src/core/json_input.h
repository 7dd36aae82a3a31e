// JSON read from outside the process (HTTP bodies, CLI files, tool lists, schemas) parsed with
// bounds: nesting depth is limited while parsing, before anything recursive (dump(), schema
// compilation, error formatting) can walk the value, and numbers a double cannot hold are
// refused by name. nlohmann's parser itself is iterative; its serializer and our own walkers
// are not, so the depth limit is what keeps a 100,000-deep array from ending the process.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace flash {

// What parse_json throws: the message, and the path of the field it concerns ("messages[0].
// content"; empty at the top level) for callers that report the field separately.
class JsonInputError : public Error {
  public:
    JsonInputError(const std::string& message, std::string path);
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

// Deep enough for any real request (a schema at the 64 levels the schema compiler allows is
// about 130 JSON levels: each subschema sits in an object of "properties"), shallow enough
// that every recursive walk over the value stays far from the stack limit.
inline constexpr int kMaxJsonDepth = 256;

// Parses `text` as one JSON document. On failure throws JsonInputError starting with `what`
// ("request body", "schema file x.json"): "invalid JSON at line L, column C", "nested
// deeper than N levels", or "number out of range". Messages quote at most a short prefix.
template <class JsonT>
JsonT parse_json(std::string_view text, std::string_view what, int max_depth = kMaxJsonDepth);

extern template nlohmann::json parse_json<nlohmann::json>(std::string_view, std::string_view, int);
extern template nlohmann::ordered_json parse_json<nlohmann::ordered_json>(std::string_view,
                                                                          std::string_view, int);

// At most `max` bytes of `text` (cut on a UTF-8 boundary) with "…" when cut: for quoting a bad
// value in an error message without copying all of it.
std::string excerpt(std::string_view text, size_t max = 80);

// A JSON value's compact text through excerpt(). Safe on any value parse_json returned.
template <class JsonT>
std::string json_excerpt(const JsonT& value, size_t max = 80) {
    return excerpt(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), max);
}

}  // namespace flash
