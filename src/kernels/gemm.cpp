// Matrix products for prompt-sized batches with f32 activations: Y = X * W^T where W is any
// weight type, dequantized exactly. This is the compute-bound case (every weight element meets
// `batch` activations), so it is organised as a GEMM, not as batched dot products:
//  - Each thread takes whole panels of kPanelRows weight rows. A panel is dequantized once per
//    call, kChunk columns at a time, and stored transposed (k-major: element k of the panel's
//    16 rows side by side), so it stays in L1/L2 while every batch row streams past it.
//  - A register-blocked micro-kernel multiplies a few activation rows with a panel: per k, the
//    panel's 16 floats in registers, one broadcast per activation row, fused multiply-adds into
//    12 accumulators that live in registers for the whole chunk (6 rows x 2 ymm on AVX2, 12
//    rows x 1 zmm on AVX-512).
// Each output is one accumulator lane summed in k order, so the result is the dot product of
// the dequantized row with x up to float rounding (Precision::Exact's contract).
#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels::detail {
namespace {

// Columns per dequantized chunk: a multiple of every block size (32 and 256), and small
// enough that a panel chunk (kPanelRows x kChunk floats = 64 KiB) stays in L2 with room to
// spare while the activations stream.
constexpr int64_t kChunk = 256;
// Below this many weight elements the wake-up of helper threads costs more than it saves.
constexpr int64_t kMinParallelElems = 32 * 1024;

// The portable micro-kernel: C[i][j] (+)= sum_k A[i][k] * P[k][j], i < m, j < kPanelRows.
void scalar_gemm_micro(int64_t m, int64_t kc, const float* a, int64_t lda, const float* panel,
                       float* c, int64_t ldc, bool accumulate) {
    for (int64_t i = 0; i < m; ++i) {
        float acc[kPanelRows];
        for (int64_t j = 0; j < kPanelRows; ++j) acc[j] = accumulate ? c[i * ldc + j] : 0.0f;
        for (int64_t k = 0; k < kc; ++k) {
            const float av = a[i * lda + k];
            for (int64_t j = 0; j < kPanelRows; ++j) acc[j] += av * panel[k * kPanelRows + j];
        }
        std::memcpy(c + i * ldc, acc, sizeof(acc));
    }
}

// Dequantizes columns [k0, k0 + kc) of `nr` rows starting at `row` into `panel`, k-major,
// zero-filling the columns of a short last panel. `rows_buf` holds kPanelRows x kc floats.
void pack_panel(DequantFn deq, const uint8_t* row, size_t stride, size_t chunk_offset, int64_t nr,
                int64_t kc, float* rows_buf, float* panel) {
    for (int64_t j = 0; j < nr; ++j) deq(row + j * stride + chunk_offset, rows_buf + j * kc, kc);
    for (int64_t j = nr; j < kPanelRows; ++j) std::fill_n(rows_buf + j * kc, kc, 0.0f);
    pack_transpose(rows_buf, kc, panel);
}

}  // namespace

void gemm_panel_rows(GemmMicro micro, int64_t m, int64_t kc, const float* a, int64_t lda,
                     const float* panel, float* c, int64_t ldc, int64_t cols, bool accumulate) {
    for (int64_t i0 = 0; i0 < m; i0 += micro.rows) {
        const int64_t mi = std::min(micro.rows, m - i0);
        if (cols == kPanelRows) {
            micro.fn(mi, kc, a + i0 * lda, lda, panel, c + i0 * ldc, ldc, accumulate);
            continue;
        }
        float edge[kMaxMicroRows * kPanelRows] =
            {};  // a short panel's outputs before they are copied
        for (int64_t i = 0; i < mi && accumulate; ++i)
            std::copy_n(c + (i0 + i) * ldc, cols, edge + i * kPanelRows);
        micro.fn(mi, kc, a + i0 * lda, lda, panel, edge, kPanelRows, accumulate);
        for (int64_t i = 0; i < mi; ++i)
            std::copy_n(edge + i * kPanelRows, cols, c + (i0 + i) * ldc);
    }
}

