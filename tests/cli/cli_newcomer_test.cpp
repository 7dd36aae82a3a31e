// What a newcomer from llama.cpp or Ollama types first: --version, a mistyped command,
// llama.cpp's multi-letter flags, a prompt as an argument, a file or a pipe, --stop, and the
// notice when a reply is cut at the token limit.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/gguf_builder.h"
#include "common/real_model.h"
#include "common/run_command.h"
#include "common/testdata.h"
#include "core/utf8.h"

namespace flash {
namespace {

using testing::flash_binary;
using testing::run_command;
using testing::shell_quote;

using testing::contains;

TEST(CliNewcomer, VersionNamesReleaseCommitBuildAndKernels) {
    const auto r = run_command(flash_binary() + " --version");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(r.output.starts_with("flash 0.")) << r.output;
    EXPECT_TRUE(contains(r.output, "kernels: avx2") || contains(r.output, "kernels: avx512") ||
                contains(r.output, "kernels: scalar"))
        << r.output;
}

TEST(CliNewcomer, NoCommandPrintsTheCommandList) {
    const auto r = run_command(flash_binary());
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.output, "Subcommands:")) << r.output;
    EXPECT_TRUE(contains(r.output, "run")) << r.output;
}

TEST(CliNewcomer, MistypedCommandGetsASuggestion) {
    const auto r = run_command(flash_binary() + " rnu -p hi");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.output, "'rnu' is not a flash command; did you mean `flash run`?"))
        << r.output;
    const auto far = run_command(flash_binary() + " frobnicate");
    EXPECT_EQ(far.exit_code, 1);
    EXPECT_TRUE(contains(far.output, "'frobnicate' is not a flash command")) << far.output;
    EXPECT_FALSE(contains(far.output, "did you mean")) << far.output;
}

// Before the rewrite, CLI11 read "-sys" as "-s ys" (a bad seed) and "-ngl 99" as a second -n.
// With it, the command gets as far as opening the (missing) model.
TEST(CliNewcomer, LlamaCppFlagsAreRewrittenNotMisparsed) {
    const std::string missing = " -m /nonexistent/m.gguf";
    const auto sys = run_command(flash_binary() + " run" + missing + " -sys 'Be brief' -p hi");
    EXPECT_EQ(sys.exit_code, 1);
    EXPECT_TRUE(contains(sys.output, "/nonexistent/m.gguf")) << sys.output;
    EXPECT_FALSE(contains(sys.output, "seed")) << sys.output;

    const auto ngl =
        run_command(flash_binary() + " run" + missing + " -ngl 99 --jinja -fa on -p hi");
    EXPECT_EQ(ngl.exit_code, 1);
    EXPECT_TRUE(contains(ngl.output, "no GPU backend; -ngl is ignored")) << ngl.output;
    EXPECT_TRUE(contains(ngl.output, "/nonexistent/m.gguf")) << ngl.output;

    const auto np = run_command(flash_binary() + " serve" + missing + " -np 2 --port 0");
    EXPECT_TRUE(contains(np.output, "/nonexistent/m.gguf")) << np.output;
}

TEST(CliNewcomer, LlamaCppFlagsFlashDoesNotHaveSayWhatToUse) {
    const auto cnv = run_command(flash_binary() + " run -m x.gguf -cnv");
    EXPECT_EQ(cnv.exit_code, 1);
    EXPECT_TRUE(contains(cnv.output, "for a conversation use `flash chat`")) << cnv.output;
    // -ctk is flash's own flag now; a type it does not hold is named.
    const auto ctk = run_command(flash_binary() + " run -m x.gguf -ctk q4_0 -p hi");
    EXPECT_NE(ctk.exit_code, 0);
    EXPECT_TRUE(contains(ctk.output, "q4_0")) << ctk.output;
    const auto hf = run_command(flash_binary() + " run -hf org/repo -p hi");
    EXPECT_EQ(hf.exit_code, 1);
    EXPECT_TRUE(contains(hf.output, "flash pull")) << hf.output;
    const auto dangling = run_command(flash_binary() + " run -p hi -ngl");
    EXPECT_EQ(dangling.exit_code, 1);
    EXPECT_TRUE(contains(dangling.output, "-ngl needs a value")) << dangling.output;
}

TEST(CliNewcomer, RunWithoutAPromptSaysHowToGiveOne) {
    const auto r = run_command(flash_binary() + " run -m x.gguf </dev/null");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.output, "no prompt: give one as an argument")) << r.output;
    const auto both = run_command(flash_binary() + " run -m x.gguf -p hi -f /dev/null");
    EXPECT_EQ(both.exit_code, 1);
    EXPECT_TRUE(contains(both.output, "give the prompt once")) << both.output;
    const auto unreadable = run_command(flash_binary() + " run -m x.gguf -f /nonexistent/q.txt");
    EXPECT_EQ(unreadable.exit_code, 1);
    EXPECT_TRUE(contains(unreadable.output, "/nonexistent/q.txt")) << unreadable.output;
}

