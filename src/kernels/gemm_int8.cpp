// Precision::Fast matrix products for prompt-sized batches: 8-bit activations times the
// weights' own small integers, summed exactly in int32 per 32-element block, as llama.cpp's
// fast path does, but organised as a GEMM so one weight load meets several activation rows.
//  - Every supported weight block (32 elements; 16 for Q6_K, whose scales cover 16) is read
//    as w_k = s * u_k + o, u_k an unsigned byte (Q4_0: u = q, o = -8d; Q8_0: u = q + 128,
//    o = -128d; Q4_K: u = q, s = d*sc, o = -dmin*m; Q6_K: u = q + 32, o = -32s...).
//  - Activations are rounded per 32-element block as Q8_0 rounds them: x_k ~ a * v_k.
//  - So a block contributes a * s * sum(u_k v_k) + o * a * sum(v_k): an integer dot product
//    (vpdpbusd, or vpmaddubsw + vpmaddwd without VNNI) and two float multiply-adds.
//  - Weights are packed once per call into panels of 16 rows, interleaved four bytes at a
//    time, so one 8-lane integer multiply-add serves eight rows and one activation row, and
//    the products land in the lanes of the rows they belong to (no horizontal sums).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/dtype.h"
#include "core/fp16.h"
#include "kernels/int8_unpack.h"
#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels::detail {
namespace {

// The panel's k-groups from 16 unpacked blocks (u of row r at rows + r * stride): group q of
// block is 16 rows x 4 bytes, row r's bytes 4q..4q+3 at p[q * 64 + r * 4].
void scalar_int8_interleave(int64_t g, const uint8_t* rows, size_t stride, uint8_t* p) {
    for (int64_t r = 0; r < kPanelRows; ++r)
        for (int64_t q = 0; q < g / 4; ++q)
            std::memcpy(p + q * 64 + r * 4, rows + r * stride + 4 * q, 4);
}

Int8InterleaveFn int8_interleave() {
#ifdef FLASH_KERNELS_X86
    if (use_avx2()) return avx2_int8_interleave;
#endif
    return scalar_int8_interleave;
}

// Packs all blocks of `nr` rows (the rest of the 16 zero) into panel: per block, g / 4 groups
// of 4 k's, each 16 rows x 4 bytes, then the 16 scales s and the 16 offsets o.
void pack_int8_panel(DType t, int64_t g, const uint8_t* w, size_t stride, int64_t nr, int64_t nb,
                     uint8_t* panel) {
    const Int8InterleaveFn interleave = int8_interleave();
    const Int8UnpackFn unpack = int8_unpack_for(t);
    const int64_t per_unit = int8_blocks_per_unit(t);
    const size_t unit_bytes = stride / static_cast<size_t>(nb / per_unit);
    thread_local std::vector<UnpackedUnit> stage(kPanelRows);
    std::memset(stage.data(), 0, kPanelRows * sizeof(UnpackedUnit));  // rows past nr stay zero
    for (int64_t unit = 0; unit < nb / per_unit; ++unit) {
        for (int64_t r = 0; r < nr; ++r) {
            // Sixteen rows far apart are more streams than the hardware prefetchers follow: ask
            // for each row's next units while this one is unpacked.
            const uint8_t* ahead = w + r * stride + (unit + 4) * unit_bytes;
            for (size_t o = 0; o < unit_bytes; o += 64) __builtin_prefetch(ahead + o);
            unpack(w + r * stride, unit, stage[r]);
        }
        for (int64_t j = 0; j < per_unit; ++j) {
            uint8_t* p = panel + (unit * per_unit + j) * int8_panel_block_bytes(g);
            interleave(g, stage[0].u + j * g, sizeof(UnpackedUnit), p);
            auto* s = reinterpret_cast<float*>(p + 16 * g);
            float* o = s + 16;
            for (int64_t r = 0; r < kPanelRows; ++r) {
                s[r] = stage[r].s[j];
                o[r] = stage[r].o[j];
            }
        }
    }
}

// The portable micro-kernel: the same sums in plain integer and float arithmetic.
void scalar_int8_micro(int64_t g, int64_t m, int64_t nb, const uint8_t* panel, const int8_t* xq,
                       int64_t ldx, const float* xs, const float* xsv, int64_t ldxs, float* c,
                       int64_t ldc) {
    for (int64_t i = 0; i < m; ++i) {
        float acc[kPanelRows] = {};
        for (int64_t b = 0; b < nb; ++b) {
            const uint8_t* p = panel + b * int8_panel_block_bytes(g);
            const auto* s = reinterpret_cast<const float*>(p + 16 * g);
            const float* o = s + 16;
            const int8_t* v = xq + i * ldx + g * b;
            for (int64_t r = 0; r < kPanelRows; ++r) {
                int32_t dot = 0;
                for (int64_t k = 0; k < g; ++k)
                    dot += int32_t{p[(k / 4) * 64 + r * 4 + k % 4]} * v[k];
                acc[r] += static_cast<float>(dot) * (s[r] * xs[i * ldxs + b]);
                acc[r] += o[r] * xsv[i * ldxs + b];
            }
        }
        std::memcpy(c + i * ldc, acc, sizeof acc);
    }
}

struct MicroChoice {
    Int8MicroFn fn;
    int64_t rows;  // activation rows per call
    // Where present: two full panels, one after the other, for up to pair_rows rows per call.
    Int8MicroFn pair = nullptr;
    int64_t pair_rows = 0;
};

// int8_gemm_supports keeps Q8_0 off the AVX2 kernel, whose vpmaddubsw saturates.
MicroChoice micro_choice() {
#ifdef FLASH_KERNELS_X86
    if (use_vnni()) return {vnni_int8_micro, kVnniMicroRows, vnni_int8_micro_pair, kVnniPairRows};
    if (use_avx2()) return {avx2_int8_micro, kAvx2Int8MicroRows};
#endif
#ifdef FLASH_KERNELS_ARM
    if (use_i8mm()) return {i8mm_int8_micro, kI8mmInt8MicroRows};
    if (use_dotprod()) return {dotprod_int8_micro, kDotprodInt8MicroRows};
#endif
    return {scalar_int8_micro, kScalarInt8MicroRows};
}

}  // namespace

