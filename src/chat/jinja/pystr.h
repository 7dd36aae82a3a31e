// Python's str methods over UTF-8 strings, indexed by code point as Python indexes them:
// strip/split/splitlines, case changes, find/count/replace, padding, repr() quoting and
// json.dumps string escapes. Used by filters, methods and value formatting.
// Depends on utf8.h only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flash::jinja::py {

// `chars` null: strip whitespace (str.isspace), as str.strip() with no argument.
std::string strip(std::string_view s, const std::string* chars, bool left, bool right);
// `sep` null: split on runs of whitespace. `maxsplit` < 0: no limit. Throws RenderError for an
// empty separator.
std::vector<std::string> split(std::string_view s, const std::string* sep, int64_t maxsplit);
std::vector<std::string> rsplit(std::string_view s, const std::string* sep, int64_t maxsplit);
std::vector<std::string> splitlines(std::string_view s, bool keepends);

std::string upper(std::string_view s);
std::string lower(std::string_view s);
std::string capitalize(std::string_view s);  // str.capitalize
std::string title(std::string_view s);       // str.title
std::string swapcase(std::string_view s);
std::string jinja_title(
    std::string_view s);                // the `title` filter: words split at -, space, ( { [ <
size_t word_count(std::string_view s);  // the `wordcount` filter: runs of \w

std::string replace(std::string_view s, std::string_view old, std::string_view with, int64_t count);
// Python's slice bounds for find/count/startswith (negative counts from the end).
struct Range {
    std::optional<int64_t> start, end;
};
int64_t find(std::string_view s, std::string_view sub, Range r, bool from_right);
int64_t count(std::string_view s, std::string_view sub, Range r);
bool starts_with(std::string_view s, std::string_view prefix, Range r);
bool ends_with(std::string_view s, std::string_view suffix, Range r);

std::string pad(std::string_view s, int64_t width, char32_t fill, char how);  // how: < > ^
std::string zfill(std::string_view s, int64_t width);

std::string repr(std::string_view s);                           // 'it''s' → "it's"
std::string json_quote(std::string_view s, bool ensure_ascii);  // json.dumps of a str
std::string html_escape(std::string_view s);                    // markupsafe.escape

// Python slice indices over a sequence of `length` items; throws RenderError for step 0.
std::vector<size_t> slice_indices(size_t length, std::optional<int64_t> start,
                                  std::optional<int64_t> stop, std::optional<int64_t> step);

}  // namespace flash::jinja::py