// The same question through each way in gives the same greedy answer.
TEST(RealModelSmolLM2, RunTakesThePromptAsArgumentFileOrPipe) {
    REQUIRE_SMOLLM2(model);
    const std::string question = "What is the capital of France?";
    const std::string base = flash_binary() + " run -q --temp 0 -n 12 -m " + shell_quote(model);
    const auto arg = run_command(base + " " + shell_quote(question) + " </dev/null", false);
    ASSERT_EQ(arg.exit_code, 0) << arg.output;
    EXPECT_TRUE(contains(arg.output, "Paris")) << arg.output;

    const std::string file = testing::temp_path("question.txt");
    testing::write_file(file, std::vector<uint8_t>(question.begin(), question.end()),
                        question.size());
    const auto from_file = run_command(base + " -f " + shell_quote(file), false);
    EXPECT_EQ(from_file.output, arg.output);
    const auto piped = run_command("printf %s " + shell_quote(question) + " | " + base, false);
    EXPECT_EQ(piped.output, arg.output);
    const auto dash = run_command(base + " -f - < " + shell_quote(file), false);
    EXPECT_EQ(dash.output, arg.output);
}

TEST(RealModelSmolLM2, StopStringsEndTheReplyBeforeThem) {
    REQUIRE_SMOLLM2(model);
    const std::string base = flash_binary() + " run -q --temp 0 -n 24 -m " + shell_quote(model) +
                             " 'What is the capital of France?'";
    const auto full = run_command(base, false);
    ASSERT_TRUE(contains(full.output, "Paris")) << full.output;
    for (const char* flag : {"--stop", "-r"}) {
        const auto cut = run_command(base + " " + flag + " Paris", false);
        EXPECT_EQ(cut.exit_code, 0) << cut.output;
        EXPECT_FALSE(contains(cut.output, "Paris")) << flag << ": " << cut.output;
        EXPECT_EQ(cut.output, full.output.substr(0, full.output.find("Paris")) + "\n") << flag;
    }
}

TEST(RealModelSmolLM2, AReplyCutAtTheTokenLimitSaysSo) {
    REQUIRE_SMOLLM2(model);
    const std::string base =
        flash_binary() + " run -q --temp 0 -m " + shell_quote(model) + " 'Write a long story.'";
    const auto cut = run_command(base + " -n 4");
    EXPECT_EQ(cut.exit_code, 0) << cut.output;
    EXPECT_TRUE(contains(cut.output, "(stopped at the token limit of 4, raise -n)")) << cut.output;
    const auto whole = run_command(flash_binary() + " run -q --temp 0 -m " + shell_quote(model) +
                                   " -n 64 'Say hi.'");
    EXPECT_FALSE(contains(whole.output, "token limit")) << whole.output;
}

}  // namespace
}  // namespace flash

namespace flash {
namespace {

// A models directory holding one testdata file, as a pull would leave it.
struct ModelsDir {
    std::string dir = testing::temp_path("models_dir");
    std::string env;
    ModelsDir() {
        std::filesystem::create_directories(dir);
        std::filesystem::copy_file(testing::testdata_path("models/llama-Q4_0.gguf"),
                                   dir + "/tiny-Q4_0.gguf",
                                   std::filesystem::copy_options::overwrite_existing);
        env = "FLASH_MODELS=" + shell_quote(dir) + " ";
    }
};

TEST(CliModels, ListShowsWhatWasPulled) {
    const ModelsDir m;
    const auto r = run_command(m.env + flash_binary() + " list");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "NAME")) << r.output;
    EXPECT_TRUE(contains(r.output, "tiny-Q4_0.gguf")) << r.output;
    EXPECT_TRUE(contains(r.output, "llama")) << r.output;
    const auto json = run_command(m.env + flash_binary() + " ls --json", false);
    ASSERT_EQ(json.exit_code, 0) << json.output;
    const auto list = nlohmann::json::parse(json.output);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0]["architecture"], "llama");
    EXPECT_EQ(list[0]["name"], "tiny-Q4_0.gguf");
    EXPECT_GT(list[0]["parameters"].get<int64_t>(), 0);
    EXPECT_EQ(list[0]["bytes"].get<uint64_t>(),
              std::filesystem::file_size(m.dir + "/tiny-Q4_0.gguf"));
}

TEST(CliModels, ShowGivesTheShortForm) {
    const ModelsDir m;
    const auto r = run_command(m.env + flash_binary() + " show tiny-Q4_0.gguf --json", false);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto j = nlohmann::json::parse(r.output);
    EXPECT_EQ(j["architecture"], "llama");
    EXPECT_EQ(j["chat_sampling"], "greedy, repeat-penalty 1.1");  // a tiny model
    const auto no_template =
        run_command(m.env + flash_binary() + " show tiny-Q4_0.gguf --template");
    EXPECT_EQ(no_template.exit_code, 1);
    EXPECT_TRUE(contains(no_template.output, "has no chat template")) << no_template.output;
}

