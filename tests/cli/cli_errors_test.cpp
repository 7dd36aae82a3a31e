// Bad input at the command line: a clear message and a non-zero exit, never a crash.
#include <gtest/gtest.h>

#include "common/gguf_builder.h"
#include "common/run_command.h"
#include "common/testdata.h"

namespace flash {
namespace {

using testing::flash_binary;
using testing::run_command;

TEST(CliErrors, MissingModelFileNamesIt) {
    const auto r = run_command(flash_binary() + " info /nonexistent/model.gguf");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("/nonexistent/model.gguf"), std::string::npos) << r.output;
}

TEST(CliErrors, TruncatedModelIsAClearError) {
    const auto full = testing::read_file(testing::testdata_path("models/llama-Q4_0.gguf"));
    const std::string cut = testing::temp_path("cli_truncated.gguf");
    testing::write_file(cut, full, full.size() / 2);
    const auto r = run_command(flash_binary() + " run -m " + cut + " -p hi");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("flash: error:"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("past end of file"), std::string::npos) << r.output;
}

TEST(CliErrors, BadTokenListIsRejected) {
    const auto r = run_command(flash_binary() + " logits -m " + testing::testdata_path("models/llama-F32.gguf") +
                               " --tokens 1,x,3 -o /dev/null");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("'x'"), std::string::npos) << r.output;
    const auto range = run_command(flash_binary() + " logits -m " + testing::testdata_path("models/llama-F32.gguf") +
                                   " --tokens 1,5000 -o /dev/null");
    EXPECT_EQ(range.exit_code, 1) << range.output;
    EXPECT_NE(range.output.find("out of range"), std::string::npos) << range.output;
}

TEST(CliErrors, UnknownSubcommandAndMissingPromptGiveUsageErrors) {
    EXPECT_NE(run_command(flash_binary() + " frobnicate").exit_code, 0);
    const auto r = run_command(flash_binary() + " run -m x.gguf </dev/null");
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.output.find("no prompt"), std::string::npos) << r.output;
}

TEST(CliLogits, WritesTheReferenceFormat) {
    const std::string out = testing::temp_path("logits.bin");
    const auto r = run_command(flash_binary() + " logits -m " + testing::testdata_path("models/llama-F32.gguf") +
                               " --tokens 82,38,101 -o " + out);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto bytes = testing::read_file(out);
    ASSERT_EQ(bytes.size(), 8u + 3 * 128 * 4);
    int32_t header[2];
    std::memcpy(header, bytes.data(), 8);
    EXPECT_EQ(header[0], 3);
    EXPECT_EQ(header[1], 128);
}

}  // namespace
}  // namespace flash
