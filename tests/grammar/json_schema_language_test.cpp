// JSON Schema front end: which texts the compiled grammars accept, through the reference
// recognizer — types, objects, arrays, strings, formats, exact integer and decimal bounds,
// combinators, recursion and the whitespace policy.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "grammar/json_schema.h"
#include "reference_recognizer.h"

namespace flash::grammar {
namespace {

using testing::ReferenceRecognizer;

void expect_language(const std::string& schema, const std::vector<std::string>& yes,
                     const std::vector<std::string>& no, const JsonSchemaOptions& options = {}) {
    SCOPED_TRACE(schema);
    const JsonSchemaResult r = compile_json_schema_text(schema, options);
    ReferenceRecognizer rr(r.grammar);
    for (const std::string& s : yes) EXPECT_TRUE(rr.accepts(s)) << "should accept " << s;
    for (const std::string& s : no) EXPECT_FALSE(rr.accepts(s)) << "should reject " << s;
}

TEST(JsonSchemaLanguageTest, ScalarTypes) {
    expect_language(
        R"({"type":"string"})",
        {R"("")", R"("a b")", R"("\"\\\/\b\f\n\r\t")", R"("\u00e9\uD83D\uDE00")", "\"é😀\""},
        {R"("a)", "\"a\nb\"", R"("\x")", R"("\uD83D")", R"("\u12")", "1"});
    // Digit runs are bounded (16 integer, 16 fraction, 3 exponent digits) so generation
    // cannot loop inside a number.
    expect_language(R"({"type":"integer"})", {"0", "-7", "1234567890123456"},
                    {"01", "-0", "1.5", "1e3", "+1", "-", "", "12345678901234567"});
    expect_language(R"({"type":"number"})",
                    {"0", "-0.5", "1.25e-3", "1E+9", "10", "0.1234567890123456", "1e308"},
                    {"01", ".5", "1.", "1e", "--1", "0x1", "0.12345678901234567", "1e1000"});
    expect_language(R"({"type":"boolean"})", {"true", "false"}, {"True", "1"});
    expect_language(R"({"type":"null"})", {"null"}, {"nil", ""});
    expect_language(R"({"type":["string","null"]})", {"null", R"("x")"}, {"1"});
    expect_language(R"({})", {"1", R"({"a":[null,true]})", R"("s")"}, {"{", "nul"});
}

TEST(JsonSchemaLanguageTest, ObjectsKeepOrderRequireAndLimitExtras) {
    const std::string schema = R"({"type":"object","properties":{
        "b":{"type":"integer"},"a":{"type":"string"},"c":{"type":"boolean"}},
        "required":["a"],"additionalProperties":false})";
    expect_language(schema,
                    {R"({"a":"x"})", R"({"b":1,"a":"x"})", R"({"b":1,"a":"x","c":true})",
                     R"({"a":"x","c":false})", R"({"b": 1, "a": "x"})"},
                    {R"({})", R"({"b":1})", R"({"a":"x","b":1})", R"({"a":"x","d":1})",
                     R"({"a":1})", R"({"b":1,,"a":"x"})", R"({"a":"x",})", R"({ "a":"x"})",
                     R"({"a":  "x"})", R"({"a" :"x"})"});
    // Extras with any value, but never under a declared name (even an omitted one).
    expect_language(
        R"({"type":"object","properties":{"a":{"type":"integer"}}})",
        {R"({})", R"({"a":1})", R"({"a":1,"zz":[1,{"q":null}]})", R"({"ab":"x"})", R"({"":1})"},
        {R"({"a":"x"})", R"({"b":1,"a":1})", R"({"x":1,"a":2})"});
    expect_language(R"({"type":"object","additionalProperties":{"type":"integer"}})",
                    {R"({})", R"({"x":1,"y":2})"}, {R"({"x":"s"})"});
    // Required but not declared: written after the declared ones, under additionalProperties.
    expect_language(R"({"type":"object","properties":{"a":{"const":1}},"required":["z"],
                        "additionalProperties":{"type":"string"}})",
                    {R"({"z":"s"})", R"({"a":1,"z":"s"})", R"({"a":1,"z":"s","q":"t"})"},
                    {R"({})", R"({"z":1})", R"({"a":1})"});
    expect_language(
        R"({"type":"object","properties":{"a":false,"b":{}},"additionalProperties":false})",
        {R"({})", R"({"b":2})"}, {R"({"a":1})"});
}

