// The real SmolLM2-135M-Instruct through the CLI, as a user runs it. The model comes from
// `flash pull` (scripts/test.sh exports its path as FLASH_SMOLLM2).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/gguf_builder.h"

#include "common/real_model.h"
#include "common/run_command.h"

namespace flash {
namespace {

using testing::flash_binary;
using testing::run_command;
using testing::shell_quote;

TEST(RealModelSmolLM2, AnswersTheCapitalOfFranceWithParis) {
    REQUIRE_SMOLLM2(model);
    const auto r = run_command(flash_binary() + " run -m " + shell_quote(model) +
                                   " -p 'What is the capital of France?' -n 48 --temp 0 -q",
                               /*merge_stderr=*/false);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("Paris"), std::string::npos) << r.output;
}

TEST(RealModelSmolLM2, TokenizeAndDecodeRoundTripSpecialTokens) {
    REQUIRE_SMOLLM2(model);
    const std::string text = "<|im_start|>user\nHéllo, wörld! 你好<|im_end|>\n";
    const auto ids = run_command("printf %s " + shell_quote(text) + " | " + flash_binary() +
                                     " tokenize --special -m " + shell_quote(model),
                                 false);
    ASSERT_EQ(ids.exit_code, 0) << ids.output;
    const auto parsed = nlohmann::json::parse(ids.output);
    ASSERT_TRUE(parsed.is_array());
    EXPECT_EQ(parsed.front().get<int>(), 1);  // <|im_start|> is token 1 in SmolLM2's vocabulary
    const auto back = run_command("echo " + shell_quote(ids.output) + " | " + flash_binary() +
                                      " tokenize --decode -m " + shell_quote(model),
                                  false);
    ASSERT_EQ(back.exit_code, 0);
    EXPECT_EQ(back.output, text);
}

// The fixed text of a pattern is fast-forwarded and the choice left to the model; the whole
// output matches the pattern and generation stops when it is complete.
TEST(RealModelSmolLM2, RegexConstraintGivesAMatchingAnswer) {
    REQUIRE_SMOLLM2(model);
    const auto r = run_command(
        flash_binary() + " run -m " + shell_quote(model) +
            " -p 'Is Paris in France? Answer yes or no.' --regex 'The answer is (yes|no)\\.' "
            "-n 32 --temp 0.7 --seed 5",
        /*merge_stderr=*/true);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(r.output.rfind("The answer is yes.\n", 0) == 0 ||
                r.output.rfind("The answer is no.\n", 0) == 0)
        << r.output;
    EXPECT_NE(r.output.find("stop: complete"), std::string::npos) << r.output;
}

TEST(RealModelSmolLM2, UnenforceableSchemaKeywordIsAnErrorNamingIt) {
    REQUIRE_SMOLLM2(model);
    const std::string schema = testing::temp_path("unique.json");
    {
        std::ofstream out(schema);
        out << R"({"type":"object","properties":{"tags":{"type":"array","uniqueItems":true}}})";
    }
    const auto r = run_command(flash_binary() + " run -m " + shell_quote(model) +
                               " -p hi --json-schema " + schema);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("uniqueItems"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("/properties/tags"), std::string::npos) << r.output;
}

TEST(RealModelSmolLM2, SeededSamplingIsReproducible) {
    REQUIRE_SMOLLM2(model);
    const std::string cmd = flash_binary() + " run -m " + shell_quote(model) +
                            " -p 'Write a short poem about the sea.' -n 24 --temp 0.8 --seed 7 -q";
    const auto a = run_command(cmd, false), b = run_command(cmd, false);
    ASSERT_EQ(a.exit_code, 0);
    EXPECT_EQ(a.output, b.output);
    EXPECT_GT(a.output.size(), 10u);
}

// Gemma 3 270M is a base model (no chat template): it completes text, so ask in Q/A form.
TEST(RealModelGemma3, CompletesAQuestionWithParis) {
    REQUIRE_GEMMA3(model);
    const auto r = run_command(
        flash_binary() + " run -m " + testing::shell_quote(model) +
            " --raw -p 'Question: What is the capital of France?\nAnswer:' -n 8 --temp 0 -q",
        /*merge_stderr=*/false);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("Paris"), std::string::npos) << r.output;
}

TEST(RealModelGemma3, TokenizerRoundTripsMultilingualText) {
    REQUIRE_GEMMA3(model);
    for (const std::string text :
         {"Bonjour, où est la gare ? Ça va très bien.", "Grüße aus München — Straße №5",
          "東京は日本の首都です。", "Привет, как дела?", "مرحبا بالعالم", "नमस्ते दुनिया",
          "emoji 👩‍💻 and tabs\tand  double  spaces\n\nnewlines"}) {
        const auto ids =
            run_command("printf %s " + testing::shell_quote(text) + " | " + flash_binary() +
                            " tokenize -m " + testing::shell_quote(model),
                        false);
        ASSERT_EQ(ids.exit_code, 0) << ids.output;
        const auto back =
            run_command("echo " + testing::shell_quote(ids.output) + " | " + flash_binary() +
                            " tokenize --decode -m " + testing::shell_quote(model),
                        false);
        ASSERT_EQ(back.exit_code, 0) << back.output;
        EXPECT_EQ(back.output, text) << "ids: " << ids.output;
    }
}

