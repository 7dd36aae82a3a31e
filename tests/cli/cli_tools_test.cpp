// `flash call` at the command line: bad tools, conversations and choices are clear errors,
// given before any model is loaded.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "common/gguf_builder.h"
#include "common/run_command.h"

namespace flash {
namespace {

using testing::flash_binary;
using testing::run_command;

const char* kTools = R"([{"type": "function", "function": {"name": "get_forecast",
  "parameters": {"type": "object", "properties": {
    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
    "days": {"type": "integer", "minimum": 1, "maximum": 7}},
   "required": ["unit", "days"]}}}])";

std::string write(const std::string& name, const std::string& text) {
    const std::string path = testing::temp_path(name);
    std::ofstream(path) << text;
    return path;
}

// Bad input is rejected before the model is loaded, so these run without one.
std::string call_command(const std::string& tools_path, const std::string& extra) {
    return flash_binary() + " call -m /nonexistent/model.gguf -n 64 --tools " + tools_path + " " + extra;
}

TEST(CliCall, BadToolsAreClearErrors) {
    const auto dup = run_command(call_command(
        write("dup_tools.json", R"([{"type":"function","function":{"name":"f"}},{"type":"function","function":{"name":"f"}}])"),
        "hi"));
    EXPECT_EQ(dup.exit_code, 1) << dup.output;
    EXPECT_NE(dup.output.find("duplicate tool name 'f'"), std::string::npos) << dup.output;

    const auto schema = run_command(call_command(
        write("unique_tools.json", R"([{"type":"function","function":{"name":"f","parameters":
              {"type":"object","properties":{"tags":{"type":"array","uniqueItems":true}}}}}])"),
        "hi"));
    EXPECT_EQ(schema.exit_code, 1) << schema.output;
    EXPECT_NE(schema.output.find("uniqueItems"), std::string::npos) << schema.output;

    const auto json = run_command(call_command(write("broken_tools.json", "[{"), "hi"));
    EXPECT_EQ(json.exit_code, 1) << json.output;
    EXPECT_NE(json.output.find("invalid JSON"), std::string::npos) << json.output;

    const std::string tools = write("forecast_tools.json", kTools);
    const auto choice = run_command(call_command(tools, "--tool-choice launch hi"));
    EXPECT_EQ(choice.exit_code, 1) << choice.output;
    EXPECT_NE(choice.output.find("'launch', which is not among the tools"), std::string::npos) << choice.output;

    const auto format = run_command(call_command(tools, "--tool-format yaml hi"));
    EXPECT_EQ(format.exit_code, 1) << format.output;
    EXPECT_NE(format.output.find("unknown tool-call format 'yaml'"), std::string::npos) << format.output;
}

TEST(CliCall, ToolResultsMustAnswerAnEarlierCall) {
    const std::string messages = write("unknown_id.json", R"([
        {"role": "user", "content": "Forecast?"},
        {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
            "function": {"name": "get_forecast", "arguments": "{\"unit\": \"celsius\", \"days\": 2}"}}]},
        {"role": "tool", "tool_call_id": "call_7", "content": "sunny"}])");
    const auto r = run_command(call_command(write("forecast_tools.json", kTools), "--messages " + messages));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_EQ(r.output.find("/nonexistent/model.gguf"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("messages[2]: a tool result for unknown call id 'call_7'"), std::string::npos) << r.output;

    const std::string bad_args = write("bad_args.json", R"([
        {"role": "user", "content": "Forecast?"},
        {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
            "function": {"name": "get_forecast", "arguments": "{unit: celsius}"}}]}])");
    const auto a = run_command(call_command(write("forecast_tools.json", kTools), "--messages " + bad_args));
    EXPECT_EQ(a.exit_code, 1) << a.output;
    EXPECT_NE(a.output.find("messages[1].tool_calls[0].function.arguments: invalid JSON"), std::string::npos)
        << a.output;
}

}  // namespace
}  // namespace flash
