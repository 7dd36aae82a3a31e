// JSON Schema front end: errors (malformed JSON, unsupported keywords with their pointers,
// unsatisfiable schemas), lenient warnings, and the limits on size and depth.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "grammar/json_schema.h"

namespace flash::grammar {
namespace {

std::string error_of(const std::string& text, const JsonSchemaOptions& options = {}) {
    try {
        compile_json_schema_text(text, options);
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(JsonSchemaErrorsTest, MalformedJsonNamesLineAndColumn) {
    const std::string msg = error_of("{\n  \"type\": \"object\",\n  \"properties\": {,}\n}");
    EXPECT_EQ(msg.rfind("json schema: invalid JSON at line 3, column 18: syntax error", 0), 0u)
        << msg;
    EXPECT_EQ(error_of("").rfind("json schema: invalid JSON at line 1, column 1", 0), 0u);
}

TEST(JsonSchemaErrorsTest, UnsupportedKeywordsNameKeywordAndPointer) {
    EXPECT_EQ(
        error_of(R"({"type":"object","properties":{"tags":{"type":"array","uniqueItems":true}}})"),
        "json schema: keyword 'uniqueItems' at /properties/tags is not supported");
    EXPECT_EQ(error_of(R"({"type":"number","multipleOf":3})"),
              "json schema: keyword 'multipleOf' at / is not supported");
    for (const char* kw :
         {"patternProperties", "propertyNames", "dependentRequired", "if", "not", "contains",
          "minProperties", "maxProperties", "unevaluatedProperties", "x-custom"}) {
        const std::string text = std::string(R"({"$defs":{"a":{"type":"object",")") + kw +
                                 R"(":{}}},"$ref":"#/$defs/a"})";
        EXPECT_EQ(error_of(text),
                  std::string("json schema: keyword '") + kw + "' at /$defs/a is not supported")
            << kw;
    }
    EXPECT_EQ(error_of(R"({"$ref":"https://example.com/other.json"})"),
              "json schema: keyword '$ref' at / is not supported: remote reference "
              "'https://example.com/other.json'");
    EXPECT_EQ(error_of(R"({"items":{"$id":"x","type":"string"}})"),
              "json schema: keyword '$id' at /items is not supported: $id below the root");
    EXPECT_EQ(error_of(R"({"type":"string","format":"hostname"})"),
              "json schema: keyword 'format' at / is not supported: unknown format 'hostname'");
    EXPECT_EQ(error_of(R"({"type":"string","pattern":"^a","maxLength":3})"),
              "json schema: keyword 'maxLength' at / is not supported: together with 'pattern'");
    EXPECT_EQ(error_of(R"j({"type":"string","pattern":"(?=a)"})j"),
              "json schema: keyword 'pattern' at / is not supported: regex: lookahead is not "
              "supported at position 0");
    EXPECT_EQ(
        error_of(R"({"enum":["a","bb"],"maxLength":1})"),
        "json schema: keyword 'maxLength' at / is not supported: alongside 'enum' or 'const'");
}

TEST(JsonSchemaErrorsTest, AnnotationsAreIgnoredSilently) {
    const auto r = compile_json_schema_text(R"({
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://x/y.json",
        "title": "t", "description": "d", "default": 1, "examples": [1], "$comment": "c",
        "deprecated": false, "readOnly": true, "writeOnly": false, "type": "integer"})");
    EXPECT_TRUE(r.warnings.empty());
}

TEST(JsonSchemaErrorsTest, LenientTurnsErrorsIntoWarnings) {
    const std::string text =
        R"({"type":"object","properties":{"tags":{"type":"array","uniqueItems":true},)"
        R"("n":{"type":"number","multipleOf":2}}})";
    JsonSchemaOptions lenient;
    lenient.lenient = true;
    const auto r = compile_json_schema_text(text, lenient);
    ASSERT_EQ(r.warnings.size(), 2u);
    EXPECT_EQ(r.warnings[0],
              "json schema: keyword 'uniqueItems' at /properties/tags is not supported");
    EXPECT_EQ(r.warnings[1], "json schema: keyword 'multipleOf' at /properties/n is not supported");

    JsonSchemaOptions some;
    some.lenient_keywords = {"uniqueItems"};
    EXPECT_EQ(error_of(text, some),
              "json schema: keyword 'multipleOf' at /properties/n is not supported");
    some.lenient_keywords.push_back("multipleOf");
    EXPECT_EQ(compile_json_schema_text(text, some).warnings.size(), 2u);
}

