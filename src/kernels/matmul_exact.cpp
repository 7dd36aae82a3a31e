// Precision::Exact matmul below kGemmMinBatch rows, and with AVX-512 for rows up to 1024 long
// at up to 32 batch rows (exact_tiles_win; prompts take gemm.cpp): activations stay f32. Two
// ways to meet a quantized weight row:
//  - fused (1-2 rows, i.e. decode): vec_dot_exact-style kernels unpack the quants in
//    registers and multiply-add with x directly, once per batch row; nothing is written.
//  - two-pass (a few sequences decoding together): each thread dequantizes kTileRows weight rows at
//    a time into a buffer that stays in L1 (L2 for very long rows) and dots them with every
//    batch row, four rows per activation load (on AVX-512, 4 x 4 rows per step of 16 columns,
//    avx512_dot_tile), so a row's unpacking is paid once per call however large the batch.
// The fused kernels redo the unpacking for every batch row, so they win only while the batch
// is small; kFusedMaxBatch is where bench_kernels' matmul_exact cases cross over.
#include <algorithm>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels::detail {
namespace {
// Below this many weight elements the wake-up of helper threads costs more than it saves.
constexpr int64_t kMinParallelElems = 32 * 1024;
// Largest batch that takes the fused path. Measured (one thread, 576x1536 and 640x2048, every
// type) against the tiled two-pass path: fused is 1.4-2.2x faster at batch 1; at batch 2 it
// still wins for the 4- and 8-bit types (1.1-1.4x) and breaks even for the 5- and 6-bit ones;
// from batch 3 the two-pass path is ahead for most types (up to 1.4x at batch 4).
constexpr int64_t kFusedMaxBatch = 2;
constexpr int64_t kTileRows = 4;
// Where the AVX-512 tile kernel beats the GEMM: while a tile and four activation rows stay in L1
// (n <= 1024), at every batch measured (bench_kernels matmul_exact/*/1536x576, one thread:
// Q4_1 b8 151 vs 227 us, b16 225 vs 333, b64 847 vs 863, against the GEMM's dequantize-and-
// transpose). On rows up to 2048 long it wins up to 8 rows (576x1536 and 640x2048, Q4_1, Q8_0,
// Q4_K at b8: 13-30% faster), while from 12-16 rows the results split by type and the GEMM is
// kept. Above 32 rows (prompts) the GEMM is kept.
constexpr int64_t kTileMaxRowLen = 1024;
constexpr int64_t kTileMaxBatch = 32;
constexpr int64_t kTileLongRowLen = 2048;
constexpr int64_t kTileLongMaxBatch = 8;

// out[r] = dot(w + r * n, x, n) for the kTileRows rows of a dequantized tile.
void dot_tile(const float* w, const float* x, int64_t n, float* out) {
#ifdef FLASH_KERNELS_X86
    if (use_avx2()) {
        avx2_dot_f32_x4(w, n, x, n, out);
        return;
    }
#endif
#ifdef FLASH_KERNELS_ARM
    if (use_neon()) {
        neon_dot_f32_x4(w, n, x, n, out);
        return;
    }
#endif
    for (int64_t r = 0; r < kTileRows; ++r) out[r] = dot_f32(w + r * n, x, n);
}

// Whether tiles of rows n long go through avx512_dot_tile (which takes whole 16-column steps).
bool avx512_tiles(int64_t n) {
#ifdef FLASH_KERNELS_X86
    return n % 16 == 0 && use_vnni();
#else
    (void)n;
    return false;
#endif
}

}  // namespace

bool exact_tiles_win(int64_t n, int64_t batch) {
    return avx512_tiles(n) && ((n <= kTileMaxRowLen && batch <= kTileMaxBatch) ||
                               (n <= kTileLongRowLen && batch <= kTileLongMaxBatch));
}

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
                prefetch_ahead(wb + r * stride, stride);
                for (int64_t b = 0; b < batch; ++b) {
                    y[b * rows + r] = fused(n, wb + r * stride, x + b * n, sums + b * n_sums);
                }
            }
            return;
        }
        thread_local std::vector<float> tile;
        const auto tile_size = static_cast<size_t>(kTileRows * n);
        if (tile.size() < tile_size) tile.resize(tile_size);
        for (int64_t r = r0; r < r1; r += kTileRows) {
            const int64_t nr = std::min(kTileRows, r1 - r);
            for (int64_t i = 0; i < nr; ++i) {
                dequantize_row(t, wb + (r + i) * stride, tile.data() + i * n, n);
            }
#ifdef FLASH_KERNELS_X86
            if (nr == kTileRows && avx512_tiles(n)) {
                avx512_dot_tile(tile.data(), n, x, batch, y + r, rows);
                continue;
            }
#endif
            for (int64_t b = 0; b < batch; ++b) {
                const float* xb = x + b * n;
                float* yb = y + b * rows + r;
                if (nr == kTileRows) {
                    dot_tile(tile.data(), xb, n, yb);
                } else {
                    for (int64_t i = 0; i < nr; ++i) yb[i] = dot_f32(tile.data() + i * n, xb, n);
                }
            }
        }
    };
    if (pool.size() == 1 || rows * n < kMinParallelElems || rows < 2) {
        run_rows(0, rows);
        return;
    }
    pool.parallel_for(rows, run_rows);
}

}  // namespace flash::kernels::detail
