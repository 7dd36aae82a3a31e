// Every tool format: what render_calls writes, parse reads back; the required-mode grammar
// accepts it and refuses unknown functions, missing required arguments and ill-typed values;
// the auto-mode grammar lets free text through until the trigger.
#include <gtest/gtest.h>

#include "core/error.h"
#include "tools/call_grammar.h"
#include "tools/tool_format.h"
#include "tools/tools_test_util.h"

namespace flash::tools {
namespace {

using testing::grammar_accepts;
using testing::grammar_allows_prefix;

std::vector<ToolCall> two_calls() {
    ToolCall a;
    a.name = "get_weather";
    a.arguments = Json::parse(R"({"city": "Paris", "unit": "celsius"})");
    ToolCall b;
    b.name = "set_alarm";
    b.arguments = Json::parse(R"({"time": "07:30", "repeat": true})");
    return {a, b};
}

class EveryFormat : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryFormat, RenderedCallsParseBack) {
    const auto format = make_tool_format(GetParam());
    const auto tools = testing::sample_tools();
    const auto calls = two_calls();
    const std::string text = format->render_calls(calls);
    const ParsedOutput p = format->parse(text, tools);
    EXPECT_TRUE(p.attempted);
    EXPECT_TRUE(p.errors.empty()) << p.errors.front();
    ASSERT_EQ(p.calls.size(), 2u) << text;
    for (size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(p.calls[i].name, calls[i].name);
        EXPECT_EQ(p.calls[i].arguments, calls[i].arguments) << text;
    }
    EXPECT_EQ(p.content, "");
}

TEST_P(EveryFormat, RequiredGrammarAcceptsRenderedCallsOnly) {
    const auto format = make_tool_format(GetParam());
    const auto tools = testing::sample_tools();
    const auto calls = two_calls();
    const auto parallel = tool_call_grammar(*format, tools, ToolChoice::parse("required"), true);
    const auto single = tool_call_grammar(*format, tools, ToolChoice::parse("required"), false);
    ASSERT_TRUE(parallel && single);
    EXPECT_TRUE(grammar_accepts(*parallel, format->render_calls(calls))) << format->render_calls(calls);
    EXPECT_TRUE(grammar_accepts(*single, format->render_calls({calls[0]})));
    EXPECT_FALSE(grammar_accepts(*single, format->render_calls(calls)));

    auto variant = [&](const char* name, const char* args) {
        ToolCall c;
        c.name = name;
        c.arguments = Json::parse(args);
        return format->render_calls({c});
    };
    EXPECT_FALSE(grammar_allows_prefix(*parallel, variant("get_time", R"({"city": "Paris"})")));
    EXPECT_FALSE(grammar_accepts(*parallel, variant("get_weather", R"({"unit": "celsius"})")));
    EXPECT_FALSE(grammar_accepts(*parallel, variant("get_weather", R"({"city": "Paris", "days": "two"})")));
    EXPECT_FALSE(grammar_accepts(*parallel, variant("get_weather", R"({"city": "Paris", "days": 30})")));
    EXPECT_FALSE(grammar_accepts(*parallel, variant("get_weather", R"({"city": "Paris", "unit": "kelvin"})")));
    EXPECT_FALSE(grammar_accepts(*parallel, variant("set_alarm", R"({"time": "07:30"})")));
    // Nothing but the calls: no text before them.
    EXPECT_FALSE(grammar_allows_prefix(*parallel, "Sure! " + format->render_calls(calls)));
}

TEST_P(EveryFormat, NamedChoiceAllowsOnlyThatFunction) {
    const auto format = make_tool_format(GetParam());
    const auto tools = testing::sample_tools();
    const auto calls = two_calls();
    const auto g = tool_call_grammar(*format, tools, ToolChoice::parse("set_alarm"), true);
    ASSERT_TRUE(g);
    EXPECT_TRUE(grammar_accepts(*g, format->render_calls({calls[1]})));
    EXPECT_FALSE(grammar_allows_prefix(*g, format->render_calls({calls[0]})));
    EXPECT_THROW(tool_call_grammar(*format, tools, ToolChoice::parse("launch_rocket"), true), Error);
    EXPECT_FALSE(tool_call_grammar(*format, tools, ToolChoice::parse("none"), true));
}

TEST_P(EveryFormat, AutoGrammarAllowsFreeTextOrCalls) {
    const auto format = make_tool_format(GetParam());
    const auto tools = testing::sample_tools();
    const auto calls = two_calls();
    const auto g = tool_call_grammar(*format, tools, ToolChoice::parse("auto"), true);
    ASSERT_TRUE(g);
    EXPECT_TRUE(grammar_accepts(*g, "I cannot help with that, sorry."));
    EXPECT_TRUE(grammar_accepts(*g, ""));
    EXPECT_TRUE(grammar_accepts(*g, format->render_calls(calls)));
    if (!format->trigger_at_start()) {
        // Text before the trigger, and text that starts like the trigger but is not it.
        EXPECT_TRUE(grammar_accepts(*g, "Let me check. " + format->render_calls(calls)));
        EXPECT_TRUE(grammar_accepts(*g, "a <tool_ca b <tool_x <<tool"));
    }
    // Once the trigger is written, the call must be valid.
    ToolCall bad;
    bad.name = "get_time";
    EXPECT_FALSE(grammar_allows_prefix(*g, format->render_calls({bad})));
}

INSTANTIATE_TEST_SUITE_P(Formats, EveryFormat,
                         ::testing::Values("hermes", "qwen-xml", "json-list", "llama-json", "pythonic"),
                         [](const auto& info) {
                             std::string n = info.param;
                             for (char& c : n)
                                 if (c == '-') c = '_';
                             return n;
                         });

TEST(ToolFormat, UnknownFormatListsTheKnownOnes) {
    try {
        make_tool_format("xml");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("hermes, qwen-xml, json-list, llama-json, pythonic"),
                  std::string::npos);
    }
}

