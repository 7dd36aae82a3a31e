// BFCL-style scoring: names one to one in any order, acceptable values, omitted optionals,
// unexpected arguments, and the suite files load with errors that name file and line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "eval/tool_scoring.h"

namespace flash::eval {
namespace {

tools::ToolCall call(const char* name, const char* args) {
    tools::ToolCall c;
    c.name = name;
    c.arguments = Json::parse(args);
    return c;
}

const Json kWeather = Json::parse(R"([{"name": "get_weather",
    "arguments": {"city": ["New York", "NYC"], "unit": ["", "celsius"], "days": [3]}}])");

TEST(ToolScoring, AcceptableValuesAndOmittedOptionals) {
    EXPECT_TRUE(
        score_calls({call("get_weather", R"({"city": "nyc", "days": 3})")}, kWeather).right);
    EXPECT_TRUE(score_calls({call("get_weather",
                                  R"({"city": " New York. ", "unit": "Celsius", "days": 3.0})")},
                            kWeather)
                    .right);
    const CallScore wrong_value =
        score_calls({call("get_weather", R"({"city": "Boston", "days": 3})")}, kWeather);
    EXPECT_TRUE(wrong_value.names_right);
    EXPECT_FALSE(wrong_value.right);
    EXPECT_NE(wrong_value.why.find("city"), std::string::npos);
    // "days" has no "" so it may not be left out; "3" (a string) is not the number 3.
    EXPECT_FALSE(score_calls({call("get_weather", R"({"city": "NYC"})")}, kWeather).right);
    EXPECT_FALSE(
        score_calls({call("get_weather", R"({"city": "NYC", "days": "3"})")}, kWeather).right);
    const CallScore extra =
        score_calls({call("get_weather", R"({"city": "NYC", "days": 3, "lang": "en"})")}, kWeather);
    EXPECT_FALSE(extra.right);
    EXPECT_NE(extra.why.find("unexpected argument 'lang'"), std::string::npos);
}

TEST(ToolScoring, CallsMatchOneToOneInAnyOrder) {
    const Json two = Json::parse(R"([
        {"name": "get_weather", "arguments": {"city": ["Paris"]}},
        {"name": "get_weather", "arguments": {"city": ["Rome"]}}])");
    EXPECT_TRUE(score_calls({call("get_weather", R"({"city": "Rome"})"),
                             call("get_weather", R"({"city": "Paris"})")},
                            two)
                    .right);
    EXPECT_FALSE(score_calls({call("get_weather", R"({"city": "Rome"})"),
                              call("get_weather", R"({"city": "Rome"})")},
                             two)
                     .right);
    EXPECT_FALSE(score_calls({call("get_weather", R"({"city": "Rome"})")}, two).names_right);
    // Irrelevance: right only when nothing is called.
    EXPECT_TRUE(score_calls({}, Json::array()).right);
    EXPECT_FALSE(score_calls({call("get_weather", R"({"city": "Rome"})")}, Json::array()).right);
}

TEST(ToolScoring, ArraysAndNestedObjects) {
    EXPECT_TRUE(value_matches(Json::parse(R"(["a", "B"])"), Json::parse(R"([["a", "b"]])")));
    EXPECT_FALSE(value_matches(Json::parse(R"(["b", "a"])"), Json::parse(R"([["a", "b"]])")));
    const Json acceptable = Json::parse(R"([{"name": ["Ann"], "age": ["", 30]}])");
    EXPECT_TRUE(value_matches(Json::parse(R"({"name": "ann"})"), acceptable));
    EXPECT_TRUE(value_matches(Json::parse(R"({"name": "Ann", "age": 30})"), acceptable));
    EXPECT_FALSE(value_matches(Json::parse(R"({"name": "Ann", "age": 31})"), acceptable));
    EXPECT_FALSE(value_matches(Json::parse(R"({"name": "Ann", "email": "x"})"), acceptable));
    EXPECT_TRUE(value_matches(Json(true), Json::parse("[true]")));
    EXPECT_FALSE(value_matches(Json(1), Json::parse("[true]")));
}

TEST(ToolScoring, SuiteFilesLoadAndBadLinesNameTheirPlace) {
    const std::string dir = std::string(FLASH_SOURCE_DIR) + "/data/eval/tools";
    const auto cases = load_tool_suite(dir);
    EXPECT_GE(cases.size(), 200u);
    int irrelevant = 0;
    for (const auto& c : cases) irrelevant += c.category == "irrelevance";
    EXPECT_GE(irrelevant, 50);

    const auto bad = std::filesystem::temp_directory_path() / "flash_bad_cases.jsonl";
    std::ofstream(bad)
        << R"({"id": "a", "category": "simple", "question": "q", "tools": [], "expected": []})"
        << "\n{\"id\": \"b\"\n";
    try {
        load_tool_cases(bad.string());
        FAIL() << "a bad line was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("flash_bad_cases.jsonl:2: invalid JSON"),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace flash::eval
