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

// One block (32 elements, or 16 for Q6_K) of a weight row as (u, s, o): w_k = s * u_k + o.
struct UnpackedBlock {
    uint8_t u[32];
    float s, o;
};

// Elements per block: 16 where the type's scales cover 16 elements.
int64_t block_elems(DType t) {
    return t == DType::Q6_K ? 16 : 32;
}

// The 32 nibbles of a Q4_0 / Q4_1 block: bytes 0..15 hold elements 0..15 low, 16..31 high.
template <typename Block>
void unpack_q4(const Block& blk, UnpackedBlock& out) {
    for (int j = 0; j < 16; ++j) {
        out.u[j] = blk.qs[j] & 0xF;
        out.u[j + 16] = blk.qs[j] >> 4;
    }
    out.s = fp16_to_f32(blk.d);
}

// The 32 five-bit values of a Q5_0 / Q5_1 block.
template <typename Block>
void unpack_q5(const Block& blk, UnpackedBlock& out) {
    uint32_t qh;
    std::memcpy(&qh, blk.qh, 4);
    for (int e = 0; e < 32; ++e) out.u[e] = static_cast<uint8_t>(q5_value(blk.qs, qh, e));
    out.s = fp16_to_f32(blk.d);
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

// Block b of row `w` of type t (one int8_gemm_supports accepts).
void unpack_block(DType t, const uint8_t* w, int64_t b, UnpackedBlock& out) {
    switch (t) {
        case DType::Q4_0:
            unpack_q4(reinterpret_cast<const BlockQ4_0*>(w)[b], out);
            out.o = -8.0f * out.s;
            return;
        case DType::Q4_1: {
            const auto& blk = reinterpret_cast<const BlockQ4_1*>(w)[b];
            unpack_q4(blk, out);
            out.o = fp16_to_f32(blk.m);
            return;
        }
        case DType::Q5_0:
            unpack_q5(reinterpret_cast<const BlockQ5_0*>(w)[b], out);
            out.o = -16.0f * out.s;
            return;
        case DType::Q5_1: {
            const auto& blk = reinterpret_cast<const BlockQ5_1*>(w)[b];
            unpack_q5(blk, out);
            out.o = fp16_to_f32(blk.m);
            return;
        }
        case DType::Q8_0: {
            const auto& blk = reinterpret_cast<const BlockQ8_0*>(w)[b];
            for (int j = 0; j < 32; ++j) out.u[j] = static_cast<uint8_t>(blk.qs[j] + 128);
            out.s = fp16_to_f32(blk.d);
            out.o = -128.0f * out.s;
            return;
        }
        case DType::Q4_K:
        case DType::Q5_K: {
            const bool q5 = t == DType::Q5_K;
            const int64_t sb = b / 8;
            const int j = static_cast<int>(b % 8);
            const uint8_t *scales, *qs, *qh = nullptr;
            f16_bits d, dmin;
            if (q5) {
                const auto& blk = reinterpret_cast<const BlockQ5_K*>(w)[sb];
                scales = blk.scales, qs = blk.qs, qh = blk.qh, d = blk.d, dmin = blk.dmin;
            } else {
                const auto& blk = reinterpret_cast<const BlockQ4_K*>(w)[sb];
                scales = blk.scales, qs = blk.qs, d = blk.d, dmin = blk.dmin;
            }
            uint8_t sc, m;
            k4_scale_min(j, scales, sc, m);
            // Sub-block j: the low (j even) or high nibbles of qs[32 (j / 2) ..], fifth bit j
            // of qh[k] for Q5_K (q4k_value / q5k_value, a block at a time).
            const uint8_t* q = qs + 32 * (j / 2);
            // Constant shifts, so the loops vectorize (a shift by a variable did not, and made
            // packing a fifth of a fast prompt's time).
            if (j % 2) {
                for (int k = 0; k < 32; ++k) out.u[k] = static_cast<uint8_t>(q[k] >> 4);
            } else {
                for (int k = 0; k < 32; ++k) out.u[k] = static_cast<uint8_t>(q[k] & 0xF);
            }
            if (q5) {
                for (int k = 0; k < 32; ++k)
                    out.u[k] |= static_cast<uint8_t>(((qh[k] >> j) & 1) << 4);
            }
            out.s = fp16_to_f32(d) * sc;
            out.o = -(fp16_to_f32(dmin) * m);
            return;
        }
        case DType::Q6_K: {  // 16-element blocks: w = d * sc_j * (u - 32)
            const auto& blk = reinterpret_cast<const BlockQ6_K*>(w)[b / 16];
            const int j = static_cast<int>(b % 16);
            // Elements 16j.. (q6k_value, a block at a time): half h, group g, offset l0.
            const int h = j / 8, g = (j % 8) / 2, l0 = 16 * (j % 2);
            const uint8_t* ql = blk.ql + 64 * h + 32 * (g & 1) + l0;
            const uint8_t* qh = blk.qh + 32 * h + l0;
            switch (g) {
                case 0:
                    q6_unpack16<0>(ql, qh, out.u);
                    break;
                case 1:
                    q6_unpack16<1>(ql, qh, out.u);
                    break;
                case 2:
                    q6_unpack16<2>(ql, qh, out.u);
                    break;
                default:
                    q6_unpack16<3>(ql, qh, out.u);
                    break;
            }
            out.s = fp16_to_f32(blk.d) * blk.scales[j];
            out.o = -32.0f * out.s;
            return;
        }
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
    UnpackedBlock blk[kPanelRows];
    std::memset(blk, 0, sizeof blk);  // rows past nr stay zero
    for (int64_t b = 0; b < nb; ++b) {
        uint8_t* p = panel + b * int8_panel_block_bytes(g);
        for (int64_t r = 0; r < nr; ++r) unpack_block(t, w + r * stride, b, blk[r]);
        interleave(g, blk[0].u, sizeof(UnpackedBlock), p);
        auto* s = reinterpret_cast<float*>(p + 16 * g);
        float* o = s + 16;
        for (int64_t r = 0; r < kPanelRows; ++r) {
            s[r] = blk[r].s;
            o[r] = blk[r].o;
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
