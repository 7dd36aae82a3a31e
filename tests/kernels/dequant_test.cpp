// Dequantization: hand-built blocks with values worked out from the block layouts pin the
// scalar reference; random blocks hold the dispatched (SIMD) path to it bit for bit.
#include <gtest/gtest.h>

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

constexpr uint16_t kHalf = 0x3800;     // 0.5
constexpr uint16_t kOne = 0x3C00;      // 1.0
constexpr uint16_t kQuarter = 0x3400;  // 0.25
constexpr uint16_t kMinusOne = 0xBC00;

template <typename Block>
std::vector<float> deq(DType t, const Block& b, int64_t n) {
    std::vector<float> out(static_cast<size_t>(n));
    ref::dequantize_row(t, &b, out.data(), n);
    return out;
}

TEST(DequantKnown, Q4_0) {
    BlockQ4_0 b{};
    b.d = kHalf;
    for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
    const auto y = deq(DType::Q4_0, b, 32);
    for (int j = 0; j < 16; ++j) {
        EXPECT_EQ(y[j], (j - 8) * 0.5f) << j;
        EXPECT_EQ(y[j + 16], (7 - j) * 0.5f) << j;
    }
    EXPECT_EQ(y[0], -4.0f);   // nibble 0
    EXPECT_EQ(y[16], 3.5f);   // high nibble 15
    EXPECT_EQ(y[31], -4.0f);  // high nibble 0
}

TEST(DequantKnown, Q4_1) {
    BlockQ4_1 b{};
    b.d = kQuarter;
    b.m = kMinusOne;
    for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
    const auto y = deq(DType::Q4_1, b, 32);
    EXPECT_EQ(y[0], -1.0f);
    EXPECT_EQ(y[15], 2.75f);
    EXPECT_EQ(y[16], 2.75f);
    EXPECT_EQ(y[31], -1.0f);
    EXPECT_EQ(y[5], 0.25f);
}

TEST(DequantKnown, Q5_0) {
    BlockQ5_0 b{};
    b.d = kOne;
    for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
    const uint32_t qh = 0xAAAA5555u;  // bits 0,2,4.. of the low half; 17,19,.. of the high
    std::memcpy(b.qh, &qh, 4);
    const auto y = deq(DType::Q5_0, b, 32);
    EXPECT_EQ(y[0], 0.0f);    // nibble 0 + 16 - 16
    EXPECT_EQ(y[1], -15.0f);  // nibble 1, no fifth bit
    EXPECT_EQ(y[2], 2.0f);    // nibble 2 + 16 - 16
    EXPECT_EQ(y[16], -1.0f);  // high nibble of qs[0] = 15, bit 16 clear
    EXPECT_EQ(y[17], 14.0f);  // high nibble of qs[1] = 14, bit 17 set: 30 - 16
    EXPECT_EQ(y[31], 0.0f);   // high nibble of qs[15] = 0, bit 31 set: 16 - 16
}

TEST(DequantKnown, Q5_1) {
    BlockQ5_1 b{};
    b.d = kHalf;
    b.m = kOne;
    for (int j = 0; j < 16; ++j) b.qs[j] = static_cast<uint8_t>(j | ((15 - j) << 4));
    const uint32_t qh = 0xAAAA5555u;
    std::memcpy(b.qh, &qh, 4);
    const auto y = deq(DType::Q5_1, b, 32);
    EXPECT_EQ(y[0], 9.0f);    // 16 * 0.5 + 1
    EXPECT_EQ(y[1], 1.5f);    // 1 * 0.5 + 1
    EXPECT_EQ(y[17], 16.0f);  // 30 * 0.5 + 1
}

TEST(DequantKnown, Q8_0) {
    BlockQ8_0 b{};
    b.d = kQuarter;
    for (int j = 0; j < 32; ++j) b.qs[j] = static_cast<int8_t>(j - 16);
    const auto y = deq(DType::Q8_0, b, 32);
    for (int j = 0; j < 32; ++j) EXPECT_EQ(y[j], (j - 16) * 0.25f);
}