TEST(RealModelGemma3, InfoReportsMemoryPerToken) {
    REQUIRE_GEMMA3(model);
    const auto r = run_command(flash_binary() + " info " + testing::shell_quote(model), false);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("model: gemma3, 18 layers"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("KV cache"), std::string::npos) << r.output;
}

// Tool calling through `flash call`: with a call required, both models give a call to the
// offered function whose arguments satisfy the schema (enum member, integer in range).
const char* kForecastTools = R"([{"type": "function", "function": {"name": "get_forecast",
  "description": "Daily weather forecast for a city.",
  "parameters": {"type": "object", "properties": {
    "city": {"type": "string"},
    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
    "days": {"type": "integer", "minimum": 1, "maximum": 7}},
   "required": ["city", "days"]}}}])";

void expect_valid_forecast_call(const std::string& model, const std::string& extra) {
    const std::string tools = testing::temp_path("forecast_tools.json");
    std::ofstream(tools) << kForecastTools;
    const auto r = run_command(flash_binary() + " call -m " + shell_quote(model) + " --tools " +
                                   tools + " --tool-choice required " + extra +
                                   " 'What will the weather be in Oslo over the next 3 days?'",
                               /*merge_stderr=*/false);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto j = nlohmann::json::parse(r.output);
    EXPECT_EQ(j["finish_reason"], "tool_calls") << r.output;
    const auto& calls = j["message"]["tool_calls"];
    ASSERT_GE(calls.size(), 1u) << r.output;
    for (const auto& c : calls) {
        EXPECT_EQ(c["function"]["name"], "get_forecast");
        const auto args = nlohmann::json::parse(c["function"]["arguments"].get<std::string>());
        ASSERT_TRUE(args.contains("city") && args["city"].is_string()) << args;
        ASSERT_TRUE(args.contains("days") && args["days"].is_number_integer()) << args;
        EXPECT_GE(args["days"].get<int>(), 1) << args;
        EXPECT_LE(args["days"].get<int>(), 7) << args;
        if (args.contains("unit")) {
            EXPECT_TRUE(args["unit"] == "celsius" || args["unit"] == "fahrenheit") << args;
        }
    }
}

TEST(RealModelSmolLM2, RequiredToolCallIsSchemaValid) {
    REQUIRE_SMOLLM2(model);
    expect_valid_forecast_call(model, "");
}

TEST(RealModelGemma3, RequiredPythonicToolCallIsSchemaValid) {
    REQUIRE_GEMMA3(model);
    expect_valid_forecast_call(model, "--chat-template gemma");
}

TEST(RealModelSmolLM2, ConversationContinuesAfterAToolResult) {
    REQUIRE_SMOLLM2(model);
    const std::string tools = testing::temp_path("forecast_tools.json");
    std::ofstream(tools) << kForecastTools;
    const std::string messages = testing::temp_path("forecast_messages.json");
    std::ofstream(messages) << R"([
        {"role": "user", "content": "Weather in Oslo for 2 days?"},
        {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
            "function": {"name": "get_forecast", "arguments": "{\"city\": \"Oslo\", \"days\": 2}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "Day 1: 4 C, snow. Day 2: 6 C, cloudy."}])";
    const auto r = run_command(flash_binary() + " call -m " + shell_quote(model) + " --tools " +
                                   tools + " --tool-choice none -n 48 --messages " + messages,
                               /*merge_stderr=*/false);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto j = nlohmann::json::parse(r.output);
    EXPECT_TRUE(j["finish_reason"] == "stop" || j["finish_reason"] == "length") << r.output;
    EXPECT_FALSE(j["message"].contains("tool_calls")) << r.output;
    EXPECT_FALSE(j["message"]["content"].get<std::string>().empty()) << r.output;
}

}  // namespace
}  // namespace flash

namespace flash {
namespace {

// Each suite command runs on a model (not only when rescoring saved outputs) and writes its
// figures: two cases each, so the whole path — load, generate, score, --out — is exercised.
TEST(RealModelSmolLM2, EverySuiteCommandRunsOnAModel) {
    REQUIRE_SMOLLM2(model);
    const std::string out = testing::temp_path("suite.json");
    for (const char* suite : {"grounded", "tools", "instruct"}) {
        const auto r = testing::run_command(testing::flash_binary() + " eval " + suite + " -m " +
                                                testing::shell_quote(model) +
                                                " --limit 2 --out " + testing::shell_quote(out),
                                            /*merge_stderr=*/true);
        ASSERT_EQ(r.exit_code, 0) << suite << ": " << r.output;
        std::ifstream in(out);
        const auto figures = nlohmann::json::parse(in);
        EXPECT_TRUE(figures.is_object() && !figures.empty()) << suite;
    }
    std::filesystem::remove(out);
}

}  // namespace
}  // namespace flash
