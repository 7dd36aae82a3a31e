// Attention over the KV cache (F16 and Q8_0 rows): both paths (scalar reference, SIMD) against a
// double-precision softmax of the same stored keys and values, for head sizes of the supported
// models, runs split anywhere (the online softmax must not depend on the split), a long run whose
// scores span a wide range, and the f16 rounding of cache rows bit for bit against core/fp16.h.
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
    int64_t n, hd, hdv;
    DType k_type, v_type;
    size_t k_stride, v_stride;              // bytes between positions
    std::vector<uint8_t> k, v;              // stored rows
    std::vector<float> k_values, v_values;  // what they hold, dequantized (n x hd, n x hdv)
};

// Rows of `heads` heads side by side per position, as in a real cache (to exercise the
// strides); the attended head is the first.
std::vector<uint8_t> store_rows(DType t, int64_t n, int64_t dim, int64_t heads, std::mt19937& rng,
                                float scale, std::vector<float>& values) {
    const size_t stride = row_bytes(t, dim * heads);
    std::vector<uint8_t> rows(static_cast<size_t>(n) * stride);
    values.resize(static_cast<size_t>(n * dim));
    std::vector<float> head(static_cast<size_t>(dim));
    for (int64_t j = 0; j < n; ++j) {
        const auto x = flash::testing::random_floats(dim * heads, rng, scale);
        store_kv_row(t, x.data(), rows.data() + j * stride, dim * heads);
        ref::dequantize_row(t, rows.data() + j * stride, values.data() + j * dim, dim);
    }
    return rows;
}

Cache random_cache(int64_t n, int64_t hd, int64_t hdv, DType k_type, DType v_type,
                   std::mt19937& rng, float key_scale) {
    Cache c{n,  hd, hdv, k_type, v_type, row_bytes(k_type, hd * 3), row_bytes(v_type, hdv * 2),
            {}, {}, {},  {}};
    c.k = store_rows(k_type, n, hd, 3, rng, key_scale, c.k_values);
    c.v = store_rows(v_type, n, hdv, 2, rng, 1.0f, c.v_values);
    return c;
}

std::vector<double> expected(const Cache& c, const std::vector<float>& q, float scale) {
    std::vector<double> s(static_cast<size_t>(c.n));
    double max = -INFINITY;
    for (int64_t j = 0; j < c.n; ++j) {
        double dot = 0.0;
        for (int64_t d = 0; d < c.hd; ++d) dot += double(q[d]) * c.k_values[j * c.hd + d];
        s[j] = dot * scale;
        max = std::max(max, s[j]);
    }
    double sum = 0.0;
    for (double& x : s) sum += (x = std::exp(x - max));
    std::vector<double> out(static_cast<size_t>(c.hdv), 0.0);
    for (int64_t j = 0; j < c.n; ++j)
        for (int64_t d = 0; d < c.hdv; ++d) out[d] += s[j] / sum * c.v_values[j * c.hdv + d];
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
        const AttentionRows rows{c.k.data() + start * c.k_stride,
                                 c.v.data() + start * c.v_stride,
                                 c.k_stride,
                                 c.v_stride,
                                 end - start,
                                 c.k_type,
                                 c.v_type};
        attention_add(run, rows, q.data(), scale, scratch.data());
        start = end;
    }
    attention_finish(run);
    return out;
}

struct Shape {
    int64_t hd, hdv, n;
};

void check_shapes(const std::vector<Shape>& shapes, DType k_type, DType v_type) {
    std::mt19937 rng(77);
    for (Shape sh : shapes) {
        for (float key_scale : {0.1f, 1.0f, 4.0f}) {
            const Cache c = random_cache(sh.n, sh.hd, sh.hdv, k_type, v_type, rng, key_scale);
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
                        << isa_name() << " " << k_type << "/" << v_type << " hd " << sh.hd << " n "
                        << sh.n << " key scale " << key_scale << " cuts " << cuts.size() << " d "
                        << d;
                }
            }
        }
    }
}

