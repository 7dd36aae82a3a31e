// `flash quantize` against llama-quantize: the testdata's F32 originals rewritten in each
// type give every tensor the type llama-quantize chose and the same bytes, and the file reads
// back through flash's own validating reader.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "common/testdata.h"
#include "core/error.h"
#include "core/gguf.h"
#include "quant/quantize_model.h"

namespace flash::quant {
namespace {

struct Case {
    const char* arch;
    const char* type;
};

class QuantizeModel : public ::testing::TestWithParam<Case> {};

TEST_P(QuantizeModel, MatchesLlamaQuantizeTensorForTensor) {
    const Case c = GetParam();
    const std::string dir = testing::testdata_dir() + "/models/";
    const std::string out =
        ::testing::TempDir() + "flash-quantize-" + c.arch + "-" + c.type + ".gguf";
    const auto report =
        quantize_model(testing::testdata_path(std::string("models/") + c.arch + "-F32.gguf"), out,
                       find_target(c.type));
    EXPECT_FALSE(std::filesystem::exists(out + ".part"));
    const GgufFile mine(out);
    const GgufFile theirs(dir + c.arch + "-" + c.type + ".gguf");
    ASSERT_EQ(mine.tensors().size(), theirs.tensors().size());
    EXPECT_EQ(mine.get_int("general.file_type"), theirs.get_int("general.file_type"));
    EXPECT_EQ(mine.get_string("general.architecture"), theirs.get_string("general.architecture"));
    for (const GgufTensor& t : theirs.tensors()) {
        const GgufTensor& m = mine.require_tensor(t.name);
        EXPECT_EQ(m.type, t.type) << t.name;
        EXPECT_EQ(m.dims, t.dims) << t.name;
        ASSERT_EQ(m.n_bytes, t.n_bytes) << t.name;
        EXPECT_EQ(0, std::memcmp(m.data, t.data, t.n_bytes)) << t.name << " differs";
    }
    std::filesystem::remove(out);
}

INSTANTIATE_TEST_SUITE_P(
    Testdata, QuantizeModel,
    ::testing::Values(Case{"llama", "Q8_0"}, Case{"llama", "Q6_K"}, Case{"llama", "Q5_1"},
                      Case{"llama", "Q5_0"}, Case{"llama", "Q4_1"}, Case{"llama", "Q4_0"},
                      Case{"llama", "F16"}, Case{"llama", "BF16"}, Case{"gemma3", "Q8_0"},
                      Case{"gemma3", "F16"}, Case{"qwen2", "Q8_0"}, Case{"qwen3", "Q8_0"},
                      Case{"qwen35", "Q8_0"}, Case{"llama", "Q5_K_M"}, Case{"llama", "Q4_K_M"},
                      Case{"llama", "Q3_K_M"}, Case{"llama", "Q2_K"}, Case{"gemma3", "Q4_K_M"},
                      Case{"qwen2", "Q4_K_M"}, Case{"qwen3", "Q4_K_M"}, Case{"qwen35", "Q4_K_M"}),
    [](const auto& info) { return std::string(info.param.arch) + "_" + info.param.type; });

// Rows are quantized on their own, so the threads that share a tensor's rows change nothing.
TEST(QuantizeModel, TheFileIsTheSameBytesWithAnyNumberOfThreads) {
    const std::string in = testing::testdata_path("models/qwen35-F32.gguf");
    const std::string one = ::testing::TempDir() + "flash-quantize-t1.gguf";
    const std::string three = ::testing::TempDir() + "flash-quantize-t3.gguf";
    quantize_model(in, one, find_target("Q4_K_M"), {}, nullptr, 1);
    quantize_model(in, three, find_target("Q4_K_M"), {}, nullptr, 3);
    auto bytes = [](const std::string& path) {
        std::ifstream f(path, std::ios::binary);
        return std::vector<char>(std::istreambuf_iterator<char>(f), {});
    };
    const auto a = bytes(one), b = bytes(three);
    EXPECT_FALSE(a.empty());
    EXPECT_TRUE(a == b) << "1 thread: " << a.size() << " bytes, 3 threads: " << b.size();
    std::filesystem::remove(one);
    std::filesystem::remove(three);
}

TEST(QuantizeModel, RefusesQuantizedInputAndUnknownTypes) {
    const std::string out = ::testing::TempDir() + "flash-quantize-refused.gguf";
    try {
        quantize_model(testing::testdata_path("models/llama-Q4_0.gguf"), out, find_target("Q8_0"));
        FAIL() << "quantized a quantized model";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("dequantize"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(out));
    EXPECT_FALSE(std::filesystem::exists(out + ".part")) << "a refused run left a partial file";
    try {
        find_target("Q9_9");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("Q4_0"), std::string::npos) << e.what();
    }
    EXPECT_EQ(find_target("q4_0").type, DType::Q4_0);
}

}  // namespace
}  // namespace flash::quant
