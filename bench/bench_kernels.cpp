// Matmul throughput for every weight type at SmolLM2-135M-like shapes, scalar vs SIMD (the
// best path the CPU has, or what FLASH_ISA allows), 1 and 2 threads, batch 1 (decode) and 64
// (prefill: the GEMMs); and Precision::Exact (f32 activations)
// against Precision::Fast at the decode shapes of SmolLM2-135M and Gemma 3 270M, including
// their output matrices (matmul_exact/...). Counters: weight GB/s (weight bytes read per
// second; once per call) and GFLOP/s (2 * rows * n * batch per call).
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "kernels/random_weights.h"

namespace {

using flash::DType;
namespace fk = flash::kernels;

struct Shape {
    int64_t rows, n;
};

flash::ThreadPool& pool_of(int threads) {
    static std::unique_ptr<flash::ThreadPool> pools[3];
    if (!pools[threads]) pools[threads] = std::make_unique<flash::ThreadPool>(threads);
    return *pools[threads];
}

// The weights of the last (type, shape) asked for: the output matrices are 100+ MB, too slow
// to regenerate for every run and too big to keep one per type. Benchmarks run in
// registration order, which groups them by type and shape.
const std::vector<uint8_t>& weights_for(DType t, Shape s) {
    static std::vector<uint8_t> w;
    static DType wt = DType::F32;
    static Shape ws{0, 0};
    if (wt != t || ws.rows != s.rows || ws.n != s.n) {
        w.clear();
        w.shrink_to_fit();
        std::mt19937 rng(1234);
        w = flash::testing::random_weights(t, s.rows * s.n, rng);
        wt = t;
        ws = s;
    }
    return w;
}

void bench_matmul(benchmark::State& state, DType t, Shape s, int64_t batch, int threads, bool simd,
                  fk::Precision precision) {
    std::mt19937 rng(99);
    const std::vector<uint8_t>& w = weights_for(t, s);
    const std::vector<float> x = flash::testing::random_floats(s.n * batch, rng);
    std::vector<float> y(static_cast<size_t>(s.rows * batch));
    flash::ThreadPool& pool = pool_of(threads);
    // The scalar path, or the best one FLASH_ISA allows (FLASH_ISA=avx2 times AVX2 kernels on
    // a CPU that has more).
    const fk::Isa cap = fk::limit_isa(fk::Isa::Scalar);
    fk::limit_isa(simd ? cap : fk::Isa::Scalar);
    for (auto _ : state) {
        fk::matmul(t, w.data(), s.rows, s.n, x.data(), batch, y.data(), pool, precision);
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    fk::limit_isa(cap);
    const double iters = static_cast<double>(state.iterations());
    state.counters["GB/s"] = benchmark::Counter(static_cast<double>(w.size()) * iters / 1e9,
                                                benchmark::Counter::kIsRate);
    state.counters["GFLOP/s"] = benchmark::Counter(
        2.0 * static_cast<double>(s.rows * s.n * batch) * iters / 1e9, benchmark::Counter::kIsRate);
}

// Exact vs fast at the decode shapes of SmolLM2-135M (FFN down 576x1536, up 1536x576, output
// 49152x576) and Gemma 3 270M (FFN down 640x2048, output 262144x640). Batch 1 is decode;
// batches 2..4 locate the crossover between matmul_exact's fused and two-pass paths (rebuild
// with its kFusedMaxBatch at 0 and at 8 to time both paths at every batch); 8..16 are the
// server's steps with many streams, where the GEMM takes over (kGemmMinBatch); 64 is prefill.
// Shapes a type's blocks do not divide are skipped. Float weights have one path (their activations
// are never rounded), so are not listed.
void register_exact() {
    const DType types[] = {DType::Q4_1, DType::Q8_0, DType::Q4_0, DType::Q5_0, DType::Q5_1,
                           DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::Q3_K, DType::Q2_K};
    const Shape shapes[] = {{576, 1536}, {1536, 576}, {640, 2048}, {49152, 576}, {262144, 640}};
    for (DType t : types) {
        const int64_t block = flash::dtype_info(t).block_elems;
        for (const Shape& s : shapes) {
            if (s.n % block != 0) continue;
            for (int64_t batch : {1, 2, 3, 4, 8, 12, 16, 64}) {
                if (batch > 1 && s.rows > 4096) continue;  // output matrices: decode only
                for (int threads : {1, 2}) {
                    for (fk::Precision p : {fk::Precision::Exact, fk::Precision::Fast}) {
                        const bool exact = p == fk::Precision::Exact;
                        // Fast at batch 1 for comparison; the matmul/ cases cover its batches.
                        if (!exact && batch > 1) continue;
                        const std::string name =
                            std::string(exact ? "matmul_exact/" : "matmul_fast/") +
                            std::string(flash::dtype_name(t)) + "/" + std::to_string(s.rows) + "x" +
                            std::to_string(s.n) + "/b" + std::to_string(batch) + "/t" +
                            std::to_string(threads);
                        benchmark::RegisterBenchmark(name.c_str(), bench_matmul, t, s, batch,
                                                     threads, true, p)
                            ->Unit(benchmark::kMicrosecond)
                            ->UseRealTime();
                    }
                }
            }
        }
    }
}

void register_all() {
    const DType types[] = {DType::Q4_1, DType::Q8_0, DType::Q4_0, DType::Q5_0, DType::Q5_1,
                           DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::Q3_K, DType::Q2_K,
                           DType::F16,  DType::BF16, DType::F32};
    // SmolLM2-135M: attention 576x576, FFN up/gate 1536x576, down 576x1536, output 49152x576.
    // K-quant rows must be whole 256-element super-blocks, so they also get 49152x512.
    const Shape shapes[] = {{576, 576}, {1536, 576}, {576, 1536}, {49152, 576}, {49152, 512}};
    const bool have_simd = fk::detected_isa() != fk::Isa::Scalar;
    for (DType t : types) {
        const int64_t block = flash::dtype_info(t).block_elems;
        for (const Shape& s : shapes) {
            if (s.n % block != 0) continue;
            if (block < 256 && s.n == 512) continue;  // the substitute shape is for K-quants
            for (int64_t batch : {int64_t{1}, int64_t{64}}) {
                // Prefill-sized runs of the huge output matrix take seconds; decode covers it.
                if (batch > 1 && s.rows > 4096) continue;
                for (int threads : {1, 2}) {
                    for (bool simd : {false, true}) {
                        if (simd && !have_simd) continue;
                        // The scalar batch runs dominate the run time: one shape and one
                        // thread, as the twin the GEMMs are measured against.
                        if (!simd && batch > 1 && (threads > 1 || s.rows != 1536)) continue;
                        const std::string name =
                            "matmul/" + std::string(flash::dtype_name(t)) + "/" +
                            std::to_string(s.rows) + "x" + std::to_string(s.n) + "/b" +
                            std::to_string(batch) + "/t" + std::to_string(threads) + "/" +
                            (simd ? "simd" : "scalar");
                        benchmark::RegisterBenchmark(name.c_str(), bench_matmul, t, s, batch,
                                                     threads, simd, fk::Precision::Fast)
                            ->Unit(benchmark::kMicrosecond)
                            ->UseRealTime();
                    }
                }
            }
        }
    }
    if (have_simd) register_exact();
}

}  // namespace

int main(int argc, char** argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
