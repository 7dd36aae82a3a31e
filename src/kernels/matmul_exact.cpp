// Precision::Exact matmul: activations stay f32. Each thread dequantizes one weight row at a
// time into a small buffer that stays in L1 and dots it with every batch row, so a row's
// dequantization is paid once per call however large the batch.
#include <algorithm>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels::detail {
namespace {
// Below this many weight elements the wake-up of helper threads costs more than it saves.
constexpr int64_t kMinParallelElems = 32 * 1024;
}  // namespace

void matmul_exact(DType t, const void* w, int64_t rows, int64_t n, const float* x, int64_t batch,
                  float* y, ThreadPool& pool) {
    const auto* wb = static_cast<const uint8_t*>(w);
    const size_t stride = row_bytes(t, n);
    auto run_rows = [&](int64_t r0, int64_t r1) {
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