TEST(ToolFormat, DetectedFromTemplateSource) {
    EXPECT_EQ(detect_tool_format("...<tool_call>\n<function=' + name + '>\n<parameter=..."), "qwen-xml");
    EXPECT_EQ(detect_tool_format("{{- '<tool_call>\\n' }}{{ tool_call | tojson }}"), "hermes");
    EXPECT_EQ(detect_tool_format("<|python_tag|>"), "llama-json");
    EXPECT_EQ(detect_tool_format("You are a helpful AI assistant named SmolLM"), "json-list");
    EXPECT_EQ(detect_tool_format("<start_of_turn>user"), "pythonic");
    EXPECT_EQ(detect_tool_format("[INST]"), "");
}

TEST(ToolFormat, ParsersReportMalformedCallsInsteadOfGuessing) {
    const auto tools = testing::sample_tools();
    const ParsedOutput h = make_tool_format("hermes")->parse(
        "Checking.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \n</tool_call>", tools);
    EXPECT_TRUE(h.attempted);
    EXPECT_EQ(h.content, "Checking.");
    EXPECT_TRUE(h.calls.empty());
    ASSERT_EQ(h.errors.size(), 1u);
    EXPECT_NE(h.errors[0].find("malformed JSON"), std::string::npos);

    const ParsedOutput p = make_tool_format("pythonic")->parse("[get_weather(city=)]", tools);
    EXPECT_TRUE(p.attempted);
    EXPECT_FALSE(p.errors.empty());

    const ParsedOutput text = make_tool_format("json-list")->parse("The answer is 4.", tools);
    EXPECT_FALSE(text.attempted);
    EXPECT_EQ(text.content, "The answer is 4.");
    // SmolLM2's "no call" answer is an empty list.
    const ParsedOutput none = make_tool_format("json-list")->parse("<tool_call>[]</tool_call>", tools);
    EXPECT_TRUE(none.attempted);
    EXPECT_TRUE(none.calls.empty());
    EXPECT_TRUE(none.errors.empty());
}

TEST(ToolFormat, PythonicReadsPythonLiterals) {
    const auto tools = testing::sample_tools();
    const ParsedOutput p = make_tool_format("pythonic")->parse(
        "```tool_code\n[get_weather(city='São Paulo', days=3), set_alarm(time=\"6:00\", repeat=False)]\n```",
        tools);
    ASSERT_TRUE(p.errors.empty()) << p.errors.front();
    ASSERT_EQ(p.calls.size(), 2u);
    EXPECT_EQ(p.calls[0].arguments, Json::parse(R"({"city": "São Paulo", "days": 3})"));
    EXPECT_EQ(p.calls[1].arguments, Json::parse(R"({"time": "6:00", "repeat": false})"));
    // JSON-style escapes, surrogate pairs included, read as the characters they stand for.
    const ParsedOutput e = make_tool_format("pythonic")->parse(R"([get_weather(city="Z\u00fcrich \ud83d\ude00")])", tools);
    ASSERT_EQ(e.calls.size(), 1u);
    EXPECT_EQ(e.calls[0].arguments["city"], "Zürich 😀");
}

TEST(ToolFormat, QwenXmlTypesValuesBySchema) {
    const auto tools = testing::sample_tools();
    const ParsedOutput p = make_tool_format("qwen-xml")->parse(
        "<tool_call>\n<function=get_weather>\n<parameter=city>\n1984\n</parameter>\n"
        "<parameter=days>\n2\n</parameter>\n</function>\n</tool_call>",
        tools);
    ASSERT_EQ(p.calls.size(), 1u);
    // "city" is a string in the schema, so 1984 stays text; "days" is read as a number.
    EXPECT_EQ(p.calls[0].arguments, Json::parse(R"({"city": "1984", "days": 2})"));
}

}  // namespace
}  // namespace flash::tools
