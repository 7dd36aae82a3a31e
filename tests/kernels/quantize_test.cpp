// Activation quantization: known values pin llama.cpp's reference semantics (Q8_0/Q8_1 round
// half away from zero with d = amax/127; Q8_K rounds half to even with d = -max/127 taken from
// the signed largest-magnitude value), and the dispatched quantizers must match them byte for
// byte.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/error.h"
#include "core/fp16.h"
#include "kernels/kernel_test_util.h"
#include "kernels/kernels.h"
#include "kernels/random_weights.h"

namespace flash::kernels {
namespace {

using flash::testing::ScalarGuard;

TEST(QuantizeKnown, ActivationTypes) {
    EXPECT_EQ(activation_type(DType::Q4_0), DType::Q8_0);
    EXPECT_EQ(activation_type(DType::Q5_0), DType::Q8_0);
    EXPECT_EQ(activation_type(DType::Q8_0), DType::Q8_0);
    EXPECT_EQ(activation_type(DType::Q4_1), DType::Q8_1);
    EXPECT_EQ(activation_type(DType::Q5_1), DType::Q8_1);
    for (DType t : {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K}) {
        EXPECT_EQ(activation_type(t), DType::Q8_K);
    }
    for (DType t : {DType::F32, DType::F16, DType::BF16}) EXPECT_EQ(activation_type(t), DType::F32);
    EXPECT_EQ(activation_row_bytes(DType::Q4_1, 64), 2 * sizeof(BlockQ8_1));
    EXPECT_EQ(activation_row_bytes(DType::Q6_K, 512), 2 * sizeof(BlockQ8_K));
    EXPECT_EQ(activation_row_bytes(DType::F16, 10), 40u);
    EXPECT_THROW(activation_type(DType::I8), Error);
}

// amax = 127 makes d = 1 and 1/d exact, so the ties below are real ties.
std::vector<float> tie_block() {
    std::vector<float> x(32, 0.0f);
    x[0] = 127.0f;
    x[1] = 2.5f;
    x[2] = -2.5f;
    x[3] = 0.5f;
    x[4] = -0.4f;
    x[5] = -127.0f;
    return x;
}

TEST(QuantizeKnown, Q8_0RoundsHalfAwayFromZero) {
    for (bool scalar : {true, false}) {
        ScalarGuard guard(scalar);
        const auto x = tie_block();
        BlockQ8_0 b{};
        quantize_activation_row(DType::Q8_0, x.data(), &b, 32);
        EXPECT_EQ(fp16_to_f32(b.d), 1.0f);
        EXPECT_EQ(b.qs[0], 127);
        EXPECT_EQ(b.qs[1], 3);
        EXPECT_EQ(b.qs[2], -3);
        EXPECT_EQ(b.qs[3], 1);
        EXPECT_EQ(b.qs[4], 0);
        EXPECT_EQ(b.qs[5], -127);
    }
}

TEST(QuantizeKnown, Q8_1StoresScaledSum) {
    for (bool scalar : {true, false}) {
        ScalarGuard guard(scalar);
        const auto x = tie_block();
        BlockQ8_1 b{};
        quantize_activation_row(DType::Q4_1, x.data(), &b, 32);
        EXPECT_EQ(fp16_to_f32(b.d), 1.0f);
        EXPECT_EQ(b.qs[1], 3);
        EXPECT_EQ(fp16_to_f32(b.s), 1.0f);  // 127 + 3 - 3 + 1 + 0 - 127 = 1, times d = 1
    }
}

TEST(QuantizeKnown, Q8_0GeneralScale) {
    std::vector<float> x(32);
    for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j - 16);
    BlockQ8_0 b{};
    ref::quantize_activation_row(DType::Q8_0, x.data(), &b, 32);
    EXPECT_EQ(b.d, f32_to_fp16(16.0f / 127.0f));
    EXPECT_EQ(b.qs[0], -127);
    EXPECT_EQ(b.qs[17], 8);    // 1 * 127/16 = 7.94
    EXPECT_EQ(b.qs[31], 119);  // 15 * 7.94 = 119.06
    EXPECT_EQ(b.qs[16], 0);
}

TEST(QuantizeKnown, Q8_KRoundsHalfToEvenFromSignedMax) {
    std::vector<float> x(256);
    for (int j = 0; j < 256; ++j) x[j] = static_cast<float>(j - 128);  // max |x| = 128 at j = 0
    for (bool scalar : {true, false}) {
        ScalarGuard guard(scalar);
        BlockQ8_K b{};
        quantize_activation_row(DType::Q4_K, x.data(), &b, 256);
        // iscale = -127 / -128 = 0.9921875 exactly; d = 1 / iscale.
        EXPECT_EQ(b.d, 1.0f / 0.9921875f);
        EXPECT_EQ(b.qs[0], -127);
        EXPECT_EQ(b.qs[192], 64);   // 64 * 0.9921875 = 63.5 -> even 64
        EXPECT_EQ(b.qs[64], -64);   // -63.5 -> -64
        EXPECT_EQ(b.qs[65], -63);   // -62.51
        EXPECT_EQ(b.qs[255], 126);  // 127 * 0.9921875 = 126.008
        for (int g = 0; g < 16; ++g) {
            int sum = 0;
            for (int l = 0; l < 16; ++l) sum += b.qs[16 * g + l];
            EXPECT_EQ(b.bsums[g], sum) << g;
        }
    }
}

TEST(QuantizeKnown, Q8_KNegativeScaleWhenMaxPositive) {
    std::vector<float> x(256, 0.0f);
    x[3] = 2.0f;
    x[7] = -2.0f;  // same magnitude later: the first one (positive) sets the sign
    x[9] = 1.0f;
    for (bool scalar : {true, false}) {
        ScalarGuard guard(scalar);
        BlockQ8_K b{};
        quantize_activation_row(DType::Q6_K, x.data(), &b, 256);
        EXPECT_LT(b.d, 0.0f);
        EXPECT_EQ(b.qs[3], -127);
        EXPECT_EQ(b.qs[7], 127);
        EXPECT_EQ(b.qs[9], -64);  // -63.5 -> even -64
    }
}

TEST(QuantizeKnown, Q8_KAllZeroBlock) {
    std::vector<float> x(512, 0.0f);
    x[300] = 1.0f;
    for (bool scalar : {true, false}) {
        ScalarGuard guard(scalar);
        std::vector<BlockQ8_K> b(2);
        std::memset(b.data(), 0x55, 2 * sizeof(BlockQ8_K));
        quantize_activation_row(DType::Q2_K, x.data(), b.data(), 512);
        EXPECT_EQ(b[0].d, 0.0f);
        for (int j = 0; j < 256; ++j) EXPECT_EQ(b[0].qs[j], 0);
        for (int g = 0; g < 16; ++g) EXPECT_EQ(b[0].bsums[g], 0);
        EXPECT_EQ(b[1].qs[44], -127);
    }
}

class QuantizeRandom : public ::testing::TestWithParam<DType> {};

TEST_P(QuantizeRandom, DispatchedBytesEqualReference) {
    const DType t = GetParam();
    std::mt19937 rng(7 + static_cast<int>(t));
    const int64_t n = flash::testing::test_row_len(t) * 2;
    const size_t bytes = activation_row_bytes(t, n);
    for (float scale : {1e-3f, 1.0f, 37.0f}) {
        auto x = flash::testing::random_floats(n, rng, scale);
        for (int64_t i = 0; i < 40; ++i) x[static_cast<size_t>(i)] = 0.0f;  // a zero block
        // Values on exact .5 boundaries after scaling appear with small integers.
        for (int64_t i = 40; i < 64; ++i)
            x[static_cast<size_t>(i)] = static_cast<float>(i % 7) - 3.5f;
        std::vector<uint8_t> expect(bytes, 0xAA), got(bytes, 0x55);
        ref::quantize_activation_row(t, x.data(), expect.data(), n);
        quantize_activation_row(t, x.data(), got.data(), n);
        EXPECT_EQ(0, std::memcmp(expect.data(), got.data(), bytes))
            << "scale " << scale << " isa " << isa_name();
    }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, QuantizeRandom,
                         ::testing::ValuesIn(flash::testing::weight_types()),
                         flash::testing::type_name);

}  // namespace
}  // namespace flash::kernels