TEST(CliModels, RemoveDeletesOnlyPulledModels) {
    const ModelsDir m;
    const std::string outside = testing::temp_path("outside.gguf");
    std::filesystem::copy_file(m.dir + "/tiny-Q4_0.gguf", outside,
                               std::filesystem::copy_options::overwrite_existing);
    const auto refused = run_command(m.env + flash_binary() + " rm " + shell_quote(outside));
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_TRUE(contains(refused.output, "not in the models directory")) << refused.output;
    EXPECT_TRUE(std::filesystem::exists(outside));
    // One unknown name among several: nothing is removed.
    const auto partly = run_command(m.env + flash_binary() + " rm tiny-Q4_0.gguf nosuchmodel");
    EXPECT_EQ(partly.exit_code, 1);
    EXPECT_TRUE(std::filesystem::exists(m.dir + "/tiny-Q4_0.gguf")) << partly.output;
    const auto r = run_command(m.env + flash_binary() + " rm tiny-Q4_0.gguf");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "deleted tiny-Q4_0.gguf")) << r.output;
    EXPECT_FALSE(std::filesystem::exists(m.dir + "/tiny-Q4_0.gguf"));
    // A model kept as a link to a file elsewhere: the link goes, the file stays.
    std::filesystem::create_symlink(outside, m.dir + "/linked.gguf");
    const auto link = run_command(m.env + flash_binary() + " rm linked.gguf");
    EXPECT_EQ(link.exit_code, 0) << link.output;
    EXPECT_FALSE(std::filesystem::is_symlink(m.dir + "/linked.gguf"));
    EXPECT_TRUE(std::filesystem::exists(outside));
}

}  // namespace
}  // namespace flash

namespace flash {
namespace {

// Dequantizing a 4-bit model to F16 gains nothing back; it is refused unless asked for, and
// quantizing the result again is flagged as a second rounding.
TEST(CliQuantizeRequant, DequantizingNeedsAllowRequantAndRequantizingWarns) {
    const std::string q4 = testing::testdata_path("models/llama-Q4_0.gguf");
    const std::string f16 = testing::temp_path("requant-f16.gguf");
    const std::string q8 = testing::temp_path("requant-q8.gguf");
    const auto refused = run_command(flash_binary() + " quantize -q " + q4 + " " + f16 + " F16");
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_TRUE(contains(refused.output, "holds Q4_0 weights")) << refused.output;
    EXPECT_TRUE(contains(refused.output, "--allow-requant")) << refused.output;
    EXPECT_FALSE(std::filesystem::exists(f16));

    const auto allowed = run_command(flash_binary() + " quantize -q --force --allow-requant " + q4 +
                                     " " + f16 + " F16");
    ASSERT_EQ(allowed.exit_code, 0) << allowed.output;
    const auto again =
        run_command(flash_binary() + " quantize -q --force " + f16 + " " + q8 + " Q8_0");
    EXPECT_EQ(again.exit_code, 0) << again.output;
    EXPECT_TRUE(contains(again.output, "was dequantized from Q4_0")) << again.output;
    const auto original =
        run_command(flash_binary() + " quantize -q --force " +
                    testing::testdata_path("models/llama-F32.gguf") + " " + q8 + " Q8_0");
    EXPECT_EQ(original.exit_code, 0) << original.output;
    EXPECT_FALSE(contains(original.output, "warning")) << original.output;
}

}  // namespace
}  // namespace flash

namespace flash {
namespace {

TEST(CliNewcomer, OllamaCommandsFlashLacksSayWhatToDoInstead) {
    const auto ps = run_command(flash_binary() + " ps");
    EXPECT_EQ(ps.exit_code, 1);
    EXPECT_TRUE(contains(ps.output, "flash has no `ps` command: flash keeps no model daemon"))
        << ps.output;
    EXPECT_FALSE(contains(ps.output, "did you mean")) << ps.output;
}

}  // namespace
}  // namespace flash

namespace flash {
namespace {

// A word limit reached just before a forced postscript once ended the free text inside a
// character (a lone 0xC3 byte token) and padded it with symbols; only sentence-closing
// characters may follow the last word now, so the output is valid UTF-8.
TEST(RealModelSmolLM2, InstructedOutputStaysValidUtf8AtTheWordLimit) {
    REQUIRE_SMOLLM2(model);
    const std::string file = testing::temp_path("limit_postscript.json");
    const std::string json =
        R"([{"type":"length:words","args":{"relation":"less than","num_words":80}},)"
        R"({"type":"content:postscript","args":{"postscript_marker":"P.S."}}])";
    testing::write_file(file, std::vector<uint8_t>(json.begin(), json.end()), json.size());
    const auto r = run_command(flash_binary() + " run -m " + shell_quote(model) +
                                   " -p 'Describe a walk through Paris.' --instructions " + file,
                               false);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    size_t bad_at = 0;
    EXPECT_TRUE(decode_utf8_strict(r.output, &bad_at).has_value())
        << "invalid UTF-8 at byte " << bad_at << ": " << r.output;
    EXPECT_TRUE(contains(r.output, "P.S.")) << r.output;
}

}  // namespace
}  // namespace flash