class Attention : public ::testing::TestWithParam<bool> {};

TEST_P(Attention, MatchesDoublePrecisionSoftmaxForAnySplit) {
    ScalarGuard guard(GetParam());
    // SmolLM2 (64), Qwen3 (128), Gemma 3 (256); 1 position, a tail after blocks of 8, a long run.
    check_shapes({Shape{64, 64, 1}, Shape{64, 64, 29}, Shape{128, 128, 300}, Shape{256, 256, 45},
                  Shape{24, 40, 13}, Shape{20, 12, 9}},
                 DType::F16, DType::F16);
}

// Q8_0 rows (llama.cpp's -ctk/-ctv q8_0) against the same softmax of what they hold, alone and
// mixed with F16; Q8_0 heads are multiples of 32.
TEST_P(Attention, Q8_0RowsMatchDoublePrecisionSoftmaxOfTheirValues) {
    ScalarGuard guard(GetParam());
    const std::vector<Shape> shapes = {Shape{64, 64, 1}, Shape{64, 64, 29}, Shape{128, 128, 300},
                                       Shape{256, 256, 45}, Shape{32, 96, 17}};
    check_shapes(shapes, DType::Q8_0, DType::Q8_0);
    check_shapes(shapes, DType::Q8_0, DType::F16);
    check_shapes(shapes, DType::F16, DType::Q8_0);
}

INSTANTIATE_TEST_SUITE_P(Paths, Attention, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "scalar" : "dispatched"; });

// A GQA group: g query heads over the same rows (in chunks, turn by turn), each against its own
// double-precision softmax; and the same positions split in two pieces with their own outputs,
// merged, as model.cpp splits a long context across threads.
TEST_P(Attention, AGroupOfHeadsAndMergedPiecesMatchEachHeadAlone) {
    ScalarGuard guard(GetParam());
    std::mt19937 rng(31);
    for (DType type : {DType::F16, DType::Q8_0}) {
        for (Shape sh :
             {Shape{64, 64, 1}, Shape{64, 64, 300}, Shape{128, 128, 77}, Shape{256, 256, 40}}) {
            const Cache c = random_cache(sh.n, sh.hd, sh.hdv, type, type, rng, 1.0f);
            const int64_t g = 3;
            const auto q = flash::testing::random_floats(g * sh.hd, rng);
            const float scale = 1.0f / std::sqrt(static_cast<float>(sh.hd));
            const AttentionRows rows{c.k.data(), c.v.data(), c.k_stride, c.v_stride,
                                     c.n,        type,       type};
            std::vector<float> scratch(static_cast<size_t>(kAttentionChunk));
            std::vector<float> out(static_cast<size_t>(g * sh.hdv));
            std::vector<AttentionRun> runs(static_cast<size_t>(g));
            for (int64_t h = 0; h < g; ++h)
                attention_begin(runs[h], out.data() + h * sh.hdv, sh.hd, sh.hdv);
            attention_add_group(runs.data(), g, rows, q.data(), sh.hd, scale, scratch.data());
            for (AttentionRun& r : runs) attention_finish(r);

            // Pieces [0, cut) and [cut, n), the second into its own buffer, then merged.
            const int64_t cut = sh.n / 3;
            std::vector<float> first(static_cast<size_t>(sh.hdv)), second(first.size());
            AttentionRun a, b;
            attention_begin(a, first.data(), sh.hd, sh.hdv);
            attention_begin(b, second.data(), sh.hd, sh.hdv);
            const AttentionRows head{c.k.data(), c.v.data(), c.k_stride, c.v_stride,
                                     cut,        type,       type};
            const AttentionRows tail{c.k.data() + cut * c.k_stride,
                                     c.v.data() + cut * c.v_stride,
                                     c.k_stride,
                                     c.v_stride,
                                     sh.n - cut,
                                     type,
                                     type};
            attention_add_group(&a, 1, head, q.data(), sh.hd, scale, scratch.data());
            attention_add_group(&b, 1, tail, q.data(), sh.hd, scale, scratch.data());
            attention_merge(a, b);
            attention_finish(a);

            for (int64_t h = 0; h < g; ++h) {
                const std::vector<float> qh(q.begin() + h * sh.hd, q.begin() + (h + 1) * sh.hd);
                const auto e = expected(c, qh, scale);
                for (int64_t d = 0; d < sh.hdv; ++d) {
                    ASSERT_NEAR(out[h * sh.hdv + d], e[d], 2e-5 * (1.0 + std::fabs(e[d])))
                        << isa_name() << " " << type << " hd " << sh.hd << " n " << sh.n << " head "
                        << h << " d " << d;
                    if (h == 0) {
                        ASSERT_NEAR(first[d], e[d], 2e-5 * (1.0 + std::fabs(e[d])))
                            << "merged " << type << " hd " << sh.hd << " n " << sh.n << " d " << d;
                    }
                }
            }
        }
    }
}

