// The hardening cases at the command line: every out-of-range or non-finite value is refused
// by the option's name before anything runs; an empty constraint is an error, not an
// unconstrained run; hostile JSON on stdin is an error, not a crash.
#include <gtest/gtest.h>

#include <fstream>
#include <limits>

#include "common/gguf_builder.h"
#include "common/run_command.h"
#include "common/testdata.h"
#include "core/gguf.h"
#include "core/gguf_writer.h"

namespace flash {
namespace {

using testing::flash_binary;
using testing::run_command;

std::string model() {
    return testing::testdata_path("models/llama-F32.gguf");
}
// A complete tiny model with a real BPE vocabulary (the GGUF fuzzer's seed).
std::string tiny_model() {
    return std::string(FLASH_SOURCE_DIR) + "/fuzz/corpus/gguf/tiny-llama-bpe.gguf";
}

TEST(CliBadValues, OutOfRangeAndNonFiniteNumbersAreRefusedByName) {
    const struct {
        const char* flags;
        const char* option;
    } cases[] = {
        {"-c 0", "--ctx-size"},     {"-c -5", "--ctx-size"},
        {"-b 0", "--batch-size"},   {"-t -1", "--threads"},
        {"-t 100000", "--threads"}, {"--temp nan", "--temp"},
        {"--temp inf", "--temp"},   {"--temp -1", "--temp"},
        {"--top-k -1", "--top-k"},  {"--top-p -1", "--top-p"},
        {"--min-p 2", "--min-p"},   {"--repeat-last-n -5", "--repeat-last-n"},
        {"-n 0", "--n-predict"},    {"--repeat-penalty nan", "--repeat-penalty"},
    };
    for (const auto& c : cases) {
        const auto r = run_command(flash_binary() + " run -m " + model() + " -p hi " + c.flags);
        EXPECT_NE(r.exit_code, 0) << c.flags << ": " << r.output;
        EXPECT_NE(r.output.find(c.option), std::string::npos) << c.flags << ": " << r.output;
        EXPECT_EQ(r.output.find("terminate called"), std::string::npos) << r.output;
    }
    // The error names the value and the range.
    const auto r = run_command(flash_binary() + " run -m " + model() + " -p hi --min-p 2");
    EXPECT_NE(r.output.find("'2' is outside the range [0, 1]"), std::string::npos) << r.output;
}

// --repack only changes Precision::Fast's GEMM: asked for with exact it is refused, by name, in
// the commands that load a model and in the server, before the port is taken.
TEST(CliBadValues, RepackWithoutFastPrecisionIsRefused) {
    for (const char* cmd : {" run -p hi -n 2", " bench -p 8 -n 2", " serve --port 0"}) {
        const auto r = run_command(flash_binary() + cmd + " -m " + model() + " --repack");
        EXPECT_EQ(r.exit_code, 1) << cmd << ": " << r.output;
        EXPECT_NE(r.output.find("--repack packs weights for --precision fast"), std::string::npos)
            << cmd << ": " << r.output;
    }
    const auto ok = run_command(flash_binary() + " run -m " + tiny_model() +
                                " --raw -p hi -n 2 --precision fast --repack");
    EXPECT_EQ(ok.exit_code, 0) << ok.output;
    EXPECT_NE(ok.output.find("weights repacked for fast prompts"), std::string::npos) << ok.output;
}

TEST(CliBadValues, EmptyConstraintsAreErrorsNotUnconstrainedOutput) {
    const std::string empty = testing::temp_path("empty.gbnf");
    std::ofstream(empty) << "  \n";
    for (const std::string& flags :
         {"--grammar " + empty, "--json-schema " + empty, std::string("--regex ''")}) {
        const auto r =
            run_command(flash_binary() + " run -m " + tiny_model() + " -p hi -n 4 " + flags);
        EXPECT_EQ(r.exit_code, 1) << flags << ": " << r.output;
        EXPECT_NE(r.output.find("is empty"), std::string::npos) << flags << ": " << r.output;
    }
}

TEST(CliBadValues, DeeplyNestedJsonOnStdinIsAnErrorNotACrash) {
    const std::string deep = testing::temp_path("deep.json");
    std::ofstream(deep) << std::string(100000, '[') << std::string(100000, ']');
    const auto r =
        run_command(flash_binary() + " tokenize --decode -m " + tiny_model() + " < " + deep);
    EXPECT_EQ(r.exit_code, 1) << r.output.substr(0, 300);
    EXPECT_NE(r.output.find("nested deeper than"), std::string::npos) << r.output.substr(0, 300);
}

TEST(CliBadValues, ANonFiniteHyperparameterIsACannotRunLineInInfoAndAnErrorInRun) {
    // A tiny llama whose rms epsilon is NaN: info shows why it cannot run; run refuses it.
    testing::GgufBuilder b;
    b.header(0, 7)
        .kv_str("general.architecture", "llama")
        .kv_u32("llama.block_count", 1)
        .kv_u32("llama.embedding_length", 8)
        .kv_u32("llama.feed_forward_length", 16)
        .kv_u32("llama.attention.head_count", 2)
        .kv_f32("llama.attention.layer_norm_rms_epsilon", std::numeric_limits<float>::quiet_NaN())
        .kv_f32("llama.rope.freq_base", 10000.0f)
        .align();
    const std::string path = b.write(testing::temp_path("nan_eps.gguf"));
    const auto info = run_command(flash_binary() + " info " + path);
    EXPECT_EQ(info.exit_code, 0) << info.output;
    EXPECT_NE(info.output.find("cannot run this file"), std::string::npos) << info.output;
    EXPECT_NE(info.output.find("layer_norm_rms_epsilon' = nan"), std::string::npos) << info.output;
    const auto run = run_command(flash_binary() + " run -m " + path + " -p hi");
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_NE(run.output.find("layer_norm_rms_epsilon' = nan"), std::string::npos) << run.output;
}

TEST(CliBadValues, ABosIdOutsideTheVocabularyIsShownByInfoAndRefusedByRun) {
    const GgufFile tiny(tiny_model());
    GgufWriter w(tiny.alignment());
    for (const auto& [key, value] : tiny.metadata()) w.set(key, value);
    w.set_u32("tokenizer.ggml.bos_token_id", 1000);
    for (const GgufTensor& t : tiny.tensors())
        w.add_tensor(t.name, t.type, t.dims,
                     [&t](std::vector<uint8_t>& out) { out.assign(t.data, t.data + t.n_bytes); });
    const std::string path = testing::temp_path("bad_bos.gguf");
    w.write(path);
    const auto info = run_command(flash_binary() + " info " + path);
    EXPECT_EQ(info.exit_code, 0) << info.output;
    EXPECT_NE(info.output.find("tokenizer: flash cannot read this vocabulary"), std::string::npos)
        << info.output;
    EXPECT_NE(info.output.find("token id 1000 is outside the vocabulary [0, 32)"),
              std::string::npos)
        << info.output;
    const auto run = run_command(flash_binary() + " run --raw -m " + path + " -p hi -n 2");
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_NE(run.output.find("tokenizer.ggml.bos_token_id"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace flash
