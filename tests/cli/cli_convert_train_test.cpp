// `flash convert` and `flash train` as a user runs them: a testdata model to a checkpoint and
// back, then run; the training verb without its Python stack says how to install it.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/gguf_builder.h"
#include "common/run_command.h"
#include "common/testdata.h"

namespace flash {
namespace {

using testing::flash_binary;
using testing::run_command;

TEST(CliConvert, ACheckpointRoundTripRunsAndBadInputIsRefused) {
    const std::string dir = testing::temp_path("cli_convert_hf");
    const std::string back = testing::temp_path("cli_convert_back.gguf");
    std::filesystem::remove_all(dir);
    std::filesystem::remove(back);
    const std::string model = testing::testdata_path("models/qwen3-F16.gguf");
    auto r = run_command(flash_binary() + " convert " + model + " " + dir + " --to-hf -q");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    // The testdata's placeholder vocabulary cannot go into tokenizer.json; the user is told.
    EXPECT_NE(r.output.find("tokenizer.json not written"), std::string::npos) << r.output;
    EXPECT_TRUE(std::filesystem::exists(dir + "/config.json"));
    r = run_command(flash_binary() + " convert " + dir + " " + back + " -q");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    r = run_command(flash_binary() + " logits -m " + back + " --tokens 1,2,3 -o /dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    r = run_command(flash_binary() + " convert " + dir + " " + back + " -q");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("--force"), std::string::npos) << r.output;
    r = run_command(flash_binary() + " convert " + dir + " " + back + " --type Q4_0 --force");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("--type must be auto, F32, F16 or BF16"), std::string::npos)
        << r.output;
    r = run_command(flash_binary() + " convert " + dir + " " + back + " --to-hf");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("is a directory"), std::string::npos) << r.output;
    std::filesystem::remove_all(dir);
    std::filesystem::remove(back);
}

TEST(CliTrain, WithoutTheTrainingStackItSaysHowToInstallIt) {
    const auto r = run_command("FLASH_TRAIN_PYTHON=/nonexistent/python " + flash_binary() +
                               " train --model m --data d --out o");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("scripts/install_train.sh"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("FLASH_TRAIN_PYTHON"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace flash
