// flash's quantizers against llama-quantize: every tensor of each testdata file that
// llama-quantize wrote in a type flash can write is re-quantized from the F32 original and
// compared byte for byte.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "common/testdata.h"
#include "core/error.h"
#include "core/gguf.h"
#include "quant/quantize_row.h"

namespace flash::quant {
namespace {

struct Pair {
    const char* arch;
    const char* type;
};

class MatchesLlamaQuantize : public ::testing::TestWithParam<Pair> {};

TEST_P(MatchesLlamaQuantize, EveryTensorByteForByte) {
    const Pair p = GetParam();
    const GgufFile original(testing::testdata_path(std::string("models/") + p.arch + "-F32.gguf"));
    const GgufFile quantized(
        testing::testdata_path(std::string("models/") + p.arch + "-" + p.type + ".gguf"));
    int compared = 0;
    for (const GgufTensor& q : quantized.tensors()) {
        if (q.type == DType::F32 || !can_quantize(q.type)) continue;
        const GgufTensor& f = original.require_tensor(q.name);
        ASSERT_EQ(f.type, DType::F32) << q.name;
        ASSERT_EQ(f.n_elements, q.n_elements) << q.name;
        std::vector<uint8_t> mine(q.n_bytes);
        const int64_t row = q.dims[0];
        const size_t row_out = row_bytes(q.type, row);
        for (int64_t r = 0; r < q.rows(); ++r)
            quantize_row(q.type, reinterpret_cast<const float*>(f.data) + r * row,
                         mine.data() + r * row_out, row);
        size_t first_diff = 0;
        while (first_diff < q.n_bytes && mine[first_diff] == q.data[first_diff]) ++first_diff;
        EXPECT_EQ(first_diff, q.n_bytes)
            << q.name << " (" << dtype_name(q.type) << ") differs first at byte " << first_diff;
        ++compared;
    }
    EXPECT_GT(compared, 0) << "no tensor of a type flash writes";
}

INSTANTIATE_TEST_SUITE_P(
    Testdata, MatchesLlamaQuantize,
    ::testing::Values(Pair{"llama", "Q8_0"}, Pair{"llama", "Q4_0"}, Pair{"llama", "Q4_1"},
                      Pair{"llama", "Q5_0"}, Pair{"llama", "Q5_1"}, Pair{"llama", "F16"},
                      Pair{"llama", "BF16"}, Pair{"llama", "Q4_K_M"}, Pair{"llama", "Q5_K_M"},
                      Pair{"llama", "Q6_K"}, Pair{"llama", "Q2_K"}, Pair{"llama", "Q3_K_M"},
                      Pair{"gemma3", "Q4_K_M"}, Pair{"qwen2", "Q4_K_M"}, Pair{"qwen3", "Q4_K_M"},
                      Pair{"qwen35", "Q4_K_M"}, Pair{"gemma3", "Q8_0"}, Pair{"gemma3", "F16"},
                      Pair{"qwen2", "Q8_0"}, Pair{"qwen3", "Q8_0"}, Pair{"qwen35", "Q8_0"}),
    [](const auto& info) { return std::string(info.param.arch) + "_" + info.param.type; });

TEST(QuantizeRow, RefusesWhatItCannotWrite) {
    std::vector<float> x(256, 1.0f);
    std::vector<uint8_t> out(1024);
    EXPECT_THROW(quantize_row(DType::Q8_K, x.data(), out.data(), 256), Error);
    EXPECT_THROW(quantize_row(DType::Q4_0, x.data(), out.data(), 33), Error);
}

}  // namespace
}  // namespace flash::quant
