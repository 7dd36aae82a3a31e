// Y = X * W^T for a weight matrix in any supported type. The activations are quantized once
// per call into the caller's thread-local buffer (reused, so decode does not allocate), then
// rows are split evenly across the pool. With a batch, each thread walks its rows in tiles of
// kTileRows and computes every batch column for a tile before moving on, so a weight tile is
// read from memory once and then served from L1 while the (smaller) activations stream.
#include <algorithm>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels {
namespace {

constexpr int64_t kTileRows = 4;
// Below this many weight elements the wake-up of helper threads costs more than it saves.
constexpr int64_t kMinParallelElems = 32 * 1024;

}  // namespace

void matmul(DType t, const void* w, int64_t rows, int64_t n, const float* x, int64_t batch,
            float* y, ThreadPool& pool, Precision precision) {
    matmul(t, w, nullptr, rows, n, x, batch, y, pool, precision);
}

void matmul(DType t, const void* w, const Int8Panels* panels, int64_t rows, int64_t n,
            const float* x, int64_t batch, float* y, ThreadPool& pool, Precision precision) {
    detail::check_weight_row(t, n, "matmul");
    if (rows <= 0 || batch <= 0) return;
    // From kGemmMinBatch rows on, the GEMM: it dequantizes each weight row once per call and
    // keeps 12 accumulators busy, faster than integer dot products per row pair. Smaller
    // batches (decode, a few streams) read each row once anyway and take the dot products.
    // Exact products with quantized weights keep matmul_exact's tiles where its AVX-512 tile
    // kernel beats the GEMM (rows up to 1024 long, up to 32 batch rows: exact_tiles_win).
    const bool exact_quantized = precision == Precision::Exact && activation_type(t) != DType::F32;
    if (batch >= kGemmMinBatch && !(exact_quantized && detail::exact_tiles_win(n, batch))) {
        if (precision == Precision::Fast && detail::int8_gemm_supports(t)) {
            const bool packed = panels && !panels->empty() && panels->type == t &&
                                panels->rows == rows && panels->n == n;
            detail::gemm_int8(t, w, rows, n, x, batch, y, pool,
                              packed ? panels->bytes.data() : nullptr);
        } else {
            detail::gemm_f32(t, w, rows, n, x, batch, y, pool);
        }
        return;
    }
    if (exact_quantized) {
        detail::matmul_exact(t, w, rows, n, x, batch, y, pool);
        return;
    }
    const detail::TypeKernels k = detail::kernels_for(t);
    const DType at = activation_type(t);
    const auto* wb = static_cast<const uint8_t*>(w);
    const size_t w_stride = row_bytes(t, n);

    // Float weights take the activations as they are; quantized ones need Q8_x rows.
    const uint8_t* act = reinterpret_cast<const uint8_t*>(x);
    size_t a_stride = static_cast<size_t>(n) * sizeof(float);
    if (at != DType::F32) {
        thread_local std::vector<uint8_t> buffer;
        a_stride = row_bytes(at, n);
        if (buffer.size() < a_stride * static_cast<size_t>(batch)) {
            buffer.resize(a_stride * static_cast<size_t>(batch));
        }
        uint8_t* q = buffer.data();
        auto quantize_rows = [&](int64_t b0, int64_t b1) {
            for (int64_t b = b0; b < b1; ++b) k.quantize(x + b * n, q + b * a_stride, n);
        };
        if (batch >= 4 && pool.size() > 1) {
            pool.parallel_for(batch, quantize_rows);
        } else {
            quantize_rows(0, batch);
        }
        act = q;
    }

    auto run_rows = [&](int64_t r0, int64_t r1) {
        if (batch == 1) {
            for (int64_t r = r0; r < r1; ++r) {
                detail::prefetch_ahead(wb + r * w_stride, w_stride);
                y[r] = k.dot(n, wb + r * w_stride, act);
            }
            return;
        }
        for (int64_t t0 = r0; t0 < r1; t0 += kTileRows) {
            const int64_t t1 = t0 + kTileRows < r1 ? t0 + kTileRows : r1;
            for (int64_t b = 0; b < batch; ++b) {
                const uint8_t* a = act + b * a_stride;
                float* yb = y + b * rows;
                for (int64_t r = t0; r < t1; ++r) yb[r] = k.dot(n, wb + r * w_stride, a);
            }
        }
    };

    if (pool.size() == 1 || rows * n * batch < kMinParallelElems || rows < 2) {
        run_rows(0, rows);
        return;
    }
    pool.run([&](int ith, int nth) {
        // Even split, boundaries on tile multiples so no tile straddles two threads.
        const int64_t tiles = (rows + kTileRows - 1) / kTileRows;
        const int64_t r0 = std::min(rows, tiles * ith / nth * kTileRows);
        const int64_t r1 = std::min(rows, tiles * (ith + 1) / nth * kTileRows);
        if (r0 < r1) run_rows(r0, r1);
    });
}

}  // namespace flash::kernels
