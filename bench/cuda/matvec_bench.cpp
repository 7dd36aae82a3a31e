// Bandwidth of the CUDA matrix-vector product (decode's weight reads), both kernels
// (MatvecKernel), per weight type on the Qwen3.5-4B shape's matrices: bytes of weights read per
// call / median time, as JSON lines, for the roofline figures of issue 24. Timed on the host around
// the synchronous call (launch and synchronization included, as a decode step pays them), after
// warm-up calls.
//   build/cuda/bench/cuda/flash_bench_cuda_matvec [repetitions]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "cuda/cuda_backend.h"
#include "kernels/random_weights.h"

int main(int argc, char** argv) {
    using namespace flash;
    const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 50;
    if (cuda::device_count() == 0) {
        std::fprintf(stderr, "flash_bench_cuda_matvec: no CUDA device\n");
        return 77;
    }
    const cuda::DeviceInfo info = cuda::device_info(0);
    std::printf("{\"device\": \"%s\", \"compute_capability\": %d, \"multiprocessors\": %d}\n",
                info.name.c_str(), info.compute_capability, info.multiprocessors);
    struct Shape {
        const char* name;
        int64_t rows, cols;
    };
    // The 4B shape's FFN up/gate (9728 x 2560) and down (2560 x 9728) matrices.
    const Shape shapes[] = {{"ffn_up", 9728, 2560}, {"ffn_down", 2560, 9728}};
    std::mt19937 rng(7);
    for (DType t : {DType::F16, DType::BF16, DType::Q8_0, DType::Q6_K, DType::Q5_K, DType::Q4_K,
                    DType::Q4_0, DType::Q3_K, DType::Q2_K}) {
        for (const Shape& s : shapes) {
            const auto w = testing::random_weights(t, s.rows * s.cols, rng);
            std::vector<float> x(static_cast<size_t>(s.cols), 0.5f);
            cuda::DeviceBuffer dw(w.size()), dx(x.size() * sizeof(float)),
                dy(static_cast<size_t>(s.rows) * sizeof(float));
            dw.upload(w.data(), w.size());
            dx.upload(x.data(), x.size() * sizeof(float));
            for (cuda::MatvecKernel kernel :
                 {cuda::MatvecKernel::Blocks, cuda::MatvecKernel::Elements}) {
                for (int i = 0; i < 5; ++i) cuda::matvec(t, dw, s.rows, s.cols, dx, dy, kernel);
                std::vector<double> us;
                for (int i = 0; i < reps; ++i) {
                    const auto t0 = std::chrono::steady_clock::now();
                    cuda::matvec(t, dw, s.rows, s.cols, dx, dy, kernel);
                    us.push_back(std::chrono::duration<double, std::micro>(
                                     std::chrono::steady_clock::now() - t0)
                                     .count());
                }
                std::sort(us.begin(), us.end());
                const double median = us[us.size() / 2];
                std::printf(
                    "{\"type\": \"%s\", \"matrix\": \"%s\", \"kernel\": \"%s\", \"rows\": %lld, "
                    "\"cols\": %lld, \"weight_bytes\": %zu, \"median_us\": %.2f, \"gb_per_s\": "
                    "%.1f}\n",
                    std::string(dtype_name(t)).c_str(), s.name,
                    kernel == cuda::MatvecKernel::Blocks ? "blocks" : "elements",
                    static_cast<long long>(s.rows), static_cast<long long>(s.cols), w.size(),
                    median, static_cast<double>(w.size()) / median / 1e3);
            }
        }
    }
    return 0;
}
