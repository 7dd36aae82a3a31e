// `flash run` with instructions, through the real binary: bad instruction files are errors
// naming the problem; with SmolLM2 (FLASH_SMOLLM2) the enforced ones are met and reported,
// and an instruction not met after the retries makes the exit status 4.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/run_command.h"

namespace flash {
namespace {

using testing::flash_binary;
using testing::run_command;
using testing::shell_quote;

std::string write_temp(const std::string& name, const std::string& text) {
    const std::string path = (std::filesystem::temp_directory_path() / name).string();
    std::ofstream(path) << text;
    return path;
}

std::string smollm2() {
    const char* env = std::getenv("FLASH_SMOLLM2");
    return env && *env && std::filesystem::exists(env) ? env : "";
}

TEST(RunInstructions, UnknownTypeIsAnErrorNamingIt) {
    const std::string file =
        write_temp("flash_bad_instructions.json", R"([{"type": "case:smallcaps", "args": {}}])");
    const auto r = run_command(flash_binary() + " run -p hi -m /nonexistent.gguf --instructions " +
                               shell_quote(file));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("case:smallcaps"), std::string::npos) << r.output;
}

TEST(RunInstructions, NotAnArrayIsAnErrorNamingTheFile) {
    const std::string file = write_temp("flash_object_instructions.json", R"({"type": "x"})");
    const auto r = run_command(flash_binary() + " run -p hi --instructions " + shell_quote(file));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("flash_object_instructions.json"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("JSON array"), std::string::npos) << r.output;
}

TEST(RealModelSmolLM2, RunLowercaseNoCommasIsEnforced) {
    const std::string model = smollm2();
    if (model.empty()) GTEST_SKIP() << "FLASH_SMOLLM2 is not set (flash pull smollm2)";
    const auto r = run_command(flash_binary() + " run -t 1 -m " + shell_quote(model) +
                                   " -p 'Describe Paris, France.' -n 40 --lowercase --no-commas",
                               /*merge_stderr=*/false);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_FALSE(r.output.empty());
    for (const char c : r.output) {
        EXPECT_FALSE(std::isupper(static_cast<unsigned char>(c))) << r.output;
        EXPECT_NE(c, ',') << r.output;
    }
}

TEST(RealModelSmolLM2, RunExitsWithFourWhenAnInstructionIsNotMet) {
    const std::string model = smollm2();
    if (model.empty()) GTEST_SKIP() << "FLASH_SMOLLM2 is not set (flash pull smollm2)";
    const std::string file =
        write_temp("flash_unmeetable.json",
                   R"([{"type": "keywords:include", "args": {"keywords": ["zyzzyva"]}}])");
    const auto r =
        run_command(flash_binary() + " run -t 1 -m " + shell_quote(model) +
                    " -p 'Say hello.' -n 16 --retries 1 --instructions " + shell_quote(file));
    EXPECT_EQ(r.exit_code, 4) << r.output;
    EXPECT_NE(r.output.find("keywords:include"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("not met"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("2 tries"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace flash
