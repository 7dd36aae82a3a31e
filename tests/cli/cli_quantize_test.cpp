// `flash quantize` as a user runs it: a testdata model quantized, read back by `flash info`
// and run; bad requests refused with a message and nothing left behind.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/gguf_builder.h"
#include "common/run_command.h"
#include "common/testdata.h"

namespace flash {
namespace {

using testing::flash_binary;
using testing::run_command;

TEST(CliQuantize, WritesAFileThatLoadsAndRuns) {
    const std::string out = testing::temp_path("cli_quantized_q4_0.gguf");
    std::filesystem::remove(out);
    const auto r =
        run_command(flash_binary() + " quantize " +
                    testing::testdata_path("models/llama-F32.gguf") + " " + out + " q4_0");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("14 Q4_0"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("1 Q6_K"), std::string::npos) << r.output;
    const auto info = run_command(flash_binary() + " info " + out);
    EXPECT_EQ(info.exit_code, 0) << info.output;
    EXPECT_NE(info.output.find("general.file_type                            2"), std::string::npos)
        << info.output;
    const auto logits =
        run_command(flash_binary() + " logits -m " + out + " --tokens 1,2,3 -o /dev/null");
    EXPECT_EQ(logits.exit_code, 0) << logits.output;
    // Written once: the second run refuses to overwrite without --force.
    const auto again =
        run_command(flash_binary() + " quantize " +
                    testing::testdata_path("models/llama-F32.gguf") + " " + out + " q4_0");
    EXPECT_EQ(again.exit_code, 1) << again.output;
    EXPECT_NE(again.output.find("--force"), std::string::npos) << again.output;
    std::filesystem::remove(out);
}

TEST(CliQuantize, BadTypesAndQuantizedInputsAreRefused) {
    const std::string out = testing::temp_path("cli_quantized_refused.gguf");
    std::filesystem::remove(out);
    const auto type =
        run_command(flash_binary() + " quantize " +
                    testing::testdata_path("models/llama-F32.gguf") + " " + out + " Q9_9");
    EXPECT_EQ(type.exit_code, 1) << type.output;
    EXPECT_NE(type.output.find("supported: "), std::string::npos) << type.output;
    const auto quantized =
        run_command(flash_binary() + " quantize " +
                    testing::testdata_path("models/llama-Q4_0.gguf") + " " + out + " Q8_0");
    EXPECT_EQ(quantized.exit_code, 1) << quantized.output;
    EXPECT_NE(quantized.output.find("dequantize"), std::string::npos) << quantized.output;
    EXPECT_FALSE(std::filesystem::exists(out));
    EXPECT_FALSE(std::filesystem::exists(out + ".part"));
}

}  // namespace
}  // namespace flash
