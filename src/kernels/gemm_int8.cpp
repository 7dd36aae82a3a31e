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
#include "kernels/k_scales.h"
#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels::detail {
namespace {

// Elements per block: 16 where the type's scales cover 16.
int64_t block_elems(DType t) {
    return t == DType::Q6_K ? 16 : 32;
}

// A unit is what one read of a row's scales covers: a 256-element super-block for the K-quants
// (8 blocks, 16 for Q6_K), one block otherwise. Decoding a super-block's scales and halves once
// per row, not once per block, was most of a 4B model's packing time.
int64_t blocks_per_unit(DType t) {
    switch (t) {
        case DType::Q4_K:
        case DType::Q5_K:
            return 8;
        case DType::Q6_K:
            return 16;
        default:
            return 1;
    }
}

// One unit of a weight row as unsigned bytes u with, per block b, w_k = s[b] * u_k + o[b].
struct UnpackedUnit {
    uint8_t u[256];
    float s[16], o[16];
};

// The 32 nibbles of a Q4_0 / Q4_1 block: bytes 0..15 hold elements 0..15 low, 16..31 high.
template <typename Block>
void unpack_q4(const Block& blk, UnpackedUnit& out) {
    for (int j = 0; j < 16; ++j) {
        out.u[j] = blk.qs[j] & 0xF;
        out.u[j + 16] = blk.qs[j] >> 4;
    }
    out.s[0] = fp16_to_f32(blk.d);
}

// The 32 five-bit values of a Q5_0 / Q5_1 block.
template <typename Block>
void unpack_q5(const Block& blk, UnpackedUnit& out) {
    uint32_t qh;
    std::memcpy(&qh, blk.qh, 4);
    for (int e = 0; e < 32; ++e) out.u[e] = static_cast<uint8_t>(q5_value(blk.qs, qh, e));
    out.s[0] = fp16_to_f32(blk.d);
}

// 16 six-bit Q6_K values of group G (q6k_value): the low (G < 2) or high nibble of ql, bits
// 2G..2G+1 of qh as bits 4..5. G is a template argument so the shifts are constants.
template <int G>
void q6_unpack16(const uint8_t* ql, const uint8_t* qh, uint8_t* u) {
    for (int k = 0; k < 16; ++k) {
        const int lo = G < 2 ? (ql[k] & 0xF) : (ql[k] >> 4);
        u[k] = static_cast<uint8_t>(lo | (((qh[k] >> (2 * G)) & 3) << 4));
    }
}

// Q4_K / Q5_K super-block: sub-block j is the low (j even) or high nibbles of qs[32 (j / 2)..]
// (q4k_value / q5k_value, a super-block at a time), with bit j of qh[k] as the fifth for Q5_K.
template <typename Block>
void unpack_k4(const Block& blk, UnpackedUnit& out) {
    for (int p = 0; p < 4; ++p) {
        const uint8_t* q = blk.qs + 32 * p;
        for (int k = 0; k < 32; ++k) {
            out.u[64 * p + k] = static_cast<uint8_t>(q[k] & 0xF);
            out.u[64 * p + 32 + k] = static_cast<uint8_t>(q[k] >> 4);
        }
    }
    if constexpr (requires { blk.qh; }) {
        for (int j = 0; j < 8; ++j)
            for (int k = 0; k < 32; ++k)
                out.u[32 * j + k] |= static_cast<uint8_t>(((blk.qh[k] >> j) & 1) << 4);
    }
    const float d = fp16_to_f32(blk.d), dmin = fp16_to_f32(blk.dmin);
    for (int j = 0; j < 8; ++j) {
        uint8_t sc, m;
        k4_scale_min(j, blk.scales, sc, m);
        out.s[j] = d * sc;
        out.o[j] = -(dmin * m);
    }
}

// Q6_K super-block, 16-element blocks: w = d * sc_j * (u - 32).
void unpack_q6_k(const BlockQ6_K& blk, UnpackedUnit& out) {
    for (int j = 0; j < 16; ++j) {
        // Elements 16j.. (q6k_value, a block at a time): half h, group g, offset l0.
        const int h = j / 8, g = (j % 8) / 2, l0 = 16 * (j % 2);
        const uint8_t* ql = blk.ql + 64 * h + 32 * (g & 1) + l0;
        const uint8_t* qh = blk.qh + 32 * h + l0;
        uint8_t* u = out.u + 16 * j;
        switch (g) {
            case 0:
                q6_unpack16<0>(ql, qh, u);
                break;
            case 1:
                q6_unpack16<1>(ql, qh, u);
                break;
            case 2:
                q6_unpack16<2>(ql, qh, u);
                break;
            default:
                q6_unpack16<3>(ql, qh, u);
                break;
        }
    }
    const float d = fp16_to_f32(blk.d);
    for (int j = 0; j < 16; ++j) {
        out.s[j] = d * blk.scales[j];
        out.o[j] = -32.0f * out.s[j];
    }
}

// Unit `unit` of row `w` of type t (one int8_gemm_supports accepts).
void unpack_unit(DType t, const uint8_t* w, int64_t unit, UnpackedUnit& out) {
    switch (t) {
        case DType::Q4_0:
            unpack_q4(reinterpret_cast<const BlockQ4_0*>(w)[unit], out);
            out.o[0] = -8.0f * out.s[0];
            return;
        case DType::Q4_1: {
            const auto& blk = reinterpret_cast<const BlockQ4_1*>(w)[unit];
            unpack_q4(blk, out);
            out.o[0] = fp16_to_f32(blk.m);
            return;
        }
        case DType::Q5_0:
            unpack_q5(reinterpret_cast<const BlockQ5_0*>(w)[unit], out);
            out.o[0] = -16.0f * out.s[0];
            return;
        case DType::Q5_1: {
            const auto& blk = reinterpret_cast<const BlockQ5_1*>(w)[unit];
            unpack_q5(blk, out);
            out.o[0] = fp16_to_f32(blk.m);
            return;
        }
        case DType::Q8_0: {
            const auto& blk = reinterpret_cast<const BlockQ8_0*>(w)[unit];
            for (int j = 0; j < 32; ++j) out.u[j] = static_cast<uint8_t>(blk.qs[j] + 128);
            out.s[0] = fp16_to_f32(blk.d);
            out.o[0] = -128.0f * out.s[0];
            return;
        }
        case DType::Q4_K:
            return unpack_k4(reinterpret_cast<const BlockQ4_K*>(w)[unit], out);
        case DType::Q5_K:
            return unpack_k4(reinterpret_cast<const BlockQ5_K*>(w)[unit], out);
        case DType::Q6_K:
            return unpack_q6_k(reinterpret_cast<const BlockQ6_K*>(w)[unit], out);
        default:
            return;
    }
}

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
    const int64_t per_unit = blocks_per_unit(t);
    const size_t unit_bytes = stride / static_cast<size_t>(nb / per_unit);
    thread_local std::vector<UnpackedUnit> stage(kPanelRows);
    std::memset(stage.data(), 0, kPanelRows * sizeof(UnpackedUnit));  // rows past nr stay zero
    for (int64_t unit = 0; unit < nb / per_unit; ++unit) {
        for (int64_t r = 0; r < nr; ++r) {
            // Sixteen rows far apart are more streams than the hardware prefetchers follow: ask
            // for each row's next units while this one is unpacked.
            const uint8_t* ahead = w + r * stride + (unit + 4) * unit_bytes;
            for (size_t o = 0; o < unit_bytes; o += 64) __builtin_prefetch(ahead + o);
            unpack_unit(t, w + r * stride, unit, stage[r]);
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
               float* y, ThreadPool& pool) {
    const auto* wb = static_cast<const uint8_t*>(w);
    const size_t stride = row_bytes(t, n);
    const int64_t g = block_elems(t);
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
        panel.resize(static_cast<size_t>(2 * panel_bytes));
        float edge[kMaxInt8MicroRows * kPanelRows];  // a short panel's outputs
        for (int64_t p = p0; p < p1;) {
            const int64_t r0 = p * kPanelRows;
            const int64_t nr = std::min(kPanelRows, rows - r0);
            pack_int8_panel(t, g, wb + r0 * stride, stride, nr, nb, panel.data());
            if (micro.pair && p + 1 < p1 && r0 + 2 * kPanelRows <= rows) {
                pack_int8_panel(t, g, wb + (r0 + kPanelRows) * stride, stride, kPanelRows, nb,
                                panel.data() + panel_bytes);
                for (int64_t b = 0; b < batch; b += micro.pair_rows)
                    micro.pair(g, std::min(micro.pair_rows, batch - b), nb, panel.data(),
                               xq + b * n, n, xs + b * nb, xsv + b * nb, nb, y + b * rows + r0,
                               rows);
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
                    micro.fn(g, m, nb, panel.data(), a, n, as, asv, nb, c, rows);
                    continue;
                }
                micro.fn(g, m, nb, panel.data(), a, n, as, asv, nb, edge, kPanelRows);
                for (int64_t i = 0; i < m; ++i)
                    std::copy_n(edge + i * kPanelRows, nr, c + i * rows);
            }
            ++p;
        }
    };
    for_each_panel(rows, n, pool, run_panels);
}

}  // namespace flash::kernels::detail
