// The CUDA row operations against the CPU kernels they mirror (kernels::rmsnorm, swiglu,
// geglu, rope), on the head and row sizes of the supported models. Skips without a GPU.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "cuda/cuda_backend.h"
#include "kernels/kernels.h"

namespace flash::cuda {
namespace {

std::vector<float> random_floats(size_t n, std::mt19937& rng, float scale = 1.0f) {
    std::normal_distribution<float> normal(0.0f, scale);
    std::vector<float> v(n);
    for (float& x : v) x = normal(rng);
    return v;
}

DeviceBuffer to_device(const std::vector<float>& v) {
    DeviceBuffer b(v.size() * sizeof(float));
    b.upload(v.data(), v.size() * sizeof(float));
    return b;
}

std::vector<float> to_host(const DeviceBuffer& b, size_t n) {
    std::vector<float> v(n);
    b.download(v.data(), n * sizeof(float));
    return v;
}

void expect_close(const std::vector<float>& got, const std::vector<float>& want, float rel,
                  const std::string& what) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
        ASSERT_NEAR(got[i], want[i], rel * (1.0f + std::fabs(want[i]))) << what << " at " << i;
}

class CudaRows : public ::testing::Test {
  protected:
    void SetUp() override {
        if (device_count() == 0) GTEST_SKIP() << "no CUDA device: the GPU test is skipped";
    }
    std::mt19937 rng{99};
};

TEST_F(CudaRows, RmsNormEqualsTheCpuKernel) {
    for (int64_t n : {64, 576, 640, 2560}) {
        const int64_t rows = 5;
        const auto x = random_floats(static_cast<size_t>(rows * n), rng, 3.0f);
        const auto w = random_floats(static_cast<size_t>(n), rng);
        std::vector<float> want(x.size()), want_unscaled(x.size());
        for (int64_t r = 0; r < rows; ++r) {
            kernels::rmsnorm(want.data() + r * n, x.data() + r * n, w.data(), n, 1e-6f);
            kernels::rmsnorm(want_unscaled.data() + r * n, x.data() + r * n, nullptr, n, 1e-6f);
        }
        const DeviceBuffer dx = to_device(x), dw = to_device(w);
        DeviceBuffer out(x.size() * sizeof(float));
        rmsnorm(dx, &dw, rows, n, 1e-6f, out);
        expect_close(to_host(out, x.size()), want, 1e-6f, "rmsnorm n=" + std::to_string(n));
        rmsnorm(dx, nullptr, rows, n, 1e-6f, out);
        expect_close(to_host(out, x.size()), want_unscaled, 1e-6f, "unscaled");
    }
}

TEST_F(CudaRows, GatedActivationsEqualTheCpuKernels) {
    const size_t n = 3 * 1536 + 7;
    const auto gate = random_floats(n, rng, 4.0f), up = random_floats(n, rng);
    for (bool gelu : {false, true}) {
        std::vector<float> want = gate;
        gelu ? kernels::geglu(want.data(), up.data(), static_cast<int64_t>(n))
             : kernels::swiglu(want.data(), up.data(), static_cast<int64_t>(n));
        DeviceBuffer dg = to_device(gate);
        const DeviceBuffer du = to_device(up);
        gelu ? geglu(dg, du, static_cast<int64_t>(n)) : swiglu(dg, du, static_cast<int64_t>(n));
        expect_close(to_host(dg, n), want, 2e-6f, gelu ? "geglu" : "swiglu");
    }
}

TEST_F(CudaRows, RopeEqualsTheCpuKernel) {
    struct Case {
        int64_t head_dim, n_rot;
        bool neox, factors;
    };
    // llama (64, normal), Qwen3 (128, neox), partial rotation (Qwen3.5: 64 of 256), and
    // llama 3's frequency factors.
    for (const Case c : {Case{64, 64, false, false}, Case{128, 128, true, false},
                         Case{256, 64, true, false}, Case{128, 128, false, true}}) {
        const int64_t n_tokens = 3, n_heads = 4;
        const std::vector<int32_t> positions = {0, 17, 4095};
        auto x = random_floats(static_cast<size_t>(n_tokens * n_heads * c.head_dim), rng);
        std::vector<float> factors(static_cast<size_t>(c.n_rot / 2));
        for (size_t i = 0; i < factors.size(); ++i) factors[i] = 1.0f + 0.25f * (i % 5);
        std::vector<float> want = x;
        for (int64_t t = 0; t < n_tokens; ++t)
            for (int64_t h = 0; h < n_heads; ++h)
                kernels::rope(want.data() + (t * n_heads + h) * c.head_dim, c.head_dim, c.n_rot,
                              positions[t], 1e6f, 1.0f,
                              c.neox ? kernels::RopeStyle::NeoX : kernels::RopeStyle::Normal,
                              c.factors ? factors.data() : nullptr);
        DeviceBuffer dx = to_device(x), dpos(positions.size() * sizeof(int32_t));
        dpos.upload(positions.data(), positions.size() * sizeof(int32_t));
        const DeviceBuffer dff = to_device(factors);
        rope(dx, n_tokens, n_heads, c.head_dim, c.n_rot, dpos, 1e6f, 1.0f, c.neox,
             c.factors ? &dff : nullptr);
        // cosf/sinf of angles up to 4095 rad: a few ulps of the angle's argument reduction.
        expect_close(to_host(dx, x.size()), want, 2e-5f,
                     "rope head_dim " + std::to_string(c.head_dim));
    }
}

}  // namespace
}  // namespace flash::cuda
