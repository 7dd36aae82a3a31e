// The CUDA matrix-vector product, both kernels, against the CPU's scalar reference
// (dequantize_row, then a double-precision dot product) for every weight type, with random valid
// blocks; and its errors.
// Without a GPU every test here skips, saying so (ctest counts them as skipped).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/error.h"
#include "cuda/cuda_backend.h"
#include "cuda/launch.h"
#include "kernels/kernels.h"
#include "kernels/random_weights.h"

namespace flash::cuda {
namespace {

// sum(row[k] * x[k]) in double, and sum(|row[k] * x[k]|): the bar's scale.
struct ReferenceDot {
    double want = 0.0, magnitude = 0.0;
};
ReferenceDot reference_dot(const float* row, const float* x, int64_t n) {
    ReferenceDot d;
    for (int64_t k = 0; k < n; ++k) {
        d.want += double(row[k]) * x[k];
        d.magnitude += std::fabs(double(row[k]) * x[k]);
    }
    return d;
}

class CudaMatvec : public ::testing::TestWithParam<DType> {
  protected:
    void SetUp() override {
        if (device_count() == 0) GTEST_SKIP() << "no CUDA device: the GPU test is skipped";
    }
};

TEST_P(CudaMatvec, EqualsTheScalarReference) {
    const DType t = GetParam();
    std::mt19937 rng(2024);
    std::vector<std::pair<int64_t, int64_t>> shapes = {{1, 256}, {67, 512}, {130, 2304}};
    // 576 columns: 2.25 units of 256 for the 32-element types; 40: a float row of no whole unit.
    shapes.push_back(dtype_info(t).block_elems == QK_K ? std::pair<int64_t, int64_t>{5, 768}
                                                       : std::pair<int64_t, int64_t>{5, 576});
    if (dtype_info(t).block_elems == 1) shapes.push_back({3, 40});
    for (auto [rows, cols] : shapes) {
        const auto w = flash::testing::random_weights(t, rows * cols, rng);
        std::vector<float> x(static_cast<size_t>(cols));
        std::normal_distribution<float> normal(0.0f, 1.0f);
        for (float& v : x) v = normal(rng);

        DeviceBuffer dw(w.size()), dx(x.size() * sizeof(float)), dy(rows * sizeof(float));
        dw.upload(w.data(), w.size());
        dx.upload(x.data(), x.size() * sizeof(float));
        std::vector<float> row(static_cast<size_t>(cols));
        const size_t stride = row_bytes(t, cols);
        for (MatvecKernel kernel : {MatvecKernel::Blocks, MatvecKernel::Elements}) {
            const char* name = kernel == MatvecKernel::Blocks ? "blocks" : "elements";
            dy.upload(std::vector<float>(rows, NAN).data(), rows * sizeof(float));
            matvec(t, dw, rows, cols, dx, dy, kernel);
            std::vector<float> y(static_cast<size_t>(rows));
            dy.download(y.data(), y.size() * sizeof(float));
            for (int64_t r = 0; r < rows; ++r) {
                kernels::ref::dequantize_row(t, w.data() + r * stride, row.data(), cols);
                const auto [want, magnitude] = reference_dot(row.data(), x.data(), cols);
                // f32 sums in another order (and fused multiply-adds): a few ulps of the
                // magnitude.
                ASSERT_NEAR(y[r], want, 1e-5 * magnitude + 1e-30)
                    << dtype_name(t) << " " << rows << "x" << cols << " row " << r << " " << name;
            }
        }
    }
}

// The prompt chunk's product (launch::matmul, both tiled GEMMs): tokens x rows that fill no
// tile exactly, against the same reference.
TEST_P(CudaMatvec, MatmulOfAChunkEqualsTheScalarReference) {
    const DType t = GetParam();
    std::mt19937 rng(77);
    const int64_t rows = 70, cols = 512, n = 37;
    const auto w = flash::testing::random_weights(t, rows * cols, rng);
    std::vector<float> x(static_cast<size_t>(n * cols));
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (float& v : x) v = normal(rng);
    DeviceBuffer dw(w.size()), dx(x.size() * sizeof(float)), dy(n * rows * sizeof(float));
    dw.upload(w.data(), w.size());
    dx.upload(x.data(), x.size() * sizeof(float));
    std::vector<float> row(static_cast<size_t>(cols));
    for (MatmulKernel kernel : {MatmulKernel::Simt, MatmulKernel::Tf32x3}) {
        const char* name = kernel == MatmulKernel::Simt ? "simt" : "tf32x3";
        dy.upload(std::vector<float>(n * rows, NAN).data(), n * rows * sizeof(float));
        launch::matmul(t, dw.data(), rows, cols, static_cast<const float*>(dx.data()), n,
                       static_cast<float*>(dy.data()), kernel);
        launch::synchronize("matmul test");
        std::vector<float> y(static_cast<size_t>(n * rows));
        dy.download(y.data(), y.size() * sizeof(float));
        for (int64_t r = 0; r < rows; ++r) {
            kernels::ref::dequantize_row(t, w.data() + r * row_bytes(t, cols), row.data(), cols);
            for (int64_t tok = 0; tok < n; ++tok) {
                const auto [want, magnitude] =
                    reference_dot(row.data(), x.data() + tok * cols, cols);
                // Tf32x3 meets the same bar: its three TF32 products keep f32's accuracy,
                // which one TF32 product (10 bits of mantissa) would not.
                ASSERT_NEAR(y[tok * rows + r], want, 1e-5 * magnitude + 1e-30)
                    << dtype_name(t) << " row " << r << " token " << tok << " " << name;
            }
        }
    }
}

// A few tokens (a server's decode step) through launch::matmul: quantized weights take
// matvec_tokens, each token's result bit for bit the single-token matvec's; float weights the GEMM.
TEST_P(CudaMatvec, AFewTokensEqualTheScalarReferenceAndEachAlone) {
    const DType t = GetParam();
    std::mt19937 rng(78);
    const int64_t rows = 45, cols = 768;
    const auto w = flash::testing::random_weights(t, rows * cols, rng);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> row(static_cast<size_t>(cols));
    for (int64_t n : {int64_t{2}, int64_t{5}, launch::kMatvecTokens}) {
        std::vector<float> x(static_cast<size_t>(n * cols));
        for (float& v : x) v = normal(rng);
        DeviceBuffer dw(w.size()), dx(x.size() * sizeof(float)), dy(n * rows * sizeof(float)),
            d1(rows * sizeof(float));
        dw.upload(w.data(), w.size());
        dx.upload(x.data(), x.size() * sizeof(float));
        launch::matmul(t, dw.data(), rows, cols, static_cast<const float*>(dx.data()), n,
                       static_cast<float*>(dy.data()));
        launch::synchronize("a few tokens");
        std::vector<float> y(static_cast<size_t>(n * rows)), alone(static_cast<size_t>(rows));
        dy.download(y.data(), y.size() * sizeof(float));
        for (int64_t tok = 0; tok < n; ++tok) {
            launch::matvec(t, dw.data(), rows, cols,
                           static_cast<const float*>(dx.data()) + tok * cols,
                           static_cast<float*>(d1.data()));
            launch::synchronize("one token");
            d1.download(alone.data(), alone.size() * sizeof(float));
            for (int64_t r = 0; r < rows; ++r) {
                kernels::ref::dequantize_row(t, w.data() + r * row_bytes(t, cols), row.data(),
                                             cols);
                const auto [want, magnitude] =
                    reference_dot(row.data(), x.data() + tok * cols, cols);
                ASSERT_NEAR(y[tok * rows + r], want, 1e-5 * magnitude + 1e-30)
                    << dtype_name(t) << " " << n << " tokens, row " << r << " token " << tok;
                if (dtype_info(t).block_elems > 1) {
                    ASSERT_EQ(y[tok * rows + r], alone[r]) << dtype_name(t) << " token " << tok;
                }
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Types, CudaMatvec,
                         ::testing::Values(DType::F32, DType::F16, DType::BF16, DType::Q4_0,
                                           DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q8_0,
                                           DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K,
                                           DType::Q6_K),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

TEST(CudaDevice, ReportsItselfAndRefusesBadArguments) {
    if (device_count() == 0) GTEST_SKIP() << "no CUDA device: the GPU test is skipped";
    const DeviceInfo info = device_info(0);
    std::printf("[ cuda ] %s, compute capability %d, %d multiprocessors, %.1f GiB\n",
                info.name.c_str(), info.compute_capability, info.multiprocessors,
                static_cast<double>(info.total_bytes) / (1 << 30));
    EXPECT_FALSE(info.name.empty());
    EXPECT_GT(info.total_bytes, 0u);

    DeviceBuffer w(row_bytes(DType::Q4_K, 256)), x(256 * sizeof(float)), y(sizeof(float));
    EXPECT_THROW(matvec(DType::Q4_K, w, 1, 100, x, y), Error);  // not whole blocks
    EXPECT_THROW(matvec(DType::Q8_K, w, 1, 256, x, y), Error);  // an activation type
    EXPECT_THROW(matvec(DType::Q4_K, w, 2, 256, x, y), Error);  // buffers too small
    std::vector<char> big(w.bytes() + 1);
    EXPECT_THROW(w.upload(big.data(), big.size()), Error);
    EXPECT_THROW(device_info(device_count()), Error);
}

TEST(CudaDevice, CountIsZeroOrMoreWithoutThrowing) {
    // Runs everywhere: a machine without a driver or a GPU reports 0 devices, no exception.
    EXPECT_GE(device_count(), 0);
}

}  // namespace
}  // namespace flash::cuda
