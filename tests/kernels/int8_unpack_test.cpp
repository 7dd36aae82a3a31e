// The int8 GEMM's unpackers (int8_unpack.h): the scalar ones against the dequantizer (s * u + o
// is the weight), and the dispatched ones (AVX2 where the CPU has it) against the scalar ones,
// byte for byte and float for float.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/int8_unpack.h"
#include "kernels/kernel_test_util.h"
#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"
#include "kernels/random_weights.h"

namespace flash::kernels::detail {
namespace {

using flash::testing::ScalarGuard;

const DType kTypes[] = {DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1,
                        DType::Q8_0, DType::Q4_K, DType::Q5_K, DType::Q6_K};

class Int8Unpack : public ::testing::TestWithParam<DType> {};

TEST_P(Int8Unpack, ScalarUnitsRebuildTheDequantizedWeights) {
    const DType t = GetParam();
    ASSERT_TRUE(int8_gemm_supports(t) || t == DType::Q8_0);
    const int64_t unit_elems = int8_block_elems(t) * int8_blocks_per_unit(t);
    const int64_t units = 3, n = unit_elems * units;
    std::mt19937 rng(300 + static_cast<int>(t));
    const auto w = flash::testing::random_weights(t, n, rng);
    std::vector<float> ref_w(static_cast<size_t>(n));
    ref::dequantize_row(t, w.data(), ref_w.data(), n);
    const Int8UnpackFn unpack = scalar_int8_unpack(t);
    ASSERT_NE(unpack, nullptr);
    const int64_t g = int8_block_elems(t);
    for (int64_t unit = 0; unit < units; ++unit) {
        UnpackedUnit out{};
        unpack(w.data(), unit, out);
        for (int64_t k = 0; k < unit_elems; ++k) {
            const float s = out.s[k / g], o = out.o[k / g];
            const float expect = ref_w[static_cast<size_t>(unit * unit_elems + k)];
            ASSERT_NEAR(s * out.u[k] + o, expect, 1e-6f * (std::fabs(s) * 64 + std::fabs(o)))
                << "unit " << unit << " element " << k;
        }
    }
}

TEST_P(Int8Unpack, DispatchedUnitsEqualTheScalarOnes) {
    const DType t = GetParam();
    ScalarGuard guard(Isa::Avx512);  // the best this CPU has
    const int64_t units = 4;
    const int64_t n = int8_block_elems(t) * int8_blocks_per_unit(t) * units;
    std::mt19937 rng(400 + static_cast<int>(t));
    const auto w = flash::testing::random_weights(t, n, rng);
    const Int8UnpackFn fast = int8_unpack_for(t), slow = scalar_int8_unpack(t);
    const int64_t bytes = int8_block_elems(t) * int8_blocks_per_unit(t);
    const int64_t blocks = int8_blocks_per_unit(t);
    for (int64_t unit = 0; unit < units; ++unit) {
        UnpackedUnit a, b;
        std::memset(&a, 0xAB, sizeof a);  // differing fill: a byte left unwritten shows
        std::memset(&b, 0xCD, sizeof b);
        fast(w.data(), unit, a);
        slow(w.data(), unit, b);
        EXPECT_EQ(std::memcmp(a.u, b.u, static_cast<size_t>(bytes)), 0)
            << isa_name() << " unit " << unit;
        EXPECT_EQ(std::memcmp(a.s, b.s, sizeof(float) * blocks), 0) << "scales, unit " << unit;
        EXPECT_EQ(std::memcmp(a.o, b.o, sizeof(float) * blocks), 0) << "offsets, unit " << unit;
    }
}

INSTANTIATE_TEST_SUITE_P(Types, Int8Unpack, ::testing::ValuesIn(kTypes),
                         [](const ::testing::TestParamInfo<DType>& info) {
                             return std::string(dtype_name(info.param));
                         });

}  // namespace
}  // namespace flash::kernels::detail