TEST(JsonSchemaErrorsTest, OneOfMustHaveExclusiveBranches) {
    EXPECT_EQ(error_of(R"({"oneOf":[{"type":"string"},{"type":"string","maxLength":3}]})"),
              "json schema: keyword 'oneOf' at / is not supported: branches 0 and 1 may both "
              "match (flash enforces oneOf only for mutually exclusive branches)");
    EXPECT_EQ(
        error_of(R"({"oneOf":[{"type":"integer"},{"type":"number"}]})").find("branches 0 and 1"),
        std::string("json schema: keyword 'oneOf' at / is not supported: ").size());
    // Equal values, whatever the key order, overlap.
    EXPECT_NE(error_of(R"({"oneOf":[{"const":{"a":1,"b":2}},{"enum":[{"b":2,"a":1}]}]})")
                  .find("branches 0 and 1 may both match"),
              std::string::npos);
    // Exclusive by type, by values, and by a discriminating required property.
    EXPECT_NO_THROW(
        compile_json_schema_text(R"({"oneOf":[{"type":"string"},{"type":"integer"}]})"));
    EXPECT_NO_THROW(compile_json_schema_text(R"({"oneOf":[{"const":1},{"enum":[2,"a"]}]})"));
    EXPECT_NO_THROW(compile_json_schema_text(R"({"oneOf":[
        {"type":"object","properties":{"kind":{"const":"a"},"x":{}},"required":["kind"]},
        {"type":"object","properties":{"kind":{"enum":["b","c"]}},"required":["kind"]}]})"));
    JsonSchemaOptions lenient;
    lenient.lenient = true;
    EXPECT_EQ(
        compile_json_schema_text(R"({"oneOf":[{"type":"integer"},{"type":"number"}]})", lenient)
            .warnings.size(),
        1u);
}

TEST(JsonSchemaErrorsTest, BrokenSchemasAreErrors) {
    EXPECT_EQ(error_of(R"({"$ref":"#/$defs/missing"})"),
              "json schema: $ref '#/$defs/missing' at / does not resolve");
    EXPECT_EQ(error_of(R"({"type":"strin"})"),
              "json schema: 'type' at / must be a type name or a non-empty array of type names");
    EXPECT_EQ(error_of(R"({"minLength":-1})"),
              "json schema: 'minLength' at / must be a non-negative integer");
    EXPECT_EQ(error_of(R"({"properties":{"a":3}})"),
              "json schema: schema at /properties/a must be an object or a boolean");
    EXPECT_EQ(error_of("false"), "json schema: the schema accepts no value");
    EXPECT_EQ(error_of(R"({"type":"string","enum":[1,2]})"),
              "json schema: the schema accepts no value");
    EXPECT_EQ(error_of(R"({"allOf":[{"type":"string"},{"type":"integer"}]})"),
              "json schema: the schema accepts no value");
    EXPECT_EQ(error_of(R"({"type":"object","required":["a"],"additionalProperties":false})"),
              "json schema: the schema accepts no value");
    EXPECT_EQ(error_of(R"({"allOf":[{"pattern":"a"},{"pattern":"b"}]})"),
              "json schema: keyword 'allOf' at / is not supported: two different 'pattern' "
              "values cannot be combined");
    EXPECT_EQ(
        error_of(
            R"({"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"allOf":[{"$ref":"#/$defs/a"}]})")
            .rfind("json schema: grammar: rule 'defs-a' is left-recursive", 0),
        0u);
}

TEST(JsonSchemaErrorsTest, NumberBoundsThatCannotBeExactAreErrors) {
    EXPECT_EQ(error_of(R"({"type":"number","maximum":1e300})"),
              "json schema: keyword 'maximum' at / is not supported: the bound is too large to "
              "enforce exactly");
    EXPECT_EQ(error_of(R"({"type":"integer","minimum":1e30})"),
              "json schema: keyword 'minimum' at / is not supported: the bound is too large to "
              "enforce exactly");
    EXPECT_NO_THROW(compile_json_schema_text(
        R"({"type":"integer","minimum":1e15,"maximum":18446744073709551615})"));
}

TEST(JsonSchemaErrorsTest, DepthAndSizeLimits) {
    std::string deep = "true";
    for (int i = 0; i < 70; ++i) deep = R"({"type":"array","items":)" + deep + "}";
    EXPECT_EQ(error_of(deep).rfind("json schema: schema at /items/items/", 0), 0u)
        << error_of(deep);
    EXPECT_NE(error_of(deep).find("is nested too deeply (limit 64 levels)"), std::string::npos);

    std::string ok = "true";
    for (int i = 0; i < 60; ++i) ok = R"({"type":"array","items":)" + ok + "}";
    EXPECT_NO_THROW(compile_json_schema_text(ok));

    EXPECT_EQ(error_of(R"({"type":"string","maxLength":1000000})"),
              "json schema: keyword 'maxLength' at / is not supported: above the limit 100000");

    // Many large bounded strings: the rule budget stops it.
    nlohmann::json big = {{"type", "object"}, {"properties", nlohmann::json::object()}};
    for (int i = 0; i < 30; ++i) {
        std::string name = "p";
        name += std::to_string(i);
        big["properties"][name] = {{"type", "string"}, {"maxLength", 90000 + i}};
    }
    EXPECT_EQ(error_of(big.dump()), "json schema: the grammar needs more than 100000 rules");
}

TEST(JsonSchemaErrorsTest, RecursionCompilesToRuleReferences) {
    const auto r = compile_json_schema_text(R"({
        "$defs": {"node": {"type": "object",
            "properties": {"value": {"type": "integer"},
                           "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
            "required": ["value"], "additionalProperties": false}},
        "$ref": "#/$defs/node"})");
    EXPECT_LT(r.grammar.rules.size(), 200u);
    JsonSchemaOptions pretty;
    pretty.pretty = true;
    const auto p = compile_json_schema_text(
        R"({"$ref":"#/$defs/t","$defs":{"t":{"type":"array","items":{"$ref":"#/$defs/t"}}}})",
        pretty);
    EXPECT_LT(p.grammar.rules.size(), 2000u);
}

}  // namespace
}  // namespace flash::grammar
