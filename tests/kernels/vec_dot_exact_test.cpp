// Exact dot products (quantized weights, f32 activations) and Precision::Exact matmul. The
// reference is pinned to a double-precision dot of the dequantized row with x; the fused
// kernels and every matmul path (fused for small batches, dequantize-then-dot for larger
// ones, the GEMM for prompt-sized ones) are held to it within float-summation tolerance relative to
// sum |w_i * x_i|.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/kernel_test_util.h"
#include "kernels/kernels.h"
#include "kernels/random_weights.h"

namespace flash::kernels {
namespace {

using flash::testing::ScalarGuard;
using flash::testing::TypeMode;

constexpr double kRelTol = 1e-5;

// sum w_i * x_i in double over the reference dequantization, and sum |w_i * x_i|.
struct Expected {
    double dot = 0.0, abs_sum = 0.0;
};

Expected expected(DType t, int64_t n, const uint8_t* w, const float* x) {
    std::vector<float> wf(static_cast<size_t>(n));
    ref::dequantize_row(t, w, wf.data(), n);
    Expected e;
    for (int64_t i = 0; i < n; ++i) {
        const double p = static_cast<double>(wf[i]) * x[i];
        e.dot += p;
        e.abs_sum += std::fabs(p);
    }
    return e;
}

// Row lengths: the odd-block test length, and model-sized rows (640 is Gemma 3 270M's width,
// a multiple of 32 but not of 256; 2048 its FFN width).
std::vector<int64_t> row_lengths(DType t) {
    std::vector<int64_t> v = {flash::testing::test_row_len(t)};
    const int64_t block = dtype_info(t).block_elems;
    for (int64_t n : {int64_t{640}, int64_t{2048}, int64_t{8192}}) {
        if (n % block == 0 && n % dtype_info(activation_type(t)).block_elems == 0) v.push_back(n);
    }
    return v;
}

class VecDotExact : public ::testing::TestWithParam<TypeMode> {};

TEST_P(VecDotExact, ReferenceIsTheDequantizedDotInDouble) {
    const auto [t, scalar] = GetParam();
    if (scalar == Isa::Scalar) GTEST_SKIP() << "the reference does not dispatch";
    std::mt19937 rng(700 + static_cast<int>(t));
    for (int64_t n : row_lengths(t)) {
        const auto w = flash::testing::random_weights(t, n, rng);
        const auto x = flash::testing::random_floats(n, rng);
        const Expected e = expected(t, n, w.data(), x.data());
        EXPECT_EQ(ref::vec_dot_exact(t, n, w.data(), x.data()), static_cast<float>(e.dot)) << n;
    }
}

TEST_P(VecDotExact, MatchesReferenceWithinSummationTolerance) {
    const auto [t, scalar] = GetParam();
    ScalarGuard guard(scalar);
    std::mt19937 rng(800 + static_cast<int>(t));
    for (int64_t n : row_lengths(t)) {
        for (float act_scale : {1.0f, 1e-3f, 100.0f}) {
            for (int rep = 0; rep < 4; ++rep) {
                const auto w = flash::testing::random_weights(t, n, rng);
                const auto x = flash::testing::random_floats(n, rng, act_scale);
                const Expected e = expected(t, n, w.data(), x.data());
                const float got = vec_dot_exact(t, n, w.data(), x.data());
                EXPECT_NEAR(got, e.dot, kRelTol * e.abs_sum)
                    << isa_name() << " n=" << n << " scale=" << act_scale;
            }
        }
    }
}

// Activations with a large common offset make sum(x) per block large: the per-block minimum
// path (m * sum(x)) must still agree.
TEST_P(VecDotExact, OffsetActivations) {
    const auto [t, scalar] = GetParam();
    ScalarGuard guard(scalar);
    std::mt19937 rng(900 + static_cast<int>(t));
    const int64_t n = row_lengths(t).back();
    const auto w = flash::testing::random_weights(t, n, rng);
    auto x = flash::testing::random_floats(n, rng);
    for (float& v : x) v += 3.0f;
    const Expected e = expected(t, n, w.data(), x.data());
    EXPECT_NEAR(vec_dot_exact(t, n, w.data(), x.data()), e.dot, kRelTol * e.abs_sum) << isa_name();
}

INSTANTIATE_TEST_SUITE_P(AllTypes, VecDotExact,
                         ::testing::ValuesIn(flash::testing::all_type_modes()),
                         flash::testing::type_mode_name);

class MatmulExact : public ::testing::TestWithParam<TypeMode> {};

// A row longer than the GEMM's 1024-column chunk, so its outputs are summed over two chunks.
int64_t long_row_len(DType t) {
    const int64_t block = dtype_info(t).block_elems;
    return block == 1 ? 1031 : 1024 + 3 * std::max<int64_t>(block, 32);
}

// Batches 1..3 (the fused path), 5 and 6 (dequantize a tile of rows, then dot: the AVX-512 tile
// kernel's groups of 4 + 1 and 4 + 2), 9, 14 and 25 (the GEMM: full 6-row AVX2 or 12-row
// AVX-512 micro-tiles plus a short one; with AVX-512, still tiles on rows up to 1024 long), one and
// two threads, the test length and a row longer than a GEMM chunk: every output within tolerance of
// the row-by-row reference, and a batch row's result independent of the batch it was computed in
// (row 0 of every batch vs batch 1 on the same x). Float weights take f32 activations in both
// precisions, so their Fast matmul is held to the same reference (gemm_int8_test.cpp has the
// quantized ones).
TEST_P(MatmulExact, AllBatchesMatchRowByRowReference) {
    const auto [t, scalar] = GetParam();
    ScalarGuard guard(scalar);
    std::mt19937 rng(1000 + static_cast<int>(t));
    const int64_t rows = 67;  // not a multiple of anything; large enough to go parallel
    const int64_t max_batch = 25;
    std::vector<Precision> precisions = {Precision::Exact};
    if (activation_type(t) == DType::F32) precisions.push_back(Precision::Fast);
    ThreadPool pool1(1), pool2(2);
    for (int64_t n : {flash::testing::test_row_len(t), long_row_len(t)}) {
        const auto w = flash::testing::random_weights(t, rows * n, rng);
        const size_t stride = row_bytes(t, n);
        const auto x = flash::testing::random_floats(n * max_batch, rng);
        std::vector<Expected> e(static_cast<size_t>(rows * max_batch));
        for (int64_t b = 0; b < max_batch; ++b) {
            for (int64_t r = 0; r < rows; ++r) {
                e[b * rows + r] = expected(t, n, w.data() + r * stride, x.data() + b * n);
            }
        }
        for (Precision precision : precisions) {
            for (ThreadPool* pool : {&pool1, &pool2}) {
                std::vector<float> first;
                for (int64_t batch : {1, 2, 3, 5, 6, 9, 14, 25}) {
                    std::vector<float> y(static_cast<size_t>(rows * batch), -7.0f);
                    matmul(t, w.data(), rows, n, x.data(), batch, y.data(), *pool, precision);
                    for (int64_t b = 0; b < batch; ++b) {
                        for (int64_t r = 0; r < rows; ++r) {
                            const Expected& ex = e[b * rows + r];
                            ASSERT_NEAR(y[b * rows + r], ex.dot, kRelTol * ex.abs_sum)
                                << isa_name() << " n " << n << " batch " << batch << " threads "
                                << pool->size() << " row " << r << " b " << b;
                        }
                    }
                    if (first.empty()) first = y;
                    for (int64_t r = 0; r < rows; ++r) {
                        ASSERT_NEAR(y[r], first[r], 2 * kRelTol * e[r].abs_sum)
                            << "n " << n << " batch " << batch;
                    }
                }
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, MatmulExact,
                         ::testing::ValuesIn(flash::testing::all_type_modes()),
                         flash::testing::type_mode_name);

TEST(VecDotExactArgs, RejectsBadShapes) {
    std::vector<uint8_t> w(1024);
    std::vector<float> x(64);
    EXPECT_ANY_THROW(vec_dot_exact(DType::Q4_0, 48, w.data(), x.data()));
    EXPECT_ANY_THROW(vec_dot_exact(DType::Q4_K, 64, w.data(), x.data()));
    EXPECT_ANY_THROW(ref::vec_dot_exact(DType::I16, 64, w.data(), x.data()));
}

// A row's result does not depend on how the rows were split between threads: the rows left
// over at the end of a thread's range (fewer than a tile) are summed as a whole tile's are.
TEST_P(MatmulExact, RowsDoNotDependOnTheThreadSplit) {
    const auto [t, scalar] = GetParam();
    if (activation_type(t) == DType::F32) GTEST_SKIP() << "float weights take no tiles";
    ScalarGuard guard(scalar);
    std::mt19937 rng(1200 + static_cast<int>(t));
    const int64_t rows = 67, n = flash::testing::test_row_len(t);
    ThreadPool pool1(1), pool2(2);
    const auto w = flash::testing::random_weights(t, rows * n, rng);
    for (int64_t batch : {3, 5, 14}) {
        const auto x = flash::testing::random_floats(n * batch, rng);
        std::vector<float> one(static_cast<size_t>(rows * batch)), two(one.size());
        matmul(t, w.data(), rows, n, x.data(), batch, one.data(), pool1, Precision::Exact);
        matmul(t, w.data(), rows, n, x.data(), batch, two.data(), pool2, Precision::Exact);
        for (size_t i = 0; i < one.size(); ++i)
            ASSERT_EQ(one[i], two[i]) << isa_name() << " batch " << batch << " output " << i;
    }
}

// The GEMM's micro-kernels sum every output lane in k order, so the AVX-512 one (12 rows of one
// zmm) gives the AVX2 one's (6 rows of two ymm) floats exactly.
TEST(MatmulExact, Avx512GemmEqualsAvx2Gemm) {
    if (detected_isa() < Isa::Avx512) GTEST_SKIP() << "no AVX-512 here";
    std::mt19937 rng(1100);
    const int64_t rows = 37, n = 1024 + 256, batch = 27;
    ThreadPool pool(2);
    for (DType t : {DType::F16, DType::Q4_K, DType::Q8_0}) {
        const auto w = flash::testing::random_weights(t, rows * n, rng);
        const auto x = flash::testing::random_floats(n * batch, rng);
        std::vector<float> avx2(static_cast<size_t>(rows * batch)), avx512(avx2.size());
        {
            ScalarGuard guard(Isa::Avx2);
            matmul(t, w.data(), rows, n, x.data(), batch, avx2.data(), pool, Precision::Exact);
        }
        matmul(t, w.data(), rows, n, x.data(), batch, avx512.data(), pool, Precision::Exact);
        for (size_t i = 0; i < avx2.size(); ++i)
            ASSERT_EQ(avx512[i], avx2[i]) << dtype_name(t) << " " << i;
    }
}

}  // namespace
}  // namespace flash::kernels
