// Precision::Exact matmul: activations stay f32. Two ways to meet a quantized weight row:
//  - fused (small batches, i.e. decode): vec_dot_exact-style kernels unpack the quants in
//    registers and multiply-add with x directly, once per batch row; nothing is written.
//  - two-pass (larger batches, i.e. prefill): each thread dequantizes one weight row at a time
//    into a buffer that stays in L1 and dots it with every batch row, so the row's unpacking
//    is paid once per call however large the batch.
// The fused kernels redo the unpacking for every batch row, so they win only while the batch
// is small; kFusedMaxBatch is where bench_kernels' exact cases cross over.
#include <algorithm>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels::detail {
namespace {
// Below this many weight elements the wake-up of helper threads costs more than it saves.
constexpr int64_t kMinParallelElems = 32 * 1024;
// Largest batch that takes the fused path.
constexpr int64_t kFusedMaxBatch = 2;
}  // namespace

void matmul_exact(DType t, const void* w, int64_t rows, int64_t n, const float* x, int64_t batch,
                  float* y, ThreadPool& pool) {
    const auto* wb = static_cast<const uint8_t*>(w);
    const size_t stride = row_bytes(t, n);
    const ExactDotFn fused = batch <= kFusedMaxBatch ? exact_dot_for(t) : nullptr;

    // Block sums of each activation row, once per call, for the fused kernels' minimums.
    const float* sums = nullptr;
    const int64_t n_sums = n / 32;
    if (fused) {
        thread_local std::vector<float> buffer;
        const auto need = static_cast<size_t>(n_sums * batch);
        if (buffer.size() < need) buffer.resize(need);
        for (int64_t b = 0; b < batch; ++b) block_sums32(x + b * n, n, buffer.data() + b * n_sums);
        sums = buffer.data();
    }

    auto run_rows = [&](int64_t r0, int64_t r1) {
        if (fused) {
            for (int64_t r = r0; r < r1; ++r) {
                for (int64_t b = 0; b < batch; ++b) {
                    y[b * rows + r] = fused(n, wb + r * stride, x + b * n, sums + b * n_sums);
                }
            }
            return;
        }
        thread_local std::vector<float> row;
        if (row.size() < static_cast<size_t>(n)) row.resize(static_cast<size_t>(n));
        for (int64_t r = r0; r < r1; ++r) {
            dequantize_row(t, wb + r * stride, row.data(), n);
            for (int64_t b = 0; b < batch; ++b) y[b * rows + r] = dot_f32(row.data(), x + b * n, n);
        }
    };
    if (pool.size() == 1 || rows * n < kMinParallelElems || rows < 2) {
        run_rows(0, rows);
        return;
    }
    pool.parallel_for(rows, run_rows);
}

}  // namespace flash::kernels::detail
