// Normal form of a subschema for the JSON Schema compiler: a plain schema (no $ref or
// combinators), a reference to compile as a rule (so recursion stays finite), or a union of
// branches (anyOf / oneOf). allOf and a $ref with sibling keywords are intersected here by
// merging plain schemas keyword by keyword; whatever cannot be merged exactly is reported.
#pragma once

#include <string>
#include <vector>

#include "grammar/json_schema_context.h"

namespace flash::grammar::detail {

struct SchemaNode {
    enum class Kind { Plain, Ref, AnyOf, OneOf };
    Kind kind = Kind::Plain;
    const Json* schema = nullptr;      // Plain: object without $ref/combinators, or a boolean;
                                       // Ref: the target
    std::string ptr;                   // where it came from, for messages
    std::vector<SchemaNode> branches;  // AnyOf, OneOf
};

class SchemaNormalizer {
  public:
    explicit SchemaNormalizer(SchemaContext& ctx) : ctx_(ctx) {}

    SchemaNode normalize(const Json& schema, const std::string& ptr, int depth = 0);

    // Reports 'oneOf' unless its branches are pairwise mutually exclusive (judged from types,
    // enum/const values and required properties with disjoint const/enum values); when
    // lenient the caller generates it as anyOf.
    void check_exclusive(const SchemaNode& one_of);

  private:
    SchemaNode intersect(SchemaNode a, SchemaNode b, const std::string& ptr, int depth);
    SchemaNode inline_ref(const SchemaNode& ref, int depth);
    const Json& merge_plain(const Json& a, const Json& b, const std::string& ptr);
    void depth_check(int depth, const std::string& ptr) const;

    struct Signature;
    Signature signature(const SchemaNode& node, int depth);
    static bool disjoint(const Signature& a, const Signature& b);

    SchemaContext& ctx_;
    size_t branches_made_ = 0;
};

}  // namespace flash::grammar::detail