bool int8_gemm_supports(DType t) {
    switch (t) {
        case DType::Q4_0:
        case DType::Q4_1:
        case DType::Q5_0:
        case DType::Q5_1:
        case DType::Q4_K:
        case DType::Q5_K:
        case DType::Q6_K:
            return true;
        // Its bytes reach 255: vpmaddubsw's pair sums (AVX2 without VNNI) would saturate at
        // 32767, where bytes up to 127 times |v| <= 127 fit.
        case DType::Q8_0:
            return use_vnni() || !use_avx2();
        default:
            return false;
    }
}

void gemm_int8(DType t, const void* w, int64_t rows, int64_t n, const float* x, int64_t batch,
               float* y, ThreadPool& pool, const uint8_t* panels) {
    const auto* wb = static_cast<const uint8_t*>(w);
    const size_t stride = row_bytes(t, n);
    const int64_t g = int8_block_elems(t);
    const int64_t nb = n / g;  // weight blocks per row
    const MicroChoice micro = micro_choice();

    // Activations: Q8_0 blocks (as llama.cpp rounds them), split into bytes; per weight block
    // (a half Q8_0 block where g = 16) its activation scale a and a * sum(v).
    // The caller's buffers, reused between calls; the workers reach them through these
    // pointers (a thread_local named inside a lambda would be each worker's own).
    thread_local std::vector<int8_t> xq_buffer;
    thread_local std::vector<float> xs_buffer, xsv_buffer;
    xq_buffer.resize(static_cast<size_t>(batch * n));
    xs_buffer.resize(static_cast<size_t>(batch * nb));
    xsv_buffer.resize(static_cast<size_t>(batch * nb));
    int8_t* xq = xq_buffer.data();
    float* xs = xs_buffer.data();
    float* xsv = xsv_buffer.data();
    const QuantFn quantize = kernels_for(DType::Q8_0).quantize;
    auto quantize_rows = [&](int64_t b0, int64_t b1) {
        std::vector<BlockQ8_0> q(static_cast<size_t>(n / 32));
        for (int64_t r = b0; r < b1; ++r) {
            quantize(x + r * n, q.data(), n);
            for (int64_t b = 0; b < nb; ++b) {
                const BlockQ8_0& blk = q[static_cast<size_t>(b * g / 32)];
                const int8_t* v = blk.qs + (b * g) % 32;
                std::memcpy(xq + r * n + g * b, v, static_cast<size_t>(g));
                int sum = 0;
                for (int64_t k = 0; k < g; ++k) sum += v[k];
                const float a = fp16_to_f32(blk.d);
                xs[r * nb + b] = a;
                xsv[r * nb + b] = a * static_cast<float>(sum);
            }
        }
    };
    if (pool.size() > 1) {
        pool.parallel_for(batch, quantize_rows);
    } else {
        quantize_rows(0, batch);
    }

    const int64_t panel_bytes = nb * int8_panel_block_bytes(g);
    auto run_panels = [&](int64_t p0, int64_t p1) {
        thread_local std::vector<uint8_t> panel;
        if (!panels) panel.resize(static_cast<size_t>(2 * panel_bytes));
        float edge[kMaxInt8MicroRows * kPanelRows];  // a short panel's outputs
        for (int64_t p = p0; p < p1;) {
            const int64_t r0 = p * kPanelRows;
            const int64_t nr = std::min(kPanelRows, rows - r0);
            const bool pair = micro.pair && p + 1 < p1 && r0 + 2 * kPanelRows <= rows;
            // Packed at load, panel p sits at p * panel_bytes and panel p + 1 right after it.
            const uint8_t* here = panels ? panels + p * panel_bytes : panel.data();
            if (!panels) {
                pack_int8_panel(t, g, wb + r0 * stride, stride, nr, nb, panel.data());
                if (pair)
                    pack_int8_panel(t, g, wb + (r0 + kPanelRows) * stride, stride, kPanelRows, nb,
                                    panel.data() + panel_bytes);
            }
            if (pair) {
                for (int64_t b = 0; b < batch; b += micro.pair_rows)
                    micro.pair(g, std::min(micro.pair_rows, batch - b), nb, here, xq + b * n, n,
                               xs + b * nb, xsv + b * nb, nb, y + b * rows + r0, rows);
                p += 2;
                continue;
            }
            for (int64_t b = 0; b < batch; b += micro.rows) {
                const int64_t m = std::min(micro.rows, batch - b);
                const int8_t* a = xq + b * n;
                const float* as = xs + b * nb;
                const float* asv = xsv + b * nb;
                float* c = y + b * rows + r0;
                if (nr == kPanelRows) {
                    micro.fn(g, m, nb, here, a, n, as, asv, nb, c, rows);
                    continue;
                }
                micro.fn(g, m, nb, here, a, n, as, asv, nb, edge, kPanelRows);
                for (int64_t i = 0; i < m; ++i)
                    std::copy_n(edge + i * kPanelRows, nr, c + i * rows);
            }
            ++p;
        }
    };
    for_each_panel(rows, n, pool, run_panels);
}

}  // namespace flash::kernels::detail

namespace flash::kernels {

bool repacks(DType t) {
    return detail::int8_gemm_supports(t);
}

Int8Panels repack_int8(DType t, const void* w, int64_t rows, int64_t n, ThreadPool& pool) {
    Int8Panels out;
    if (!repacks(t) || rows <= 0 || n <= 0) return out;
    detail::check_weight_row(t, n, "repack_int8");
    const int64_t g = detail::int8_block_elems(t), nb = n / g;
    const int64_t panel_bytes = nb * detail::int8_panel_block_bytes(g);
    const int64_t panels = (rows + detail::kPanelRows - 1) / detail::kPanelRows;
    out.type = t;
    out.rows = rows;
    out.n = n;
    out.bytes.resize(static_cast<size_t>(panels * panel_bytes));
    const auto* wb = static_cast<const uint8_t*>(w);
    const size_t stride = row_bytes(t, n);
    detail::for_each_panel(rows, n, pool, [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p) {
            const int64_t r0 = p * detail::kPanelRows;
            detail::pack_int8_panel(t, g, wb + r0 * stride, stride,
                                    std::min(detail::kPanelRows, rows - r0), nb,
                                    out.bytes.data() + p * panel_bytes);
        }
    });
    return out;
}

}  // namespace flash::kernels
