// matvec_group: several weights meeting one input row in one pass over the pool must give each
// output exactly what matmul gives for one row, in both precisions and dispatch modes, with
// weight types mixed (as a layer's q, k and v may be), on one and three threads, and with
// matrices too small to go parallel. (A helper thread reading the caller's thread_local buffers
// by name once read its own, empty ones: large enough matrices make the helpers take rows.)
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/kernel_test_util.h"
#include "kernels/kernels.h"
#include "kernels/random_weights.h"

namespace flash::kernels {
namespace {

using flash::testing::ScalarGuard;

class MatvecGroup : public ::testing::TestWithParam<bool> {};  // scalar dispatch or not

TEST_P(MatvecGroup, EachOutputEqualsItsOwnMatmul) {
    ScalarGuard guard(GetParam());
    std::mt19937 rng(41);
    const int64_t n = 512;  // a whole number of blocks for every type below
    const struct {
        DType type;
        int64_t rows;
    } weights[] = {{DType::Q4_K, 670}, {DType::Q6_K, 190}, {DType::Q8_0, 330}, {DType::F16, 80},
                   {DType::Q4_1, 410}, {DType::Q5_0, 5},   {DType::Q3_K, 12}};
    std::vector<std::vector<uint8_t>> w;
    for (const auto& spec : weights)
        w.push_back(flash::testing::random_weights(spec.type, spec.rows * n, rng));
    const auto x = flash::testing::random_floats(n, rng);
    // Which weights go together: six in one pass; with Q3_K, which has no fused exact dot (so
    // exact falls back to a matmul each); two of three rows, too small to go parallel.
    const struct {
        std::vector<size_t> which;
        int64_t rows;  // 0: each weight's own
    } groups[] = {{{0, 1, 2, 3, 4, 5}, 0}, {{6, 0, 4}, 0}, {{0, 1}, 3}};
    ThreadPool one(1), three(3);
    for (Precision p : {Precision::Exact, Precision::Fast}) {
        for (ThreadPool* pool : {&one, &three}) {
            for (const auto& group : groups) {
                std::vector<std::vector<float>> want, got;
                std::vector<MatvecJob> jobs;
                for (const size_t i : group.which) {
                    const int64_t rows = group.rows ? group.rows : weights[i].rows;
                    want.emplace_back(static_cast<size_t>(rows));
                    got.emplace_back(static_cast<size_t>(rows), -7.0f);
                    matmul(weights[i].type, w[i].data(), rows, n, x.data(), 1, want.back().data(),
                           *pool, p);
                }
                for (size_t k = 0; k < group.which.size(); ++k) {
                    const size_t i = group.which[k];
                    jobs.push_back({weights[i].type, w[i].data(),
                                    static_cast<int64_t>(got[k].size()), got[k].data()});
                }
                // Repeated, so the helper threads surely take some rows (a caller may otherwise
                // finish every chunk before they wake).
                for (int rep = 0; rep < 20; ++rep) matvec_group(jobs, x.data(), n, *pool, p);
                for (size_t k = 0; k < group.which.size(); ++k)
                    EXPECT_EQ(got[k], want[k])
                        << dtype_name(weights[group.which[k]].type)
                        << (p == Precision::Exact ? " exact" : " fast") << ", threads "
                        << pool->size() << ", jobs " << group.which.size();
            }
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Modes, MatvecGroup, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "scalar" : "dispatched"; });

}  // namespace
}  // namespace flash::kernels
