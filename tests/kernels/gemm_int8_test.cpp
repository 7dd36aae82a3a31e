// Precision::Fast matmul for prompt-sized batches: the int8 GEMM (every path: VNNI, AVX2's
// saturating byte products, scalar) against the double-precision product of the dequantized
// weights with the activations as Q8_0 rounds them, for the types it takes; the other types
// take the f32 GEMM, held to the unrounded product. Short panels, micro-tiles of every height
// and one and two threads.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/fp16.h"
#include "core/thread_pool.h"
#include "kernels/kernel_test_util.h"
#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"
#include "kernels/random_weights.h"

namespace flash::kernels {
namespace {

using flash::testing::ScalarGuard;
using flash::testing::TypeMode;

// x as Q8_0 rounds it (the activations the int8 GEMM multiplies), back in floats.
std::vector<float> rounded(const std::vector<float>& x, int64_t n) {
    std::vector<float> out(x.size());
    std::vector<uint8_t> q(row_bytes(DType::Q8_0, n));
    for (size_t r = 0; r < x.size() / static_cast<size_t>(n); ++r) {
        ref::quantize_activation_row(DType::Q8_0, x.data() + r * n, q.data(), n);
        ref::dequantize_row(DType::Q8_0, q.data(), out.data() + r * n, n);
    }
    return out;
}

class GemmInt8 : public ::testing::TestWithParam<TypeMode> {};

TEST_P(GemmInt8, FastPromptsMatchTheRoundedProduct) {
    const auto [t, isa] = GetParam();
    ScalarGuard guard(isa);
    std::mt19937 rng(2000 + static_cast<int>(t));
    const int64_t n =
        2 * flash::testing::test_row_len(t) + (dtype_info(t).block_elems == 1 ? 5 : 0);
    if (n % 32 != 0 && t != DType::F32 && t != DType::F16 && t != DType::BF16) GTEST_SKIP();
    const int64_t rows = 37;  // two full panels and a short one
    const bool int8 = detail::int8_gemm_supports(t);
    const auto w = flash::testing::random_weights(t, rows * n, rng);
    std::vector<float> wf(static_cast<size_t>(rows * n));
    for (int64_t r = 0; r < rows; ++r)
        ref::dequantize_row(t, w.data() + r * row_bytes(t, n), wf.data() + r * n, n);
    ThreadPool pool1(1), pool2(2);
    for (int64_t batch :
         {kGemmMinBatch, int64_t{13}}) {  // 13: micro-tiles of 4 + 4 + 4 + 1 (or 3 x 4 + 1)
        const auto x = flash::testing::random_floats(n * batch, rng);
        const auto xr = int8 ? rounded(x, n) : x;
        for (ThreadPool* pool : {&pool1, &pool2}) {
            std::vector<float> y(static_cast<size_t>(rows * batch), -7.0f);
            matmul(t, w.data(), rows, n, x.data(), batch, y.data(), *pool, Precision::Fast);
            for (int64_t b = 0; b < batch; ++b) {
                for (int64_t r = 0; r < rows; ++r) {
                    double dot = 0.0, abs_sum = 0.0;
                    for (int64_t k = 0; k < n; ++k) {
                        const double p = double(wf[r * n + k]) * xr[b * n + k];
                        dot += p;
                        abs_sum += std::fabs(p);
                    }
                    ASSERT_NEAR(y[b * rows + r], dot, 2e-5 * abs_sum)
                        << isa_name() << (int8 ? " int8" : " f32") << " batch " << batch
                        << " threads " << pool->size() << " row " << r << " b " << b;
                }
            }
        }
    }
}

// Panels packed once at load give the floats of panels packed per call, on every path: full
// and short panels, the paired micro-kernel, one and two threads.
TEST_P(GemmInt8, PanelsPackedAtLoadGiveTheSameFloats) {
    const auto [t, isa] = GetParam();
    ScalarGuard guard(isa);
    if (!repacks(t)) {
        std::mt19937 rng(1);
        const auto w = flash::testing::random_weights(t, 64 * 32, rng);
        ThreadPool pool(1);
        EXPECT_TRUE(repack_int8(t, w.data(), 64, 32, pool).empty()) << dtype_name(t);
        return;
    }
    std::mt19937 rng(3000 + static_cast<int>(t));
    const int64_t n = 2 * flash::testing::test_row_len(t);
    const int64_t rows = 53;  // three full panels (a pair and one alone) and a short one
    const auto w = flash::testing::random_weights(t, rows * n, rng);
    ThreadPool pool1(1), pool2(2);
    const Int8Panels panels = repack_int8(t, w.data(), rows, n, pool2);
    ASSERT_FALSE(panels.empty());
    for (int64_t batch : {kGemmMinBatch, int64_t{13}}) {
        const auto x = flash::testing::random_floats(n * batch, rng);
        for (ThreadPool* pool : {&pool1, &pool2}) {
            std::vector<float> per_call(static_cast<size_t>(rows * batch));
            std::vector<float> packed(per_call.size(), -7.0f);
            matmul(t, w.data(), rows, n, x.data(), batch, per_call.data(), *pool, Precision::Fast);
            matmul(t, w.data(), &panels, rows, n, x.data(), batch, packed.data(), *pool,
                   Precision::Fast);
            for (size_t i = 0; i < packed.size(); ++i)
                ASSERT_EQ(packed[i], per_call[i]) << isa_name() << " batch " << batch << " threads "
                                                  << pool->size() << " at " << i;
        }
    }
    // Panels of another shape are not read.
    const Int8Panels other = repack_int8(t, w.data(), rows - 16, n, pool1);
    const auto x = flash::testing::random_floats(n * kGemmMinBatch, rng);
    std::vector<float> a(static_cast<size_t>(rows * kGemmMinBatch)), b(a.size());
    matmul(t, w.data(), rows, n, x.data(), kGemmMinBatch, a.data(), pool1, Precision::Fast);
    matmul(t, w.data(), &other, rows, n, x.data(), kGemmMinBatch, b.data(), pool1, Precision::Fast);
    EXPECT_EQ(a, b);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, GemmInt8, ::testing::ValuesIn(flash::testing::all_type_modes()),
                         flash::testing::type_mode_name);

// Q8_0's offset bytes reach 255, beyond what vpmaddubsw sums without saturating: without VNNI
// it must go to the f32 GEMM, and the types with small bytes to the int8 one.
TEST(GemmInt8, SaturatingPathsAreNotTaken) {
    ScalarGuard guard(Isa::Avx2);
    if (active_isa() != Isa::Avx2) GTEST_SKIP() << "no AVX2 here";
    EXPECT_FALSE(detail::int8_gemm_supports(DType::Q8_0));
    EXPECT_TRUE(detail::int8_gemm_supports(DType::Q4_K));
    EXPECT_TRUE(detail::int8_gemm_supports(DType::Q6_K));
    EXPECT_FALSE(detail::int8_gemm_supports(DType::Q3_K));
}

}  // namespace
}  // namespace flash::kernels
