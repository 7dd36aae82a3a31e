// Attention over an f16 cache: both paths (scalar reference, AVX2) against a double-precision
// softmax of the same rounded keys and values, for head sizes of the supported models, runs
// split anywhere (the online softmax must not depend on the split), a long run whose scores
// span a wide range, and the f16 rounding of cache rows bit for bit against core/fp16.h.
#include <gtest/gtest.h>

#include <cmath>
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

struct Cache {
    int64_t n, hd, hdv, k_stride, v_stride;
    std::vector<uint16_t> k, v;
};

Cache random_cache(int64_t n, int64_t hd, int64_t hdv, std::mt19937& rng, float key_scale) {
    // Rows padded as in a real cache (several heads side by side), to exercise the strides.
    Cache c{n, hd, hdv, hd * 3, hdv * 2, {}, {}};
    const auto kf = flash::testing::random_floats(n * c.k_stride, rng, key_scale);
    const auto vf = flash::testing::random_floats(n * c.v_stride, rng);
    c.k.resize(kf.size());
    c.v.resize(vf.size());
    for (size_t i = 0; i < kf.size(); ++i) c.k[i] = f32_to_fp16(kf[i]);
    for (size_t i = 0; i < vf.size(); ++i) c.v[i] = f32_to_fp16(vf[i]);
    return c;
}

std::vector<double> expected(const Cache& c, const std::vector<float>& q, float scale) {
    std::vector<double> s(static_cast<size_t>(c.n));
    double max = -INFINITY;
    for (int64_t j = 0; j < c.n; ++j) {
        double dot = 0.0;
        for (int64_t d = 0; d < c.hd; ++d)
            dot += double(q[d]) * fp16_to_f32(c.k[j * c.k_stride + d]);
        s[j] = dot * scale;
        max = std::max(max, s[j]);
    }
    double sum = 0.0;
    for (double& x : s) sum += (x = std::exp(x - max));
    std::vector<double> out(static_cast<size_t>(c.hdv), 0.0);
    for (int64_t j = 0; j < c.n; ++j)
        for (int64_t d = 0; d < c.hdv; ++d)
            out[d] += s[j] / sum * fp16_to_f32(c.v[j * c.v_stride + d]);
    return out;
}

std::vector<float> attend(const Cache& c, const std::vector<float>& q, float scale,
                          const std::vector<int64_t>& cuts) {
    std::vector<float> out(static_cast<size_t>(c.hdv), -3.0f), scratch(static_cast<size_t>(c.n));
    AttentionRun run;
    attention_begin(run, out.data(), c.hd, c.hdv);
    int64_t start = 0;
    for (size_t i = 0; i <= cuts.size(); ++i) {
        const int64_t end = i < cuts.size() ? cuts[i] : c.n;
        const AttentionRows rows{c.k.data() + start * c.k_stride, c.v.data() + start * c.v_stride,
                                 c.k_stride, c.v_stride, end - start};
        attention_add(run, rows, q.data(), scale, scratch.data());
        start = end;
    }
    attention_finish(run);
    return out;
}

class Attention : public ::testing::TestWithParam<bool> {};

TEST_P(Attention, MatchesDoublePrecisionSoftmaxForAnySplit) {
    ScalarGuard guard(GetParam());
    std::mt19937 rng(77);
    struct Shape {
        int64_t hd, hdv, n;
    };
    // SmolLM2 (64), Qwen3 (128), Gemma 3 (256); 1 position, a tail after blocks of 8, a long run.
    for (Shape sh : {Shape{64, 64, 1}, Shape{64, 64, 29}, Shape{128, 128, 300}, Shape{256, 256, 45},
                     Shape{24, 40, 13}, Shape{20, 12, 9}}) {
        for (float key_scale : {0.1f, 1.0f, 4.0f}) {
            const Cache c = random_cache(sh.n, sh.hd, sh.hdv, rng, key_scale);
            const auto q = flash::testing::random_floats(sh.hd, rng);
            const float scale = 1.0f / std::sqrt(static_cast<float>(sh.hd));
            const auto e = expected(c, q, scale);
            for (const std::vector<int64_t>& cuts :
                 {std::vector<int64_t>{},
                  {sh.n / 2},
                  {1, sh.n / 3 + 1, sh.n - 1 > 1 ? sh.n - 1 : 1}}) {
                bool valid = true;
                for (size_t i = 1; i < cuts.size(); ++i) valid &= cuts[i] >= cuts[i - 1];
                if (!valid || (!cuts.empty() && cuts.back() > sh.n)) continue;
                const auto got = attend(c, q, scale, cuts);
                for (int64_t d = 0; d < sh.hdv; ++d) {
                    ASSERT_NEAR(got[d], e[d], 2e-5 * (1.0 + std::fabs(e[d])))
                        << isa_name() << " hd " << sh.hd << " n " << sh.n << " key scale "
                        << key_scale << " cuts " << cuts.size() << " d " << d;
                }
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Paths, Attention, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "scalar" : "dispatched"; });

TEST(Attention, NoPositionsIsAnError) {
    std::vector<float> out(8);
    AttentionRun run;
    attention_begin(run, out.data(), 8, 8);
    EXPECT_THROW(attention_finish(run), Error);
}

TEST(F32ToF16Row, EqualsTheScalarConversionBitForBit) {
    std::mt19937 rng(5);
    auto x = flash::testing::random_floats(1000, rng, 3.0f);
    // Ties, subnormals, overflow, infinities and a NaN among ordinary values; 1000 + 7 leaves
    // a tail after the 8-wide loop.
    for (float v : {1.0009765625f, 1.00048828125f, 6e-8f, -3e-5f, 70000.0f, -1e9f, INFINITY,
                    -INFINITY, NAN, 0.0f, -0.0f})
        x.push_back(v);
    for (bool scalar : {false, true}) {
        ScalarGuard guard(scalar);
        std::vector<uint16_t> out(x.size());
        f32_to_f16_row(x.data(), out.data(), static_cast<int64_t>(x.size()));
        for (size_t i = 0; i < x.size(); ++i) {
            const uint16_t want = f32_to_fp16(x[i]);
            if (std::isnan(x[i])) {
                EXPECT_TRUE((out[i] & 0x7c00) == 0x7c00 && (out[i] & 0x3ff) != 0) << i;
                continue;
            }
            ASSERT_EQ(out[i], want) << "value " << x[i] << " scalar " << scalar;
        }
    }
}

}  // namespace
}  // namespace flash::kernels
