// Importance matrices: the collector's mean squares, the file round trip, and the errors for a
// file that is not one, an entry of the wrong width and an imatrix made for another model.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/testdata.h"
#include "core/error.h"
#include "quant/imatrix.h"
#include "quant/quantize_model.h"

namespace flash::quant {
namespace {

TEST(Imatrix, CollectsMeanSquaresAndRoundTrips) {
    ImatrixCollector c;
    const float a[6] = {1, 2, 3, 4, 5, 6};  // 2 rows of 3
    const float b[3] = {1, 0, -3};
    c.add("blk.0.ffn_up.weight", a, 2, 3);
    c.add("blk.0.ffn_up.weight", b, 1, 3);
    EXPECT_THROW(c.add("blk.0.ffn_up.weight", a, 1, 6), Error);
    const ImportanceMatrix m = c.finish(3, 1, "unit");
    const auto& v = m.values.at("blk.0.ffn_up.weight");
    ASSERT_EQ(v.size(), 3u);
    EXPECT_FLOAT_EQ(v[0], (1 + 16 + 1) / 3.f);
    EXPECT_FLOAT_EQ(v[1], (4 + 25 + 0) / 3.f);
    EXPECT_FLOAT_EQ(v[2], (9 + 36 + 9) / 3.f);

    const std::string path = ::testing::TempDir() + "flash-imatrix.gguf";
    m.save(path);
    const ImportanceMatrix back = ImportanceMatrix::load(path);
    EXPECT_EQ(back.values, m.values);
    EXPECT_EQ(back.tokens, 3);
    EXPECT_EQ(back.dataset, "unit");
    EXPECT_NE(back.find("blk.0.ffn_up.weight", 3), nullptr);
    EXPECT_EQ(back.find("blk.0.ffn_down.weight", 3), nullptr);
    EXPECT_THROW(back.find("blk.0.ffn_up.weight", 4), Error);

    // Made for another model: no weight of the testdata llama model has this entry.
    const std::string out = ::testing::TempDir() + "flash-imatrix-q4.gguf";
    try {
        quantize_model(testing::testdata_path("models/llama-F32.gguf"), out, find_target("Q4_K_M"),
                       {}, &back);
        FAIL() << "an imatrix for another model was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("another model"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(out));
    std::filesystem::remove(path);
}

TEST(Imatrix, ModelFilesAreNotImportanceMatrices) {
    try {
        ImportanceMatrix::load(testing::testdata_path("models/llama-F32.gguf"));
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("not an importance matrix"), std::string::npos)
            << e.what();
    }
}

TEST(Imatrix, WeightsTheTensorsItCovers) {
    const GgufFile model(testing::testdata_path("models/llama-F32.gguf"));
    ImportanceMatrix m;
    for (const GgufTensor& t : model.tensors())
        if (t.name.find("ffn_up") != std::string::npos)
            m.values[t.name] = std::vector<float>(static_cast<size_t>(t.dims[0]), 1.f);
    const std::string out = ::testing::TempDir() + "flash-imatrix-weighted.gguf";
    const auto report = quantize_model(testing::testdata_path("models/llama-F32.gguf"), out,
                                       find_target("Q4_K_M"), {}, &m);
    int weighted = 0;
    for (const auto& r : report) {
        weighted += r.weighted;
        EXPECT_EQ(r.weighted, r.name.find("ffn_up") != std::string::npos) << r.name;
    }
    EXPECT_EQ(weighted, 2);
    std::filesystem::remove(out);
}

}  // namespace
}  // namespace flash::quant