void gemm_pair_rows(GemmMicro micro, int64_t m, int64_t kc, const float* a, int64_t lda,
                    const float* panels, float* c, int64_t ldc, bool accumulate) {
    for (int64_t i0 = 0; i0 < m; i0 += micro.pair_rows)
        micro.pair(std::min(micro.pair_rows, m - i0), kc, a + i0 * lda, lda, panels, c + i0 * ldc,
                   ldc, accumulate);
}

GemmMicro gemm_micro() {
#ifdef FLASH_KERNELS_X86
    if (use_vnni())
        return {avx512_gemm_micro, kAvx512MicroRows, avx512_gemm_micro_pair, kAvx512PairRows};
    if (use_avx2()) return {avx2_gemm_micro, kMicroRows};
#endif
#ifdef FLASH_KERNELS_ARM
    if (use_neon()) return {neon_gemm_micro, kMicroRows};
#endif
    return {scalar_gemm_micro, kMicroRows};
}

void pack_transpose(const float* rows, int64_t kc, float* panel) {
#ifdef FLASH_KERNELS_X86
    if (use_avx2()) {
        avx2_pack_transpose(rows, kc, panel);
        return;
    }
#endif
#ifdef FLASH_KERNELS_ARM
    if (use_neon()) {
        neon_pack_transpose(rows, kc, panel);
        return;
    }
#endif
    for (int64_t k = 0; k < kc; ++k) {
        for (int64_t j = 0; j < kPanelRows; ++j) panel[k * kPanelRows + j] = rows[j * kc + k];
    }
}

void gemm_f32(DType t, const void* w, int64_t rows, int64_t n, const float* x, int64_t batch,
              float* y, ThreadPool& pool) {
    const auto* wb = static_cast<const uint8_t*>(w);
    const size_t stride = row_bytes(t, n);
    const DequantFn deq = kernels_for(t).dequant;
    const GemmMicro micro = gemm_micro();
    auto run_panels = [&](int64_t p0, int64_t p1) {
        thread_local std::vector<float> rows_buf, panel;
        const auto need = static_cast<size_t>(kPanelRows * std::min(n, kChunk));
        if (panel.size() < 2 * need) {
            rows_buf.resize(need);
            panel.resize(2 * need);
        }
        for (int64_t p = p0; p < p1;) {
            const int64_t r0 = p * kPanelRows;
            // Two full panels at once where the micro-kernel takes pairs.
            const bool pair = micro.pair && p + 1 < p1 && r0 + 2 * kPanelRows <= rows;
            const int64_t nr = std::min(kPanelRows, rows - r0);
            for (int64_t k0 = 0; k0 < n; k0 += kChunk) {
                const int64_t kc = std::min(kChunk, n - k0);
                const bool accumulate = k0 > 0;
                const size_t offset = row_bytes(t, k0);
                pack_panel(deq, wb + r0 * stride, stride, offset, nr, kc, rows_buf.data(),
                           panel.data());
                if (!pair) {
                    gemm_panel_rows(micro, batch, kc, x + k0, n, panel.data(), y + r0, rows, nr,
                                    accumulate);
                    continue;
                }
                pack_panel(deq, wb + (r0 + kPanelRows) * stride, stride, offset, kPanelRows, kc,
                           rows_buf.data(), panel.data() + kc * kPanelRows);
                gemm_pair_rows(micro, batch, kc, x + k0, n, panel.data(), y + r0, rows, accumulate);
            }
            p += pair ? 2 : 1;
        }
    };
    for_each_panel(rows, n, pool, run_panels);
}

void for_each_panel(int64_t rows, int64_t n, ThreadPool& pool,
                    const std::function<void(int64_t, int64_t)>& fn) {
    const int64_t panels = (rows + kPanelRows - 1) / kPanelRows;
    if (pool.size() == 1 || panels < 2 || rows * n < kMinParallelElems) {
        fn(0, panels);
        return;
    }
    pool.parallel_for(panels, fn);
}

}  // namespace flash::kernels::detail
