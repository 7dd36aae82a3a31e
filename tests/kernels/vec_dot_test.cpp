// Dot products. The reference is pinned against a double-precision dot of the dequantized
// weights and dequantized activations (its meaning), and every path is held to the reference
// within float-summation tolerance relative to sum |w_i * a_i|.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/fp16.h"
#include "kernels/kernel_test_util.h"
#include "kernels/kernels.h"
#include "kernels/random_weights.h"

namespace flash::kernels {
namespace {

using flash::testing::ScalarGuard;
using flash::testing::TypeMode;

struct Prepared {
    std::vector<uint8_t> w;    // one weight row
    std::vector<uint8_t> act;  // its activation row, quantized by the reference
    double exact = 0.0;        // what the reference must compute, in double
    double abs_sum = 0.0;      // sum |w_i * a_i|, the tolerance scale
};

Prepared prepare(DType t, int64_t n, std::mt19937& rng, float act_scale) {
    Prepared p;
    p.w = flash::testing::random_weights(t, n, rng);
    const auto x = flash::testing::random_floats(n, rng, act_scale);
    p.act.resize(activation_row_bytes(t, n));
    ref::quantize_activation_row(t, x.data(), p.act.data(), n);

    std::vector<float> wf(static_cast<size_t>(n)), af(static_cast<size_t>(n));
    ref::dequantize_row(t, p.w.data(), wf.data(), n);
    const DType at = activation_type(t);
    if (at == DType::F32) {
        af = x;
    } else {
        ref::dequantize_row(at, p.act.data(), af.data(), n);
    }
    for (int64_t i = 0; i < n; ++i) {
        const double prod = static_cast<double>(wf[i]) * af[i];
        p.exact += prod;
        p.abs_sum += std::fabs(prod);
    }
    // Q8_1: the weight minimum meets sum(a) through s, which is d * sum(q) rounded to fp16.
    if (at == DType::Q8_1) {
        const auto* y = reinterpret_cast<const BlockQ8_1*>(p.act.data());
        for (int64_t b = 0; b < n / QK8_1; ++b) {
            const size_t off = static_cast<size_t>(b) * dtype_info(t).block_bytes + 2;
            uint16_t m_bits;
            std::memcpy(&m_bits, p.w.data() + off, 2);  // m follows d in Q4_1 and Q5_1
            int qsum = 0;
            for (int j = 0; j < QK8_1; ++j) qsum += y[b].qs[j];
            const double s_exact = static_cast<double>(fp16_to_f32(y[b].d)) * qsum;
            const double m = fp16_to_f32(m_bits);
            p.exact += m * (fp16_to_f32(y[b].s) - s_exact);
            p.abs_sum += std::fabs(m * fp16_to_f32(y[b].s));
        }
    }
    return p;
}

class VecDotReference : public ::testing::TestWithParam<DType> {};

TEST_P(VecDotReference, EqualsDoubleDotOfDequantizedRows) {
    const DType t = GetParam();
    std::mt19937 rng(100 + static_cast<int>(t));
    for (float act_scale : {0.01f, 1.0f, 50.0f}) {
        for (int rep = 0; rep < 5; ++rep) {
            const int64_t n = flash::testing::test_row_len(t);
            const Prepared p = prepare(t, n, rng, act_scale);
            const float got = ref::vec_dot(t, n, p.w.data(), p.act.data());
            EXPECT_NEAR(got, p.exact, 2e-6 * p.abs_sum + 1e-30)
                << dtype_name(t) << " scale " << act_scale;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, VecDotReference,
                         ::testing::ValuesIn(flash::testing::weight_types()),
                         flash::testing::type_name);

class VecDotPaths : public ::testing::TestWithParam<TypeMode> {};

TEST_P(VecDotPaths, MatchesReference) {
    const auto [t, scalar] = GetParam();
    ScalarGuard guard(scalar);
    std::mt19937 rng(200 + static_cast<int>(t));
    for (int64_t blocks : {1, 2, 3, 8}) {
        const int64_t n = t == DType::F32 || t == DType::F16 || t == DType::BF16
                              ? blocks * 37 + 5
                              : blocks * dtype_info(t).block_elems;
        for (int rep = 0; rep < 4; ++rep) {
            const Prepared p = prepare(t, n, rng, 1.0f);
            // The dispatched quantizer must give the same bytes, so reuse the reference's row.
            const float expect = ref::vec_dot(t, n, p.w.data(), p.act.data());
            const float got = vec_dot(t, n, p.w.data(), p.act.data());
            EXPECT_NEAR(got, expect, 1e-5 * p.abs_sum) << "n=" << n << " isa " << isa_name();
        }
    }
    const int64_t n = flash::testing::test_row_len(t);
    const Prepared p = prepare(t, n, rng, 3.0f);
    EXPECT_NEAR(vec_dot(t, n, p.w.data(), p.act.data()),
                ref::vec_dot(t, n, p.w.data(), p.act.data()), 1e-5 * p.abs_sum);
}

// Extreme but valid quant patterns (all bits set / all clear) catch saturation in the
// 8-bit multiply-add paths.
TEST_P(VecDotPaths, ExtremeQuantsDoNotSaturate) {
    const auto [t, scalar] = GetParam();
    if (t == DType::F32 || t == DType::F16 || t == DType::BF16) GTEST_SKIP();
    ScalarGuard guard(scalar);
    const int64_t n = flash::testing::test_row_len(t);
    std::mt19937 rng(300);
    for (uint8_t fill : {uint8_t{0x00}, uint8_t{0xFF}, uint8_t{0x80}, uint8_t{0x7F}}) {
        auto w = flash::testing::random_weights(t, n, rng);
        const auto scales = flash::testing::scale_fields(t);
        const size_t block = dtype_info(t).block_bytes;
        for (size_t b0 = 0; b0 < w.size(); b0 += block) {
            for (size_t k = 0; k < block; ++k) {
                bool is_scale = false;
                for (int s = 0; s < scales.count; ++s) {
                    is_scale |= k == static_cast<size_t>(scales.offsets[s]) ||
                                k == static_cast<size_t>(scales.offsets[s]) + 1;
                }
                if (!is_scale) w[b0 + k] = fill;
            }
        }
        // Activations at full scale: every q is +-127.
        std::vector<float> x(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) x[i] = (i % 3 == 0) ? -1.0f : 1.0f;
        std::vector<uint8_t> act(activation_row_bytes(t, n));
        ref::quantize_activation_row(t, x.data(), act.data(), n);
        std::vector<float> wf(static_cast<size_t>(n)), af(static_cast<size_t>(n));
        ref::dequantize_row(t, w.data(), wf.data(), n);
        ref::dequantize_row(activation_type(t), act.data(), af.data(), n);
        double abs_sum = 0;
        for (int64_t i = 0; i < n; ++i) abs_sum += std::fabs(static_cast<double>(wf[i]) * af[i]);
        EXPECT_NEAR(vec_dot(t, n, w.data(), act.data()), ref::vec_dot(t, n, w.data(), act.data()),
                    1e-5 * abs_sum + 1e-6)
            << "fill " << int(fill);
    }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, VecDotPaths,
                         ::testing::ValuesIn(flash::testing::all_type_modes()),
                         flash::testing::type_mode_name);

}  // namespace
}  // namespace flash::kernels