TEST(JsonSchemaLanguageTest, EnumAndConst) {
    expect_language(R"({"enum":["red",1,null,{"k":[1,2]},"x\"y",2.5]})",
                    {R"("red")", "1", "null", R"({"k":[1,2]})", R"("x\"y")", "2.5"},
                    {R"("blue")", "2", R"({"k":[1]})"});
    expect_language(R"({"type":"string","enum":["a",1,"b"]})", {R"("a")", R"("b")"}, {"1"});
    expect_language(R"({"const":"fixed"})", {R"("fixed")"}, {R"("other")"});
    expect_language(R"({"const":1,"enum":[1,2]})", {"1"}, {"2"});
}

TEST(JsonSchemaLanguageTest, Arrays) {
    expect_language(R"({"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":3})",
                    {"[1]", "[1,2,3]", "[1, 2]"}, {"[]", "[1,2,3,4]", "[1,]", R"(["a"])"});
    expect_language(R"({"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}],
                        "items":false})",
                    {"[]", R"(["a"])", R"(["a",1])"}, {R"(["a",1,2])", "[1]"});
    expect_language(R"({"type":"array","prefixItems":[{"type":"string"}],"items":{"type":"null"},
                        "minItems":2})",
                    {R"(["a",null])", R"(["a",null,null])"}, {R"(["a"])", "[null,null]"});
    expect_language(R"({"type":"array","items":[{"type":"integer"}],"additionalItems":false})",
                    {"[]", "[1]"}, {"[1,2]"});
    expect_language(R"({"type":"array"})", {"[]", R"([1,"a",[{}]])"}, {"[", "[1 2]"});
}

