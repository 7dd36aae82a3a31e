// `flash doctor` through the binary: the machine and a recommendation as JSON, and bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/real_model.h"
#include "common/run_command.h"
#include "common/testdata.h"

namespace flash {
namespace {

using testing::contains;
using testing::flash_binary;
using testing::run_command;

TEST(CliDoctor, DescribesTheMachineAndRecommendsALevel) {
    const std::string model = testing::testdata_path("models/llama-Q4_0.gguf");
    const auto r = run_command(flash_binary() + " doctor " + model + " --no-probe --json", false);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto j = nlohmann::json::parse(r.output);
    EXPECT_GT(j["hardware"]["cores"].get<int>(), 0);
    EXPECT_GT(j["hardware"]["ram_total_bytes"].get<uint64_t>(), 0u);
    EXPECT_EQ(j["hardware"]["read_gb_per_s"].get<double>(), 0);  // --no-probe
    EXPECT_EQ(j["ladder"], "");  // a file outside the catalog: estimates
    const auto& advice = j["advice"];
    ASSERT_TRUE(advice["fits"].get<bool>()) << advice.dump(2);
    EXPECT_LE(advice["choice"]["total_bytes"].get<uint64_t>(),
              advice["budget_bytes"].get<uint64_t>());
    EXPECT_EQ(advice["recipe"], "colocated");

    const auto text = run_command(flash_binary() + " doctor " + model + " --no-probe");
    EXPECT_EQ(text.exit_code, 0) << text.output;
    EXPECT_TRUE(contains(text.output, "recommendation")) << text.output;
    EXPECT_TRUE(contains(text.output, "flash serve -m")) << text.output;
}

TEST(CliDoctor, AModelNotPulledStillDescribesTheMachine) {
    const auto r =
        run_command("FLASH_MODELS=/nonexistent " + flash_binary() + " doctor smollm2 --no-probe");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "machine")) << r.output;
    EXPECT_TRUE(contains(r.output, "flash pull smollm2")) << r.output;
}

TEST(CliDoctor, BadLadderReportsAreNamed) {
    const std::string model = testing::testdata_path("models/llama-Q4_0.gguf");
    const auto missing = run_command(flash_binary() + " doctor " + model +
                                     " --no-probe --ladder /nonexistent/l.json");
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_TRUE(contains(missing.output, "/nonexistent/l.json does not exist")) << missing.output;
    const auto wrong =
        run_command(flash_binary() + " doctor " + model + " --no-probe --ladder " + model);
    EXPECT_EQ(wrong.exit_code, 1);
    EXPECT_TRUE(contains(wrong.output, "flash: error:")) << wrong.output;
}

// The pulled file's path finds the catalog model's ladder as its name does.
TEST(CliDoctor, APulledCatalogFileFindsItsLadder) {
    REQUIRE_SMOLLM2(model);
    const auto by_path = run_command(flash_binary() + " doctor " + model + " --no-probe --json");
    ASSERT_EQ(by_path.exit_code, 0) << by_path.output;
    const std::string ladder = nlohmann::json::parse(by_path.output)["ladder"];
    EXPECT_TRUE(contains(ladder, "docs/ladder/smollm2-135m-instruct/ladder.json")) << ladder;
}

}  // namespace
}  // namespace flash
