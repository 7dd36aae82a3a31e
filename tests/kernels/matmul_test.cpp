// Below kGemmMinBatch, matmul must equal row-by-row vec_dot on the same quantized activations,
// bit for bit, for batch 1 and larger batches, one and two threads, in both dispatch modes.
// (From kGemmMinBatch on it is the f32 GEMM, tested in vec_dot_exact_test.cpp.)
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/kernel_test_util.h"
#include "kernels/kernels.h"
#include "kernels/random_weights.h"

namespace flash::kernels {
namespace {

using flash::testing::ScalarGuard;
using flash::testing::TypeMode;

class MatmulPaths : public ::testing::TestWithParam<TypeMode> {};

TEST_P(MatmulPaths, EqualsRowByRowVecDot) {
    const auto [t, scalar] = GetParam();
    ScalarGuard guard(scalar);
    std::mt19937 rng(500 + static_cast<int>(t));
    const int64_t n = flash::testing::test_row_len(t);
    const int64_t rows = 67;  // not a multiple of the row tile; large enough to go parallel
    const auto w = flash::testing::random_weights(t, rows * n, rng);
    const size_t w_stride = row_bytes(t, n);
    ThreadPool pool1(1), pool2(2);
    for (int64_t batch : {1, 5}) {
        const auto x = flash::testing::random_floats(n * batch, rng);
        std::vector<float> expect(static_cast<size_t>(rows * batch));
        std::vector<uint8_t> act(activation_row_bytes(t, n));
        for (int64_t b = 0; b < batch; ++b) {
            quantize_activation_row(t, x.data() + b * n, act.data(), n);
            for (int64_t r = 0; r < rows; ++r) {
                expect[b * rows + r] = vec_dot(t, n, w.data() + r * w_stride, act.data());
            }
        }
        for (ThreadPool* pool : {&pool1, &pool2}) {
            std::vector<float> y(static_cast<size_t>(rows * batch), -7.0f);
            matmul(t, w.data(), rows, n, x.data(), batch, y.data(), *pool);
            for (size_t i = 0; i < y.size(); ++i) {
                ASSERT_EQ(y[i], expect[i])
                    << "batch " << batch << " threads " << pool->size() << " index " << i;
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, MatmulPaths,
                         ::testing::ValuesIn(flash::testing::all_type_modes()),
                         flash::testing::type_mode_name);

TEST(Matmul, ManyThreadsFewRowsAndLargeBatch) {
    std::mt19937 rng(9);
    const DType t = DType::Q4_1;
    const int64_t n = 576;
    ThreadPool pool(2);
    for (int64_t rows : {1, 3, 9}) {
        for (int64_t batch : {int64_t{1}, kGemmMinBatch - 1}) {
            const auto w = flash::testing::random_weights(t, rows * n, rng);
            const auto x = flash::testing::random_floats(n * batch, rng);
            std::vector<float> y(static_cast<size_t>(rows * batch));
            matmul(t, w.data(), rows, n, x.data(), batch, y.data(), pool);
            std::vector<uint8_t> act(activation_row_bytes(t, n));
            for (int64_t b = 0; b < batch; ++b) {
                quantize_activation_row(t, x.data() + b * n, act.data(), n);
                for (int64_t r = 0; r < rows; ++r) {
                    ASSERT_EQ(y[b * rows + r],
                              vec_dot(t, n, w.data() + r * row_bytes(t, n), act.data()));
                }
            }
        }
    }
}

TEST(Matmul, RejectsBadShapes) {
    ThreadPool pool(1);
    std::vector<uint8_t> w(1024);
    std::vector<float> x(64), y(4);
    EXPECT_THROW(matmul(DType::Q4_0, w.data(), 1, 48, x.data(), 1, y.data(), pool), Error);
    EXPECT_THROW(matmul(DType::Q4_K, w.data(), 1, 64, x.data(), 1, y.data(), pool), Error);
    EXPECT_THROW(matmul(DType::I16, w.data(), 1, 64, x.data(), 1, y.data(), pool), Error);
}

}  // namespace
}  // namespace flash::kernels