// A block of m query heads over the same rows (attention_add_block, the prompt path), each
// against its own double-precision softmax: m across the micro-kernel's 6 rows, positions across
// its 16-key panels and the 64-position softmax spans, a head dimension that is not a multiple of
// 16, Q8_0 and F16 rows mixed; the rows given in two calls (as a sliding ring's wrap does), after
// a first position already added by attention_add, so the runs carry state in and out.
TEST_P(Attention, ABlockOfHeadsMatchesEachHeadAlone) {
    ScalarGuard guard(GetParam());
    std::mt19937 rng(53);
    struct Case {
        Shape sh;
        int64_t m;
        DType k_type, v_type;
    };
    const std::vector<Case> cases = {{{64, 64, 2}, 1, DType::F16, DType::F16},
                                     {{64, 64, 17}, 6, DType::F16, DType::F16},
                                     {{64, 64, 200}, 7, DType::F16, DType::F16},
                                     {{128, 128, 65}, 13, DType::F16, DType::F16},
                                     {{256, 256, 130}, 32, DType::F16, DType::F16},
                                     {{24, 40, 33}, 5, DType::F16, DType::F16},
                                     {{128, 128, 90}, 12, DType::Q8_0, DType::Q8_0},
                                     {{64, 96, 70}, 9, DType::Q8_0, DType::F16},
                                     {{96, 64, 64}, 4, DType::F16, DType::Q8_0}};
    for (const Case& cs : cases) {
        const Shape sh = cs.sh;
        for (float key_scale : {0.1f, 4.0f}) {
            const Cache c = random_cache(sh.n, sh.hd, sh.hdv, cs.k_type, cs.v_type, rng, key_scale);
            const auto q = flash::testing::random_floats(cs.m * sh.hd, rng);
            const float scale = 1.0f / std::sqrt(static_cast<float>(sh.hd));
            std::vector<float> out(static_cast<size_t>(cs.m * sh.hdv), -3.0f);
            std::vector<float> scratch(
                static_cast<size_t>(attention_block_scratch(cs.m, sh.hd, sh.hdv)), NAN);
            std::vector<AttentionRun> runs(static_cast<size_t>(cs.m));
            std::vector<const float*> queries;
            auto rows_at = [&](int64_t from, int64_t to) {
                return AttentionRows{c.k.data() + from * c.k_stride,
                                     c.v.data() + from * c.v_stride,
                                     c.k_stride,
                                     c.v_stride,
                                     to - from,
                                     cs.k_type,
                                     cs.v_type};
            };
            std::vector<float> one(static_cast<size_t>(kAttentionChunk));
            for (int64_t h = 0; h < cs.m; ++h) {
                attention_begin(runs[h], out.data() + h * sh.hdv, sh.hd, sh.hdv);
                queries.push_back(q.data() + h * sh.hd);
                attention_add(runs[h], rows_at(0, 1), queries.back(), scale, one.data());
            }
            const int64_t cut = 1 + (sh.n - 1) / 2;
            attention_add_block(runs.data(), queries.data(), cs.m, rows_at(1, cut), scale,
                                scratch.data());
            attention_add_block(runs.data(), queries.data(), cs.m, rows_at(cut, sh.n), scale,
                                scratch.data());
            for (AttentionRun& r : runs) attention_finish(r);
            for (int64_t h = 0; h < cs.m; ++h) {
                const std::vector<float> qh(q.begin() + h * sh.hd, q.begin() + (h + 1) * sh.hd);
                const auto e = expected(c, qh, scale);
                for (int64_t d = 0; d < sh.hdv; ++d) {
                    ASSERT_NEAR(out[h * sh.hdv + d], e[d], 2e-5 * (1.0 + std::fabs(e[d])))
                        << isa_name() << " " << cs.k_type << "/" << cs.v_type << " hd " << sh.hd
                        << " n " << sh.n << " m " << cs.m << " head " << h << " d " << d;
                }
            }
        }
    }
}

