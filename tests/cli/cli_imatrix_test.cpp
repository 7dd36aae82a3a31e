// `flash imatrix` on the real SmolLM2 and what it buys: an importance matrix from calibration
// text (this repository's README, not the fidelity corpus), Q4_K_M quantized with and without
// it, and the weighted file closer to the F16 baseline (lower KL on the grounded documents).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include "common/real_model.h"
#include "common/run_command.h"

namespace flash {
namespace {

using testing::flash_binary;
using testing::run_command;

double kl_mean(const std::string& output) {
    std::smatch m;
    if (!std::regex_search(output, m, std::regex("KL mean ([0-9.]+)"))) return -1;
    return std::stod(m[1]);
}

TEST(RealModelCliImatrix, CalibratedQuantizationIsCloserToTheBaseline) {
    REQUIRE_SMOLLM2(model);
    const std::string dir = ::testing::TempDir() + "flash-imatrix-cli/";
    std::filesystem::create_directories(dir);
    const std::string f16 = dir + "f16.gguf", im = dir + "im.gguf", plain = dir + "q4.gguf",
                      weighted = dir + "q4-im.gguf";
    auto ok = [](const testing::CommandResult& r) {
        EXPECT_EQ(r.exit_code, 0) << r.output;
        return r.exit_code == 0;
    };
    ASSERT_TRUE(
        ok(run_command(flash_binary() + " quantize -q --force --allow-requant " + model + " " + f16 + " F16")));
    const auto r =
        run_command(flash_binary() + " imatrix -m " + f16 + " --text " + FLASH_SOURCE_DIR +
                    "/README.md --ctx 128 --chunks 8 -t 2 --force -o " + im);
    ASSERT_TRUE(ok(r));
    EXPECT_NE(r.output.find("210 weights, 8 chunks of 128 tokens"), std::string::npos) << r.output;
    ASSERT_TRUE(
        ok(run_command(flash_binary() + " quantize -q --force " + f16 + " " + plain + " Q4_K_M")));
    const auto q = run_command(flash_binary() + " quantize --force " + f16 + " " + weighted +
                               " Q4_K_M --imatrix " + im);
    ASSERT_TRUE(ok(q));
    EXPECT_NE(q.output.find("210 tensors weighted by the imatrix"), std::string::npos) << q.output;
    const auto a = run_command(flash_binary() + " eval fidelity -t 2 --fidelity-tokens 512 -m " +
                               f16 + " " + plain);
    const auto b = run_command(flash_binary() + " eval fidelity -t 2 --fidelity-tokens 512 -m " +
                               f16 + " " + weighted);
    ASSERT_TRUE(ok(a) && ok(b));
    const double kl_plain = kl_mean(a.output), kl_weighted = kl_mean(b.output);
    EXPECT_GT(kl_plain, 0) << a.output;
    EXPECT_GT(kl_weighted, 0) << b.output;
    EXPECT_LT(kl_weighted, kl_plain) << "imatrix did not help: " << b.output << " vs " << a.output;

    // The wrong input is refused with a message.
    const auto bad = run_command(flash_binary() + " imatrix -m " + f16 + " --text " + dir +
                                 "missing.txt -o " + dir + "x");
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_NE(bad.output.find("no such file"), std::string::npos) << bad.output;
    const auto notim = run_command(flash_binary() + " quantize --force " + f16 + " " + dir +
                                   "y.gguf Q4_K_M --imatrix " + f16);
    EXPECT_NE(notim.exit_code, 0);
    EXPECT_NE(notim.output.find("not an importance matrix"), std::string::npos) << notim.output;
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace flash
