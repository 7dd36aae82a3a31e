// The GPU kernels' reading of weight rows (src/cuda/block_math.h), compiled here for the host:
// weight<T> must dequantize every element exactly as the CPU's scalar reference does, for every
// weight type the kernels take, and the 32 lanes' lane_weights<T> must cover each weight of a
// 256-weight unit once, dequantized the same way, for every quantized one. This runs in every
// build, so the device's arithmetic is checked without a GPU; tests/cuda/matvec_test.cpp checks the
// kernels that call it on a real one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "cuda/block_math.h"
#include "kernels/kernels.h"
#include "kernels/random_weights.h"

namespace flash::cuda {
namespace {

constexpr DType kTypes[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q4_0, DType::Q4_1,
                            DType::Q5_0, DType::Q5_1, DType::Q8_0, DType::Q2_K, DType::Q3_K,
                            DType::Q4_K, DType::Q5_K, DType::Q6_K};
constexpr DType kQuantizedTypes[] = {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1,
                                     DType::Q8_0, DType::Q2_K, DType::Q3_K, DType::Q4_K,
                                     DType::Q5_K, DType::Q6_K};

class BlockMath : public ::testing::TestWithParam<DType> {};

TEST_P(BlockMath, EveryTypeIsOneTheKernelsTake) {
    bool known = false;
    EXPECT_TRUE(
        dispatch_type(GetParam(), [&](auto type) { known = decltype(type)::value == GetParam(); }));
    EXPECT_TRUE(known);
}

TEST_P(BlockMath, WeightEqualsTheReferenceDequantizer) {
    const DType t = GetParam();
    std::mt19937 rng(11);
    const int64_t cols = 512, rows = 3;
    const auto w = flash::testing::random_weights(t, rows * cols, rng);
    std::vector<float> want(static_cast<size_t>(cols));
    for (int64_t r = 0; r < rows; ++r) {
        const uint8_t* row = w.data() + r * row_bytes(t, cols);
        kernels::ref::dequantize_row(t, row, want.data(), cols);
        dispatch_type(t, [&](auto type) {
            for (int64_t e = 0; e < cols; ++e)
                ASSERT_EQ(weight<decltype(type)::value>(row, e), want[e])
                    << dtype_name(t) << " row " << r << " element " << e;
        });
    }
}

// The 32 lanes' parts of each 256-weight unit add up to the unit's reference dot product (every
// weight counted once, with its scale); 576 columns leave the 32-element types a partial unit.
// Float rows take the Elements kernel; the quantized types, lane_weights: the 32 lanes' runs of a
// unit cover each of its weights exactly once (a partial unit too: 576 columns), each dequantized
// bit for bit as the reference does, and runs_dot adds them up to the reference dot product.
class LaneWeights : public ::testing::TestWithParam<DType> {};

TEST_P(LaneWeights, CoverEveryWeightOnceAsTheReferenceDequantizesIt) {
    const DType t = GetParam();
    std::mt19937 rng(12);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const int64_t cols = dtype_info(t).block_elems == QK_K ? 768 : 576, rows = 4;
    const auto w = flash::testing::random_weights(t, rows * cols, rng);
    std::vector<float> x(static_cast<size_t>(cols)), deq(static_cast<size_t>(cols));
    for (float& v : x) v = normal(rng);
    for (int64_t r = 0; r < rows; ++r) {
        const uint8_t* row = w.data() + r * row_bytes(t, cols);
        kernels::ref::dequantize_row(t, row, deq.data(), cols);
        std::vector<int> seen(static_cast<size_t>(cols), 0);
        dispatch_type(t, [&](auto type) {
            constexpr DType T = decltype(type)::value;
            if constexpr (quantized_type(T)) {
                for (int64_t u = 0; u < matvec_units(cols); ++u) {
                    double want = 0.0, magnitude = 0.0;
                    float got = 0.0f;
                    for (int lane = 0; lane < 32; ++lane) {
                        LaneRuns runs;
                        if (!lane_weights<T>(row, u, lane, cols, runs)) continue;
                        for (int i = 0; i < 2; ++i)
                            for (int k = 0; k < 4; ++k) {
                                const int64_t e = runs.at[i] + k;
                                ASSERT_TRUE(e >= kUnitElems * u && e < kUnitElems * (u + 1) &&
                                            e < cols)
                                    << dtype_name(t) << " lane " << lane << " element " << e;
                                ++seen[e];
                                ASSERT_EQ(runs.w[i][k], deq[e])
                                    << dtype_name(t) << " row " << r << " element " << e;
                                want += static_cast<double>(deq[e]) * x[e];
                                magnitude += std::fabs(static_cast<double>(deq[e]) * x[e]);
                            }
                        got += runs_dot(runs, x.data());
                    }
                    ASSERT_NEAR(got, want, 2e-6 * magnitude + 1e-30)
                        << dtype_name(t) << " row " << r << " unit " << u;
                }
            }
        });
        EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), cols) << dtype_name(t);
    }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, BlockMath, ::testing::ValuesIn(kTypes),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });
INSTANTIATE_TEST_SUITE_P(QuantizedTypes, LaneWeights, ::testing::ValuesIn(kQuantizedTypes),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

}  // namespace
}  // namespace flash::cuda
