// Bad instructions are errors naming the type and the arg; the evaluation data's instructions
// are all good ones.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>

#include "check_helpers.h"
#include "core/error.h"

namespace flash::instruct::testing {
namespace {

using nlohmann::json;

// The message of the flash::Error that validate() throws, or "" if it throws none.
std::string validation_error(const std::string& type, json args) {
    try {
        validate(Instruction{type, std::move(args)});
    } catch (const Error& error) {
        return error.what();
    }
    return "";
}

TEST(Validate, UnknownTypeNamesIt) {
    EXPECT_EQ(validation_error("keywords:existence", json::object()),
              "unknown instruction type 'keywords:existence'");
    EXPECT_THROW(check(Instruction{"nope", json::object()}, "text"), Error);
    EXPECT_THROW(check_loose(Instruction{"nope", json::object()}, "text"), Error);
}

TEST(Validate, MissingIllTypedAndUnexpectedArgsNameTheArg) {
    EXPECT_EQ(validation_error("length:words", {{"relation", "at least"}}),
              "instruction length:words: arg 'num_words' is missing");
    EXPECT_EQ(validation_error("length:words", {{"relation", "at least"}, {"num_words", "100"}}),
              "instruction length:words: arg 'num_words' must be a positive integer, got \"100\"");
    EXPECT_EQ(validation_error("length:words", {{"relation", "at least"}, {"num_words", 0}}),
              "instruction length:words: arg 'num_words' must be a positive integer, got 0");
    EXPECT_EQ(
        validation_error("length:words", {{"relation", "more than"}, {"num_words", 5}}),
        "instruction length:words: arg 'relation' must be one of \"at least\", \"less than\", "
        "got \"more than\"");
    EXPECT_EQ(validation_error("case:lowercase", {{"extra", 1}}),
              "instruction case:lowercase: unexpected arg 'extra'");
    EXPECT_EQ(validation_error("keywords:include", {{"keywords", "cat"}}),
              "instruction keywords:include: arg 'keywords' must be a non-empty list of strings");
    EXPECT_EQ(
        validation_error("keywords:include", {{"keywords", {"cat", 3}}}),
        "instruction keywords:include: arg 'keywords' must hold only non-empty strings, got 3");
    EXPECT_EQ(
        validation_error("keywords:letter_frequency",
                         {{"letter", "ab"}, {"relation", "at least"}, {"frequency", 2}}),
        "instruction keywords:letter_frequency: arg 'letter' must be one letter a-z, got \"ab\"");
    EXPECT_EQ(
        validation_error("language:response_language", {{"language", "ja"}}),
        "instruction language:response_language: arg 'language' must be one of \"en\", \"fr\", "
        "\"es\", \"de\", \"it\", \"pt\", got \"ja\"");
    EXPECT_EQ(validation_error("length:nth_paragraph_first_word",
                               {{"num_paragraphs", 2}, {"nth_paragraph", 3}, {"first_word", "so"}}),
              "instruction length:nth_paragraph_first_word: arg 'nth_paragraph' (3) is past "
              "'num_paragraphs' (2)");
    EXPECT_EQ(
        validation_error("startend:end_checker", {{"end_phrase", ""}}),
        "instruction startend:end_checker: arg 'end_phrase' must be a non-empty string, got \"\"");
    EXPECT_THROW(check(Instruction{"format:title", json::array()}, "<<t>>"), Error);
    EXPECT_TRUE(check(Instruction{"format:title", nullptr}, "<<t>>").passed);  // null = no args
}

TEST(Validate, InstructionFromJson) {
    const Instruction parsed =
        instruction_from_json(json::parse(R"({"type": "format:title", "args": {}})"));
    EXPECT_EQ(parsed.type, "format:title");
    EXPECT_NO_THROW(validate(parsed));
    EXPECT_THROW(instruction_from_json(json::parse(R"({"args": {}})")), Error);
    EXPECT_THROW(instruction_from_json(json::parse(R"({"type": "format:title", "args": []})")),
                 Error);
}

TEST(Validate, TheTwentySixTypes) {
    EXPECT_EQ(instruction_types().size(), 26u);
}

TEST(EvaluationData, EveryInstructionOfEveryPromptIsValid) {
    const std::string path = std::string(FLASH_SOURCE_DIR) + "/data/eval/instruct/prompts.jsonl";
    std::ifstream file(path);
    ASSERT_TRUE(file) << "cannot open " << path;
    std::map<std::string, size_t> uses;
    size_t prompts = 0;
    std::string line;
    while (std::getline(file, line)) {
        if (line.empty()) continue;
        ++prompts;
        const json prompt = json::parse(line);
        for (const json& object : prompt.at("instructions")) {
            try {
                const Instruction instruction = instruction_from_json(object);
                validate(instruction);
                // Checking must not throw either, whatever the text.
                check_loose(instruction, prompt.at("prompt").get<std::string>());
                ++uses[instruction.type];
            } catch (const Error& error) {
                ADD_FAILURE() << prompt.at("id").get<std::string>() << ": " << error.what();
            }
        }
    }
    EXPECT_GE(prompts, 320u);
    const auto types = instruction_types();
    EXPECT_EQ(uses.size(), types.size());
    for (const std::string& type : types)
        EXPECT_GT(uses[type], 0u) << type << " unused by the data";
}

}  // namespace
}  // namespace flash::instruct::testing
