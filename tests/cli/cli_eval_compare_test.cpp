// `flash eval compare` as a user runs it: the published SmolLM2 ladder against itself gives
// every level with no difference and writes the three reports; a directory that is not a
// ladder's output is refused with a message naming it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/gguf_builder.h"
#include "common/run_command.h"
#include "common/testdata.h"

namespace flash {
namespace {

using testing::flash_binary;
using testing::run_command;

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(CliEvalCompare, ALadderAgainstItselfShowsNoDifference) {
    const std::string ladder = std::string(FLASH_SOURCE_DIR) + "/docs/ladder/smollm2-135m-instruct";
    const std::string out = testing::temp_path("cli_eval_compare");
    std::filesystem::remove_all(out);
    const auto r =
        run_command(flash_binary() + " eval compare " + ladder + " " + ladder + " --out " + out);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("Q4_K_M  tools     base  25.0%  fine-tuned  25.0%  Δ  +0.0 pts"),
              std::string::npos)
        << r.output;
    const std::string md = read(out + "/compare.md");
    EXPECT_NE(md.find("| Grounded, answerable: answered right | F16 |"), std::string::npos) << md;
    EXPECT_EQ(md.find("| apart: "), std::string::npos) << "a model differs from itself:\n" << md;
    EXPECT_NE(read(out + "/compare.html").find("<table>"), std::string::npos);
    EXPECT_TRUE(std::filesystem::exists(out + "/compare.json"));
    std::filesystem::remove_all(out);
}

TEST(CliEvalCompare, ADirectoryThatIsNotALadderIsNamed) {
    const std::string empty = testing::temp_path("cli_eval_compare_empty");
    std::filesystem::create_directories(empty);
    const std::string ladder = std::string(FLASH_SOURCE_DIR) + "/docs/ladder/smollm2-135m-instruct";
    const auto r = run_command(flash_binary() + " eval compare " + ladder + " " + empty +
                               " --out " + empty + "/out");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find(empty + ": no ladder.json"), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(empty + "/out/compare.md"));
    std::filesystem::remove_all(empty);
}

}  // namespace
}  // namespace flash