TEST(JsonSchemaLanguageTest, StringLengthsCountCodePoints) {
    expect_language(R"({"type":"string","minLength":2,"maxLength":3})",
                    {R"("ab")", R"("abc")", "\"é😀\"", R"("\n\u00e9")", R"("a\uD83D\uDE00")"},
                    {R"("a")", R"("abcd")", "\"😀\"", R"("\uD83D\uDE00")", R"("\"\"\"\"")"});
    expect_language(R"({"type":"string","maxLength":0})", {R"("")"}, {R"("a")"});
}

TEST(JsonSchemaLanguageTest, PatternsSearchAndAvoidEscapes) {
    expect_language(R"({"type":"string","pattern":"^[a-z]{2,4}$"})", {R"("ab")", R"("abcd")"},
                    {R"("a")", R"("abcde")", R"("AB")"});
    expect_language(R"({"type":"string","pattern":"\\d\\d"})", {R"("12")", R"("x12y")"},
                    {R"("1x2")", R"("\"12")"});
}

TEST(JsonSchemaLanguageTest, Formats) {
    expect_language(R"({"type":"string","format":"date"})",
                    {R"("2024-02-29")", R"("2000-02-29")", R"("2023-12-31")", R"("0001-01-01")"},
                    {R"("2023-02-29")", R"("1900-02-29")", R"("2023-04-31")", R"("0000-01-01")",
                     R"("2023-13-01")", R"("2023-1-01")"});
    expect_language(R"({"type":"string","format":"time"})", {R"("23:59:59Z")", R"("00:00:00.5+01:00")"},
                    {R"("24:00:00Z")", R"("12:60:00Z")", R"("12:00:00")", R"("1:00:00Z")"});
    expect_language(R"({"type":"string","format":"date-time"})",
                    {R"("2024-01-02T03:04:05Z")", R"("2024-02-29T23:59:59.5+05:30")"},
                    {R"("2024-01-02 03:04:05Z")", R"("2024-01-02T03:04:05")"});
    expect_language(R"({"type":"string","format":"uuid"})",
                    {R"("123e4567-e89b-12d3-a456-426614174000")"},
                    {R"("123e4567e89b12d3a456426614174000")"});
    expect_language(R"({"type":"string","format":"email"})", {R"("a.b+c@example.co")"},
                    {R"("a@b")", R"("@example.com")", R"("a..b@example.com")"});
    expect_language(R"({"type":"string","format":"uri"})",
                    {R"("https://x.org/a?b=c#d")", R"("urn:isbn:1")"},
                    {R"("no scheme")", R"("http://x/%zz")", R"("x:a[b]")", R"("a:)])b")"});
    expect_language(R"({"type":"string","format":"ipv4"})", {R"("192.168.0.1")"},
                    {R"("256.1.1.1")", R"("01.1.1.1")"});
}

// Every integer in -120..120 against exact bounds.
TEST(JsonSchemaLanguageTest, IntegerBoundsAreExact) {
    struct Bounds {
        const char* keywords;
        long lo, hi;  // inclusive expectation
    };
    const std::vector<Bounds> cases = {
        {R"("minimum":-37,"maximum":55)", -37, 55},
        {R"("exclusiveMinimum":-37,"exclusiveMaximum":55)", -36, 54},
        {R"("minimum":-37,"exclusiveMinimum":-30)", -29, 1000},
        {R"("minimum":0)", 0, 1000},
        {R"("exclusiveMinimum":0)", 1, 1000},
        {R"("maximum":-1)", -1000, -1},
        {R"("minimum":-100,"maximum":-10)", -100, -10},
        {R"("minimum":9,"maximum":10)", 9, 10},
        {R"("minimum":7,"maximum":7)", 7, 7},
        {R"("minimum":1.5,"maximum":99.5)", 2, 99},
        {R"("exclusiveMinimum":-2.5,"exclusiveMaximum":3.0)", -2, 2},
        {R"("minimum":-5,"maximum":119)", -5, 119},
        {R"("minimum":100)", 100, 1000},
    };
    for (const Bounds& c : cases) {
        const std::string schema = std::string(R"({"type":"integer",)") + c.keywords + "}";
        SCOPED_TRACE(schema);
        ReferenceRecognizer rr(compile_json_schema_text(schema).grammar);
        for (long v = -120; v <= 120; ++v) {
            EXPECT_EQ(rr.accepts(std::to_string(v)), v >= c.lo && v <= c.hi) << v;
        }
        EXPECT_FALSE(rr.accepts("-0"));
        EXPECT_FALSE(rr.accepts("007"));
    }
    expect_language(
        R"({"type":"integer","minimum":99999999999999999,"maximum":100000000000000001})",
        {"99999999999999999", "100000000000000000", "100000000000000001"},
        {"99999999999999998", "100000000000000002", "1000000000000000000"});
    expect_language(
        R"({"type":"integer","minimum":-9223372036854775808,"maximum":18446744073709551615})",
        {"-9223372036854775808", "18446744073709551615", "0"},
        {"-9223372036854775809", "18446744073709551616"});
}

TEST(JsonSchemaLanguageTest, NumberBoundsAreExact) {
    const std::string schema = R"({"type":"number","minimum":-1.5,"exclusiveMaximum":12.25})";
    ReferenceRecognizer rr(compile_json_schema_text(schema).grammar);
    for (int v = -300; v <= 1300; ++v) {  // every multiple of 0.01 in -3..13
        const double x = v / 100.0;
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.2f", x);
        EXPECT_EQ(rr.accepts(buf), x >= -1.5 && x < 12.25) << buf;
    }
    for (const char* yes : {"-1", "12", "0", "-0.0", "12.24999", "-1.5000", "0.000001"}) {
        EXPECT_TRUE(rr.accepts(yes)) << yes;
    }
    for (const char* no : {"-2", "13", "12.25", "12.250", "-1.50001", "1e1", "01.5", ".5"}) {
        EXPECT_FALSE(rr.accepts(no)) << no;
    }
    expect_language(R"({"type":"number","exclusiveMinimum":0,"maximum":1})",
                    {"1", "1.0", "0.5", "0.0001", "1.000"}, {"0", "0.0", "-0.5", "1.0001", "2"});
    expect_language(R"({"type":"number","minimum":100})", {"100", "100.0", "12345.678"},
                    {"99.99", "-100"});
}

TEST(JsonSchemaLanguageTest, Combinators) {
    expect_language(R"({"anyOf":[{"type":"string","maxLength":1},{"type":"integer","minimum":5}]})",
                    {R"("a")", "5", "77"}, {R"("ab")", "4"});
    expect_language(
        R"({"allOf":[{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]},
                                 {"properties":{"b":{"type":"string"}},"required":["b"]}]})",
        {R"({"a":1,"b":"x"})", R"({"a":1,"b":"x","c":0})"},
        {R"({"a":1})", R"({"b":"x","a":1})", R"({"a":"1","b":"x"})"});
    // additionalProperties of one allOf member applies to the other member's properties.
    expect_language(R"({"allOf":[{"properties":{"a":{}},"additionalProperties":false},
                                 {"type":"object","properties":{"b":{}}}]})",
                    {R"({})", R"({"a":1})"}, {R"({"b":1})"});
    expect_language(R"({"type":"integer","allOf":[{"minimum":3},{"maximum":5}]})", {"3", "5"},
                    {"2", "6"});
    expect_language(R"({"$defs":{"pos":{"type":"integer","minimum":1}},
                        "$ref":"#/$defs/pos","maximum":3})",
                    {"1", "3"}, {"0", "4"});
    expect_language(R"({"type":"object","properties":{"k":{"type":"string"}},"required":["k"],
                        "oneOf":[{"properties":{"k":{"const":"a"}}},{"properties":{"k":{"const":"b"}}}]})",
                    {R"({"k":"a"})", R"({"k":"b"})"}, {R"({"k":"c"})"});
}

