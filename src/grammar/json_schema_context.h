// Shared state of one JSON Schema compilation: the document, limits, JSON pointers, keyword
// tables, error/warning reporting (lenient or not) and $ref resolution within the document.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "grammar/json_schema.h"

namespace flash::grammar::detail {

using Json = nlohmann::ordered_json;

constexpr int kMaxSchemaDepth = 64;          // nesting of subschemas, $ref hops included
constexpr size_t kMaxRules = 100000;         // rules in one compiled grammar
constexpr int64_t kMaxRepeatBound = 100000;  // minLength/maxLength/minItems/maxItems

std::string pointer_child(const std::string& ptr, std::string_view token);
std::string pointer_child(const std::string& ptr, size_t index);
// "" (the root) reads as "/".
std::string show_pointer(const std::string& ptr);

// Ignored without a word: title, description, default, ...
bool is_annotation(std::string_view keyword);
// Keywords the compiler enforces (or that only hold subschemas: $defs, definitions).
bool is_known(std::string_view keyword);

struct SchemaRef {
    const Json* schema = nullptr;
    std::string ptr;
};

class SchemaContext {
  public:
    SchemaContext(const Json& root, const JsonSchemaOptions& options);

    const Json& root() const { return root_; }
    const JsonSchemaOptions& options() const { return options_; }

    // "json schema: keyword 'k' at P is not supported[: detail]": thrown, or recorded as a
    // warning when the options make `keyword` lenient (the caller then ignores it).
    void unsupported(std::string_view keyword, const std::string& ptr,
                     const std::string& detail = {});
    [[noreturn]] void fail(const std::string& message) const;

    // Resolves a $ref found at `ptr`. nullopt: a remote reference, reported as unsupported
    // (so only when lenient).
    std::optional<SchemaRef> resolve(const std::string& ref, const std::string& ptr);

    // Keeps a synthesized schema (a merge of allOf members) alive for the compilation.
    const Json& store(Json schema);

    std::vector<std::string> take_warnings() { return std::move(warnings_); }

  private:
    void collect_anchors(const Json& node, const std::string& ptr, int depth);

    const Json& root_;
    const JsonSchemaOptions& options_;
    std::vector<std::string> warnings_;
    std::set<std::string> warned_;
    std::deque<Json> store_;
    std::optional<std::map<std::string, SchemaRef>> anchors_;
};

// Walks every subschema reachable from the root (following $ref): checks the shape of each
// keyword's value, the nesting limit, and reports keywords flash cannot enforce.
void check_schema(SchemaContext& ctx);

}  // namespace flash::grammar::detail