TEST(Attention, ABlockRefusesQ8_0HeadsThatSplitABlock) {
    std::vector<float> out(48), q(48, 1.0f),
        scratch(static_cast<size_t>(attention_block_scratch(1, 48, 48)));
    std::vector<uint8_t> rows(2 * row_bytes(DType::F16, 48));
    AttentionRun run;
    attention_begin(run, out.data(), 48, 48);
    const float* queries[1] = {q.data()};
    const AttentionRows q8{rows.data(), rows.data(), 64, 64, 1, DType::Q8_0, DType::F16};
    EXPECT_THROW(attention_add_block(&run, queries, 1, q8, 1.0f, scratch.data()), Error);
}

TEST(Attention, Q8_0HeadsThatSplitABlockAreRefused) {
    std::vector<float> out(48), q(48, 1.0f), scratch(1);
    std::vector<uint8_t> k(row_bytes(DType::Q8_0, 64)), v(row_bytes(DType::F16, 48));
    AttentionRun run;
    attention_begin(run, out.data(), 48, 48);
    const AttentionRows rows{k.data(), v.data(), k.size(), v.size(), 1, DType::Q8_0, DType::F16};
    EXPECT_THROW(attention_add(run, rows, q.data(), 1.0f, scratch.data()), Error);
}

TEST(StoreKvRow, Q8_0RowsAreLlamaCppsQ8_0Blocks) {
    // The cache's Q8_0 rows are the q8_0 blocks quantize_activation_row writes (llama.cpp's
    // quantize_row_q8_0), so dequantizing one gives each value within half a step of its block
    // (plus the f16 rounding of the step, at most 127 x 2^-11 steps).
    std::mt19937 rng(9);
    const auto x = flash::testing::random_floats(128, rng, 2.0f);
    std::vector<uint8_t> row(row_bytes(DType::Q8_0, 128)), want(row.size());
    store_kv_row(DType::Q8_0, x.data(), row.data(), 128);
    quantize_activation_row(DType::Q8_0, x.data(), want.data(), 128);
    EXPECT_EQ(row, want);
    std::vector<float> back(128);
    ref::dequantize_row(DType::Q8_0, row.data(), back.data(), 128);
    for (int b = 0; b < 4; ++b) {
        float amax = 0.0f;
        for (int i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(x[b * 32 + i]));
        for (int i = 0; i < 32; ++i)
            EXPECT_NEAR(back[b * 32 + i], x[b * 32 + i], amax / 127.0f * 0.57f) << b << " " << i;
    }
    EXPECT_THROW(store_kv_row(DType::Q4_0, x.data(), row.data(), 128), Error);
    EXPECT_THROW(store_kv_row(DType::Q8_0, x.data(), row.data(), 100), Error);
}

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
