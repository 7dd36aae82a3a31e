// Importance-weighted quantization: with an imatrix that says some columns matter far more
// (their inputs are large), the error on those columns — the error that reaches the matmul's
// output — is lower than the reference quantizers leave, for every type that uses it; and
// without an imatrix the bytes are unchanged (the byte-for-byte tests cover that).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "kernels/kernels.h"
#include "quant/quantize_row.h"

namespace flash::quant {
namespace {

// Σ importance · (x − dequantized)² over the row.
double weighted_error(DType type, const std::vector<float>& x, const std::vector<float>& imp,
                      bool use_importance) {
    std::vector<uint8_t> q(row_bytes(type, static_cast<int64_t>(x.size())));
    const int64_t n = static_cast<int64_t>(x.size());
    quantize_row(type, x.data(), q.data(), n, use_importance ? imp.data() : nullptr);
    std::vector<float> back(x.size());
    kernels::dequantize_row(type, q.data(), back.data(), n);
    double e = 0;
    for (size_t i = 0; i < x.size(); ++i) e += imp[i] * (x[i] - back[i]) * (x[i] - back[i]);
    return e;
}

TEST(QuantImportance, WeightedErrorFallsForEveryType) {
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.f, 1.f);
    const size_t n = 256 * 16;
    std::vector<float> x(n), imp(n);
    for (size_t i = 0; i < n; ++i) {
        x[i] = normal(rng) * 0.05f;
        imp[i] = i % 7 == 0 ? 50.f : 0.5f;  // one column in seven carries large inputs
    }
    for (DType t : {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::Q4_0,
                    DType::Q5_0, DType::Q4_1, DType::Q5_1}) {
        const double plain = weighted_error(t, x, imp, false);
        const double weighted = weighted_error(t, x, imp, true);
        EXPECT_LT(weighted, plain * 0.95) << dtype_name(t) << ": " << weighted << " vs " << plain;
    }
    // Q8_0 has nothing to weight: the same bytes either way.
    EXPECT_EQ(weighted_error(DType::Q8_0, x, imp, true),
              weighted_error(DType::Q8_0, x, imp, false));
}

}  // namespace
}  // namespace flash::quant
