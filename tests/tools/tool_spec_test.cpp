// Tool specs: bad tool lists are errors that name the place; arguments are checked against
// the schema by its grammar.
#include <gtest/gtest.h>

#include "core/error.h"
#include "tools/tool_spec.h"
#include "tools/tools_test_util.h"

namespace flash::tools {
namespace {

std::string error_of(const std::string& text) {
    try {
        parse_tools_text(text);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(ToolSpec, ParsesOpenAIToolsInOrder) {
    const auto tools = testing::sample_tools();
    ASSERT_EQ(tools.size(), 2u);
    EXPECT_EQ(tools[0].name, "get_weather");
    EXPECT_EQ(tools[0].description, "Weather for a city");
    EXPECT_EQ(tools[1].name, "set_alarm");
    EXPECT_EQ(tools[0].parameters["additionalProperties"], false);
    EXPECT_EQ(find_tool(tools, "set_alarm"), &tools[1]);
    EXPECT_EQ(find_tool(tools, "nope"), nullptr);
}

TEST(ToolSpec, BadToolListsNameWhatAndWhere) {
    EXPECT_NE(error_of("{").find("invalid JSON"), std::string::npos);
    EXPECT_NE(error_of("{}").find("must be an array"), std::string::npos);
    const std::string dup = R"([{"type":"function","function":{"name":"f"}},
                               {"type":"function","function":{"name":"f"}}])";
    EXPECT_NE(error_of(dup).find("tools[1]: duplicate tool name 'f'"), std::string::npos);
    EXPECT_NE(error_of(R"([{"type":"function","function":{"name":"get weather"}}])")
                  .find("tools[0].function.name: 'get weather' is not a valid function name"),
              std::string::npos);
    EXPECT_NE(error_of(R"([{"type":"function","function":{}}])").find("tools[0].function.name"),
              std::string::npos);
    EXPECT_NE(error_of(R"([{"type":"retrieval"}])").find("only \"function\" tools"), std::string::npos);
    EXPECT_NE(error_of(R"([{"type":"function","function":{"name":"f","parameters":{"type":"array"}}}])")
                  .find("must have \"type\": \"object\""),
              std::string::npos);
    EXPECT_NE(error_of(R"([{"type":"function","function":{"name":"f","parameters":
                  {"type":"object","properties":{},"required":["x"]}}}])")
                  .find("'x' is required but not declared"),
              std::string::npos);
    // A keyword flash cannot enforce is an error with its JSON pointer, never ignored.
    const std::string e = error_of(R"([{"type":"function","function":{"name":"f","parameters":
        {"type":"object","properties":{"tags":{"type":"array","uniqueItems":true}}}}}])");
    EXPECT_NE(e.find("tools[0].function.parameters"), std::string::npos) << e;
    EXPECT_NE(e.find("uniqueItems"), std::string::npos) << e;
    EXPECT_NE(e.find("/properties/tags"), std::string::npos) << e;
}

TEST(ToolSpec, ArgumentsAreCheckedAgainstTheSchema) {
    const auto tools = testing::sample_tools();
    const ToolSpec& w = tools[0];
    std::string why;
    EXPECT_TRUE(arguments_valid(w, Json::parse(R"({"city": "Paris"})"), &why)) << why;
    // Any order of properties is fine: the check puts them in schema order.
    EXPECT_TRUE(arguments_valid(w, Json::parse(R"({"days": 3, "city": "Paris", "unit": "celsius"})")));
    EXPECT_FALSE(arguments_valid(w, Json::parse(R"({"unit": "celsius"})"), &why));
    EXPECT_EQ(why, "missing required argument 'city'");
    EXPECT_FALSE(arguments_valid(w, Json::parse(R"({"city": "Paris", "country": "FR"})"), &why));
    EXPECT_EQ(why, "unknown argument 'country'");
    EXPECT_FALSE(arguments_valid(w, Json::parse(R"({"city": "Paris", "unit": "kelvin"})")));
    EXPECT_FALSE(arguments_valid(w, Json::parse(R"({"city": "Paris", "days": 9})")));
    EXPECT_FALSE(arguments_valid(w, Json::parse(R"({"city": 3})")));
    EXPECT_FALSE(arguments_valid(w, Json::parse(R"([1])"), &why));
    EXPECT_EQ(why, "arguments are not a JSON object");
}

TEST(ToolSpec, UnboundedValuesAreCappedAndReportedAtTheCap) {
    ToolParseOptions options;
    options.max_string_length = 8;
    options.max_array_items = 3;
    const auto tools = parse_tools_text(R"([{"type": "function", "function": {"name": "tag",
        "parameters": {"type": "object", "properties": {
            "label": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
            "code": {"type": "string", "maxLength": 20}}}}}])",
                                        options);
    const ToolSpec& t = tools[0];
    EXPECT_TRUE(arguments_valid(t, Json::parse(R"({"label": "12345678", "tags": ["a", "b", "c"]})")));
    EXPECT_FALSE(arguments_valid(t, Json::parse(R"({"label": "123456789"})")));
    EXPECT_FALSE(arguments_valid(t, Json::parse(R"({"tags": ["a", "b", "c", "d"]})")));
    // A schema's own maxLength wins over the cap.
    EXPECT_TRUE(arguments_valid(t, Json::parse(R"({"code": "123456789012345"})")));
    EXPECT_EQ(capped_value(t, Json::parse(R"({"label": "1234567"})")), "");
    EXPECT_NE(capped_value(t, Json::parse(R"({"label": "12345678"})")).find("tag.label reached the 8-character cap"),
              std::string::npos);
    EXPECT_NE(capped_value(t, Json::parse(R"({"tags": ["a", "b", "c"]})")).find("tag.tags reached the 3-item cap"),
              std::string::npos);
    // The schema's own bound applies there, not the cap: reaching 8 characters says nothing.
    EXPECT_EQ(capped_value(t, Json::parse(R"({"code": "123456789012345"})")), "");
}

TEST(ToolSpec, CapsAreFollowedIntoNestedSchemas) {
    ToolParseOptions options;
    options.max_string_length = 4;
    options.max_array_items = 2;
    const auto tools = parse_tools_text(R"([{"type": "function", "function": {"name": "f",
        "parameters": {"type": "object", "properties": {
            "rows": {"type": "array", "maxItems": 5, "items": {"type": "object", "properties": {
                "id": {"type": "string", "maxLength": 10}, "note": {"type": "string"}}}},
            "mode": {"type": "string", "enum": ["quick", "thorough"]}}}}}])",
                                        options);
    const ToolSpec& t = tools[0];
    EXPECT_EQ(capped_value(t, Json::parse(R"({"rows": [{"id": "abcdef"}, {"id": "x"}, {}], "mode": "thorough"})")),
              "");
    EXPECT_NE(capped_value(t, Json::parse(R"({"rows": [{"id": "a", "note": "long note"}]})"))
                  .find("f.rows[0].note reached the 4-character cap"),
              std::string::npos);
}

}  // namespace
}  // namespace flash::tools
