// Half and bfloat16 conversions: exact round trips and IEEE round-to-nearest-even.
#include <gtest/gtest.h>

#include <cmath>

#include "core/fp16.h"

namespace flash {
namespace {

TEST(Fp16, EveryHalfRoundTripsThroughFloat) {
    for (uint32_t h = 0; h < 65536; ++h) {
        const float f = fp16_to_f32(static_cast<uint16_t>(h));
        if (std::isnan(f)) continue;
        EXPECT_EQ(f32_to_fp16(f), h) << "half " << h;
    }
}

TEST(Fp16, KnownValues) {
    EXPECT_EQ(fp16_to_f32(0x3c00), 1.0f);
    EXPECT_EQ(fp16_to_f32(0xc000), -2.0f);
    EXPECT_EQ(fp16_to_f32(0x7bff), 65504.0f);
    EXPECT_EQ(fp16_to_f32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
    EXPECT_EQ(f32_to_fp16(1e6f), 0x7c00);                    // overflow to infinity
    EXPECT_TRUE(std::isnan(fp16_to_f32(f32_to_fp16(NAN))));
}

TEST(Fp16, RoundsToNearestEven) {
    // 1 + 2^-11 lies halfway between 1 and the next half (1 + 2^-10): ties go to even (1).
    EXPECT_EQ(f32_to_fp16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
    // 1 + 3*2^-11 lies halfway between 1+2^-10 (odd) and 1+2^-9 (even): rounds up.
    EXPECT_EQ(f32_to_fp16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
    // Just above the tie rounds up.
    EXPECT_EQ(f32_to_fp16(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)), 0x3c01);
    // Subnormal ties: 1.5 * 2^-24 rounds to 2 * 2^-24 (even).
    EXPECT_EQ(f32_to_fp16(1.5f * std::ldexp(1.0f, -24)), 0x0002);
    EXPECT_EQ(f32_to_fp16(0.5f * std::ldexp(1.0f, -24)), 0x0000);
}

TEST(Bf16, TruncatesWithRoundToNearestEven) {
    EXPECT_EQ(bf16_to_f32(0x3f80), 1.0f);
    EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
    EXPECT_EQ(f32_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);      // tie to even
    EXPECT_EQ(f32_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82);  // tie to even (up)
    for (uint32_t b = 0; b < 65536; b += 3) {
        const float f = bf16_to_f32(static_cast<uint16_t>(b));
        if (std::isnan(f)) continue;
        EXPECT_EQ(f32_to_bf16(f), b);
    }
}

}  // namespace
}  // namespace flash
