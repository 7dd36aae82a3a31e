// The GPU kernels' reading of weight rows (src/cuda/block_math.h), compiled here for the host:
// weight<T> must dequantize every element exactly as the CPU's scalar reference does, and dot32<T>
// must equal the reference dot product of each 32-element group to f32 rounding, for every weight
// type the kernels take. This runs in every build, so the device's arithmetic is checked
// without a GPU; tests/cuda/matvec_test.cpp checks the kernels that call it on a real one.
#include <gtest/gtest.h>

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

TEST_P(BlockMath, Dot32EqualsTheReferenceDotOfEachGroup) {
    const DType t = GetParam();
    std::mt19937 rng(12);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    const int64_t cols = 1024, rows = 4;
    const auto w = flash::testing::random_weights(t, rows * cols, rng);
    std::vector<float> x(static_cast<size_t>(cols)), deq(static_cast<size_t>(cols));
    for (float& v : x) v = normal(rng);
    for (int64_t r = 0; r < rows; ++r) {
        const uint8_t* row = w.data() + r * row_bytes(t, cols);
        kernels::ref::dequantize_row(t, row, deq.data(), cols);
        dispatch_type(t, [&](auto type) {
            for (int64_t s = 0; s < cols / 32; ++s) {
                double want = 0.0, magnitude = 0.0;
                for (int64_t e = 32 * s; e < 32 * s + 32; ++e) {
                    want += static_cast<double>(deq[e]) * x[e];
                    magnitude += std::fabs(static_cast<double>(deq[e]) * x[e]);
                }
                const float got = dot32<decltype(type)::value>(row, s, x.data());
                // f32 sums in another order, scales applied to sums: a few ulps of the
                // products' magnitude (a wrong field or shift is off by far more).
                ASSERT_NEAR(got, want, 2e-6 * magnitude + 1e-30)
                    << dtype_name(t) << " row " << r << " group " << s;
            }
        });
    }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, BlockMath, ::testing::ValuesIn(kTypes),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

}  // namespace
}  // namespace flash::cuda