TEST(JsonSchemaLanguageTest, RecursiveRefs) {
    const std::string schema = R"({
        "$defs": {"node": {"type": "object",
            "properties": {"v": {"type": "integer", "minimum": 0, "maximum": 9},
                           "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}, "maxItems": 2}},
            "required": ["v"], "additionalProperties": false}},
        "$ref": "#/$defs/node"})";
    expect_language(
        schema, {R"({"v":1})", R"({"v":1,"kids":[{"v":2,"kids":[{"v":3}]},{"v":4}]})"},
        {R"({"v":10})", R"({"v":1,"kids":[{"v":2},{"v":3},{"v":4}]})", R"({"kids":[]})"});
    expect_language(R"({"anyOf":[{"type":"integer"},{"type":"array","items":{"$ref":"#"}}]})",
                    {"1", "[]", "[[1,[2]],3]"}, {"[[1,[\"a\"]]]"});
}

TEST(JsonSchemaLanguageTest, PrettyLayoutIsExact) {
    JsonSchemaOptions pretty;
    pretty.pretty = true;
    const std::string schema = R"({"type":"object","properties":{"a":{"type":"integer"},
        "b":{"type":"array","items":{"type":"integer"}},"c":{"type":"object"}},"required":["a"]})";
    expect_language(
        schema,
        {"{\n  \"a\": 1\n}", "{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ]\n}",
         "{\n  \"a\": 1,\n  \"b\": []\n}", "{\n  \"a\": 1,\n  \"c\": {\n    \"x\": null\n  }\n}"},
        {"{\"a\":1}", "{\n  \"a\":1\n}", "{\n \"a\": 1\n}", "{\n  \"a\": 1\n\n}",
         "{\n  \"a\": 1,\n  \"b\": [1, 2]\n}", "{\n  \"a\": 1 \n}"},
        pretty);
    pretty.indent = 4;
    expect_language(R"({"enum":[{"k":[1]}]})", {"{\n    \"k\": [\n        1\n    ]\n}"},
                    {"{\"k\":[1]}"}, pretty);
}

TEST(JsonSchemaLanguageTest, AnyJsonGrammar) {
    ReferenceRecognizer compact(json_any_grammar());
    for (const char* yes :
         {"{}", "[]", "1", "\"s\"", "{\"a\": [1, 2.5e3, true, null], \"b\":{}}"}) {
        EXPECT_TRUE(compact.accepts(yes)) << yes;
    }
    for (const char* no : {"{ }", "[1 ,2]", "{\"a\":  1}", "[1,2,]", "\n1"}) {
        EXPECT_FALSE(compact.accepts(no)) << no;
    }
    JsonSchemaOptions pretty;
    pretty.pretty = true;
    ReferenceRecognizer p(json_any_grammar(pretty));
    EXPECT_TRUE(p.accepts("{\n  \"a\": [\n    1\n  ]\n}"));
    EXPECT_FALSE(p.accepts("{\"a\":[1]}"));
}

}  // namespace
}  // namespace flash::grammar
