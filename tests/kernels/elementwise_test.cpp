// Row operations against straightforward double-precision formulas, in both dispatch modes.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/kernel_test_util.h"
#include "kernels/kernels.h"
#include "kernels/random_weights.h"

namespace flash::kernels {
namespace {

using flash::testing::ScalarGuard;

class Elementwise : public ::testing::TestWithParam<bool> {
  protected:
    ScalarGuard guard_{GetParam()};
    std::mt19937 rng_{77};
};

TEST_P(Elementwise, RmsNorm) {
    for (int64_t n : {1, 7, 576, 1001}) {
        const auto x = flash::testing::random_floats(n, rng_, 3.0f);
        const auto w = flash::testing::random_floats(n, rng_);
        const float eps = 1e-5f;
        double ss = 0;
        for (float v : x) ss += static_cast<double>(v) * v;
        const double scale = 1.0 / std::sqrt(ss / static_cast<double>(n) + eps);
        std::vector<float> out(static_cast<size_t>(n)), plain(static_cast<size_t>(n));
        rmsnorm(out.data(), x.data(), w.data(), n, eps);
        rmsnorm(plain.data(), x.data(), nullptr, n, eps);
        for (int64_t i = 0; i < n; ++i) {
            EXPECT_NEAR(out[i], x[i] * scale * w[i], 1e-6 * std::fabs(x[i] * scale * w[i]) + 1e-7);
            EXPECT_NEAR(plain[i], x[i] * scale, 1e-6 * std::fabs(x[i] * scale) + 1e-7);
        }
        // In place.
        std::vector<float> inplace = x;
        rmsnorm(inplace.data(), inplace.data(), w.data(), n, eps);
        for (int64_t i = 0; i < n; ++i) EXPECT_EQ(inplace[i], out[i]);
    }
}

double silu_d(double x) {
    return x / (1.0 + std::exp(-x));
}
double gelu_d(double x) {
    const double k = std::sqrt(2.0 / M_PI);
    return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
}

TEST_P(Elementwise, SiluGeluSwigluGeglu) {
    auto x = flash::testing::random_floats(513, rng_, 3.0f);
    x[0] = 0.0f;
    x[1] = -20.0f;
    x[2] = 20.0f;
    const auto up = flash::testing::random_floats(513, rng_);
    auto s = x, g = x, sw = x, gg = x;
    silu(s.data(), 513);
    gelu(g.data(), 513);
    swiglu(sw.data(), up.data(), 513);
    geglu(gg.data(), up.data(), 513);
    for (size_t i = 0; i < x.size(); ++i) {
        const double es = silu_d(x[i]), eg = gelu_d(x[i]);
        EXPECT_NEAR(s[i], es, 2e-6 * std::fabs(es) + 1e-7) << x[i];
        // Float GELU cancels in 1 + tanh for negative x: allow a few ulps of x/2 absolute.
        const double g_tol = 2e-6 * std::fabs(eg) + 2e-7 * std::fabs(x[i]) + 1e-7;
        EXPECT_NEAR(g[i], eg, g_tol) << x[i];
        EXPECT_NEAR(sw[i], es * up[i], 2e-6 * std::fabs(es * up[i]) + 1e-7);
        EXPECT_NEAR(gg[i], eg * up[i], g_tol * std::fabs(up[i]) + 1e-7);
    }
    EXPECT_EQ(g[0], 0.0f);
    float one = 1.0f;
    gelu(&one, 1);
    EXPECT_NEAR(one, 0.8411920071, 1e-6);  // tanh-GELU(1)
}

TEST_P(Elementwise, DotAndAxpy) {
    for (int64_t n : {0, 1, 7, 8, 15, 64, 1000}) {
        const auto a = flash::testing::random_floats(n, rng_);
        const auto b = flash::testing::random_floats(n, rng_);
        double exact = 0, abs_sum = 0;
        for (int64_t i = 0; i < n; ++i) {
            exact += static_cast<double>(a[i]) * b[i];
            abs_sum += std::fabs(static_cast<double>(a[i]) * b[i]);
        }
        EXPECT_NEAR(dot_f32(a.data(), b.data(), n), exact, 1e-6 * abs_sum + 1e-12);
        EXPECT_NEAR(ref::dot_f32(a.data(), b.data(), n), exact, 1e-6 * abs_sum + 1e-12);
        auto y = b;
        axpy_f32(y.data(), 0.75f, a.data(), n);
        for (int64_t i = 0; i < n; ++i) {
            const double e = b[i] + 0.75 * a[i];
            EXPECT_NEAR(y[i], e, 1e-6 * (std::fabs(b[i]) + std::fabs(0.75 * a[i])));
        }
    }
}

TEST_P(Elementwise, RopeHandComputed) {
    // head_dim 4, all rotating, pos 1, base 10000: theta_0 = 1, theta_1 = 10000^(-1/2) = 0.01.
    const double c0 = std::cos(1.0), s0 = std::sin(1.0), c1 = std::cos(0.01), s1 = std::sin(0.01);
    float n[4] = {1, 2, 3, 4};
    rope(n, 4, 4, 1, 10000.0f, 1.0f, RopeStyle::Normal);
    EXPECT_NEAR(n[0], 1 * c0 - 2 * s0, 1e-6);
    EXPECT_NEAR(n[1], 1 * s0 + 2 * c0, 1e-6);
    EXPECT_NEAR(n[2], 3 * c1 - 4 * s1, 1e-6);
    EXPECT_NEAR(n[3], 3 * s1 + 4 * c1, 1e-6);
    float x[4] = {1, 2, 3, 4};
    rope(x, 4, 4, 1, 10000.0f, 1.0f, RopeStyle::NeoX);
    EXPECT_NEAR(x[0], 1 * c0 - 3 * s0, 1e-6);
    EXPECT_NEAR(x[2], 1 * s0 + 3 * c0, 1e-6);
    EXPECT_NEAR(x[1], 2 * c1 - 4 * s1, 1e-6);
    EXPECT_NEAR(x[3], 2 * s1 + 4 * c1, 1e-6);
    // freq_factors divide theta: pair 1 with factor 2 turns by 0.005; freq_scale multiplies.
    const float ff[2] = {1.0f, 2.0f};
    float f[4] = {1, 2, 3, 4};
    rope(f, 4, 4, 3, 10000.0f, 0.5f, RopeStyle::Normal, ff);
    const double t0 = 1.5, t1 = 0.5 * 3 * 0.01 / 2;
    EXPECT_NEAR(f[0], 1 * std::cos(t0) - 2 * std::sin(t0), 1e-6);
    EXPECT_NEAR(f[3], 3 * std::sin(t1) + 4 * std::cos(t1), 1e-6);
    // Partial rotation leaves the tail alone; position 0 is the identity.
    float p[6] = {1, 2, 3, 4, 5, 6};
    rope(p, 6, 2, 1, 10000.0f, 1.0f, RopeStyle::NeoX);
    EXPECT_NEAR(p[0], 1 * c0 - 2 * s0, 1e-6);
    EXPECT_EQ(p[2], 3.0f);
    EXPECT_EQ(p[5], 6.0f);
    float z[4] = {1, 2, 3, 4};
    rope(z, 4, 4, 0, 10000.0f, 1.0f, RopeStyle::Normal);
    EXPECT_EQ(z[0], 1.0f);
    EXPECT_EQ(z[3], 4.0f);
}

TEST_P(Elementwise, RopePreservesPairNorms) {
    const int64_t d = 64;
    for (RopeStyle style : {RopeStyle::Normal, RopeStyle::NeoX}) {
        auto x = flash::testing::random_floats(d, rng_);
        auto y = x;
        rope(y.data(), d, d, 1234, 10000.0f, 1.0f, style);
        for (int64_t i = 0; i < d / 2; ++i) {
            const int64_t a = style == RopeStyle::Normal ? 2 * i : i;
            const int64_t b = style == RopeStyle::Normal ? 2 * i + 1 : i + d / 2;
            const double before = std::hypot(x[a], x[b]), after = std::hypot(y[a], y[b]);
            EXPECT_NEAR(after, before, 1e-5 * before + 1e-7);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Modes, Elementwise, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) {
                             return std::string(i.param ? "scalar" : "dispatched");
                         });

}  // namespace
}  // namespace flash::kernels