TEST(DequantKnown, Q2_K) {
    BlockQ2_K b{};
    b.d = kOne;
    b.dmin = kHalf;
    std::memset(b.scales, 0x23, sizeof b.scales);  // scale 3, min 2
    b.scales[5] = 0x41;                            // sub-block 5 (elements 80..95): scale 1, min 4
    std::memset(b.qs, 0xE4, sizeof b.qs);          // 2-bit fields 0,1,2,3 -> group j has value j
    const auto y = deq(DType::Q2_K, b, 256);
    EXPECT_EQ(y[0], -1.0f);    // 3 * 0 - 0.5 * 2
    EXPECT_EQ(y[32], 2.0f);    // 3 * 1 - 1
    EXPECT_EQ(y[64], 5.0f);    // 3 * 2 - 1
    EXPECT_EQ(y[96], 8.0f);    // 3 * 3 - 1
    EXPECT_EQ(y[128], -1.0f);  // second half restarts at group 0
    EXPECT_EQ(y[85], 0.0f);    // 1 * 2 - 0.5 * 4
}

TEST(DequantKnown, Q3_K) {
    BlockQ3_K b{};
    b.d = kOne;
    std::memset(b.hmask, 0xFF, sizeof b.hmask);  // high bits set: no -4 offset
    b.hmask[0] = 0xFE;                           // ...except element 0
    std::memset(b.qs, 0xE4, sizeof b.qs);        // group j -> low bits j
    b.scales[0] = 0x05;                          // scale 0 low nibble 5 (scale 8 low: 0)
    b.scales[8] = 0x02;                          // scale 0 high bits 2 -> 5 + 32 - 32 = 5
    b.scales[4] = 0x70;                          // scale 12 low nibble 7 -> 7 - 32 = -25
    const auto y = deq(DType::Q3_K, b, 256);
    EXPECT_EQ(y[0], -20.0f);    // 5 * (0 - 4)
    EXPECT_EQ(y[1], 0.0f);      // 5 * 0
    EXPECT_EQ(y[33], -32.0f);   // scale 2 = 0 - 32, value 1
    EXPECT_EQ(y[197], -50.0f);  // scale 12 = -25, group 2 of the second half: value 2
    EXPECT_EQ(y[255], -96.0f);  // scale 15 = -32, value 3
}

TEST(DequantKnown, Q4_K) {
    BlockQ4_K b{};
    b.d = kOne;
    b.dmin = kOne;
    b.scales[0] = 0x41;                    // scale 0 = 1; top bits 01 -> high part of scale 4
    b.scales[4] = 0x82;                    // min 0 = 2; top bits 10 -> high part of min 4
    b.scales[8] = 0x53;                    // scale 4 low nibble 3, min 4 low nibble 5
    std::memset(b.qs, 0x21, sizeof b.qs);  // low nibble 1, high nibble 2
    const auto y = deq(DType::Q4_K, b, 256);
    EXPECT_EQ(y[0], -1.0f);     // 1 * 1 - 2
    EXPECT_EQ(y[32], 0.0f);     // scale 1 = 0, min 1 = 0
    EXPECT_EQ(y[128], -18.0f);  // scale 4 = 3 + 16 = 19, min 4 = 5 + 32 = 37: 19 - 37
    EXPECT_EQ(y[160], 0.0f);
}

TEST(DequantKnown, Q5_K) {
    BlockQ5_K b{};
    b.d = kOne;
    b.dmin = kOne;
    b.scales[0] = 0x41;
    b.scales[4] = 0x82;
    b.scales[8] = 0x53;
    std::memset(b.qs, 0x21, sizeof b.qs);
    b.qh[0] = 0x01;  // element 0: +16
    b.qh[3] = 0x10;  // bit 4 of byte 3: element 4 * 32 + 3 = 131
    const auto y = deq(DType::Q5_K, b, 256);
    EXPECT_EQ(y[0], 15.0f);  // 1 * 17 - 2
    EXPECT_EQ(y[1], -1.0f);
    EXPECT_EQ(y[131], 286.0f);  // 19 * 17 - 37
    EXPECT_EQ(y[128], -18.0f);
}

