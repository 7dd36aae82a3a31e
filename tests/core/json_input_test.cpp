// Bounded JSON parsing: nesting refused while parsing (in time linear in the input, before any
// recursive walk), numbers a double cannot hold refused with the field's path, malformed JSON
// located by line and column, and messages that quote only a short prefix of a bad value.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/json_input.h"

namespace flash {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

JsonInputError error_of(const std::string& text) {
    try {
        parse_json<json>(text, "input");
    } catch (const JsonInputError& e) {
        return e;
    }
    ADD_FAILURE() << "accepted: " << excerpt(text);
    return JsonInputError("", "");
}

TEST(ParseJson, ValidDocumentsParseAsNlohmannWould) {
    const std::string text = R"({"a":[1,2,{"b":null}],"c":"d","e":1.5,"f":-7})";
    EXPECT_EQ(parse_json<json>(text, "x"), json::parse(text));
    EXPECT_EQ(parse_json<ordered_json>(text, "x").dump(), text);  // member order kept
}

TEST(ParseJson, NestingIsRefusedAtTheLimitAndAcceptedBelowIt) {
    const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    EXPECT_NO_THROW(parse_json<json>(nested(kMaxJsonDepth), "x"));
    const JsonInputError e = error_of(nested(kMaxJsonDepth + 1));
    EXPECT_NE(std::string(e.what()).find("nested deeper than 256 levels"), std::string::npos)
        << e.what();
}

// The server's body limit allows a few hundred kilobytes: 100,000 levels must be refused at
// once and without recursion (this crashed dump() in error messages before).
TEST(ParseJson, HundredThousandLevelsAreRefusedQuickly) {
    for (const char* open_close : {"[]", "{}"}) {
        std::string text;
        if (open_close[0] == '[') {
            text = std::string(100000, '[') + std::string(100000, ']');
        } else {
            for (int i = 0; i < 100000; ++i) text += "{\"a\":";
            text += "1" + std::string(100000, '}');
        }
        const auto t0 = std::chrono::steady_clock::now();
        const JsonInputError e = error_of(text);
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        EXPECT_NE(std::string(e.what()).find("nested deeper"), std::string::npos) << e.what();
        EXPECT_LT(std::string(e.what()).size(), 400u);
        EXPECT_LT(s, 5.0);  // bounded, not a speed claim: the old path took minutes or crashed
    }
}

TEST(ParseJson, OverflowingNumbersNameTheirField) {
    JsonInputError e = error_of(R"({"model":"m","temperature":1e400})");
    EXPECT_EQ(e.path(), "temperature");
    EXPECT_NE(std::string(e.what()).find("number out of range at temperature"), std::string::npos)
        << e.what();

    e = error_of(R"({"messages":[{"role":"user"},{"content":[1, 2, -1e999]}]})");
    EXPECT_EQ(e.path(), "messages[1].content[2]");

    e = error_of(R"({"a":{"b":[[1],[2]],"c":{"d":5}},"n":[)" + std::string(100000, '9') + "]}");
    EXPECT_EQ(e.path(), "n[0]");
    EXPECT_LT(std::string(e.what()).size(), 400u) << "the message quotes the whole number";
}

TEST(ParseJson, MalformedJsonNamesLineAndColumn) {
    const JsonInputError e = error_of("{\n  \"a\": 1,\n  \"b\": [,]\n}");
    EXPECT_EQ(
        std::string(e.what()).rfind("input: invalid JSON at line 3, column 9: syntax error", 0), 0u)
        << e.what();
    // A long bad token is quoted only in part.
    const JsonInputError long_token = error_of("[\"" + std::string(100000, 'x'));
    EXPECT_LT(std::string(long_token.what()).size(), 400u);
}

TEST(Excerpt, CutsOnACharacterBoundary) {
    EXPECT_EQ(excerpt("short", 80), "short");
    const std::string cut = excerpt("\xC3\xA9\xC3\xA9\xC3\xA9", 3);  // "ééé" cut inside the second
    EXPECT_EQ(cut, "\xC3\xA9\xE2\x80\xA6");
    EXPECT_EQ(json_excerpt(json::parse("[1,2,3,4,5,6,7,8,9,10]"), 6), "[1,2,3\xE2\x80\xA6");
}

}  // namespace
}  // namespace flash