TEST(DequantKnown, Q6_K) {
    BlockQ6_K b{};
    b.d = kHalf;
    for (int j = 0; j < 16; ++j) b.scales[j] = static_cast<int8_t>(j - 8);
    std::memset(b.ql, 0x21, sizeof b.ql);
    b.qh[0] = 0xE4;  // element 0: hi 0, element 32: hi 1, element 64: hi 2, element 96: hi 3
    const auto y = deq(DType::Q6_K, b, 256);
    EXPECT_EQ(y[0], 124.0f);     // 0.5 * -8 * (1 - 32)
    EXPECT_EQ(y[32], 45.0f);     // 0.5 * -6 * (1 + 16 - 32)
    EXPECT_EQ(y[64], -4.0f);     // 0.5 * -4 * (2 + 32 - 32)
    EXPECT_EQ(y[96], -18.0f);    // 0.5 * -2 * (2 + 48 - 32)
    EXPECT_EQ(y[128], 0.0f);     // scale 8 = 0
    EXPECT_EQ(y[255], -105.0f);  // 0.5 * 7 * (2 - 32)
}

TEST(DequantKnown, FloatTypes) {
    const uint16_t h[4] = {0x3C00, 0xC000, 0x3800, 0x0001};  // 1, -2, 0.5, smallest subnormal
    float y[4];
    ref::dequantize_row(DType::F16, h, y, 4);
    EXPECT_EQ(y[0], 1.0f);
    EXPECT_EQ(y[1], -2.0f);
    EXPECT_EQ(y[2], 0.5f);
    EXPECT_EQ(y[3], 5.9604644775390625e-08f);
    const uint16_t b[2] = {0x3F80, 0xC040};  // 1, -3
    ref::dequantize_row(DType::BF16, b, y, 2);
    EXPECT_EQ(y[0], 1.0f);
    EXPECT_EQ(y[1], -3.0f);
}

TEST(DequantKnown, RejectsBadLength) {
    float y[64];
    BlockQ4_0 b[2]{};
    EXPECT_THROW(ref::dequantize_row(DType::Q4_0, b, y, 33), Error);
    EXPECT_THROW(dequantize_row(DType::I32, b, y, 4), Error);
}

class DequantRandom : public ::testing::TestWithParam<DType> {};

TEST_P(DequantRandom, DispatchedMatchesReferenceBitForBit) {
    const DType t = GetParam();
    std::mt19937 rng(42 + static_cast<int>(t));
    const int64_t n = flash::testing::test_row_len(t) * 4;
    const auto w = flash::testing::random_weights(t, n, rng);
    std::vector<float> expect(static_cast<size_t>(n)), got(static_cast<size_t>(n));
    ref::dequantize_row(t, w.data(), expect.data(), n);
    for (Isa isa : flash::testing::test_isas()) {  // every level this CPU has
        ScalarGuard guard(isa);
        std::fill(got.begin(), got.end(), -1.0f);
        dequantize_row(t, w.data(), got.data(), n);
        EXPECT_EQ(0, std::memcmp(expect.data(), got.data(), expect.size() * sizeof(float)))
            << isa_name();
    }
}

// Scales from fp16 subnormals to large values, several seeds: every element bit for bit, on
// every ISA level this CPU has.
TEST_P(DequantRandom, DispatchedMatchesReferenceAcrossScales) {
    const DType t = GetParam();
    const int64_t n = flash::testing::test_row_len(t) * 3;
    std::vector<float> expect(static_cast<size_t>(n)), got(static_cast<size_t>(n));
    for (Isa isa : flash::testing::test_isas()) {
        ScalarGuard guard(isa);
        for (float scale : {1e-6f, 1e-3f, 1.0f, 1000.0f}) {
            for (int seed = 0; seed < 8; ++seed) {
                std::mt19937 rng(static_cast<unsigned>(1000 * seed + static_cast<int>(t)));
                const auto w = flash::testing::random_weights(t, n, rng, scale);
                ref::dequantize_row(t, w.data(), expect.data(), n);
                std::fill(got.begin(), got.end(), -1.0f);
                dequantize_row(t, w.data(), got.data(), n);
                ASSERT_EQ(0, std::memcmp(expect.data(), got.data(), expect.size() * sizeof(float)))
                    << isa_name() << " scale " << scale << " seed " << seed;
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, DequantRandom,
                         ::testing::ValuesIn(flash::testing::weight_types()),
                         flash::testing::type_name);

}  // namespace
}  // namespace flash::kernels
