// The scalar unpackers of int8_unpack.h, one per weight type, written element by element from
// the block layouts (the same accessors as the scalar dequantizer).
#include "kernels/int8_unpack.h"

#include <cstring>

#include "core/fp16.h"
#include "kernels/k_scales.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels::detail {
namespace {

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

// The 32-element formats: Q4_0 / Q5_0 (w = d * (u - Bias)) and Q4_1 / Q5_1 (w = d * u + m).
template <typename Block, int Bias>
void unpack_32(const uint8_t* row, int64_t unit, UnpackedUnit& out) {
    const auto& blk = block_at<Block>(row, unit);
    if constexpr (requires { blk.qh; }) {
        unpack_q5(blk, out);
    } else {
        unpack_q4(blk, out);
    }
    if constexpr (requires { blk.m; }) {
        out.o[0] = fp16_to_f32(blk.m);
    } else {
        out.o[0] = -static_cast<float>(Bias) * out.s[0];
    }
}

void unpack_q8_0(const uint8_t* row, int64_t unit, UnpackedUnit& out) {
    const auto& blk = block_at<BlockQ8_0>(row, unit);
    for (int j = 0; j < 32; ++j) out.u[j] = static_cast<uint8_t>(blk.qs[j] + 128);
    out.s[0] = fp16_to_f32(blk.d);
    out.o[0] = -128.0f * out.s[0];
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
void unpack_k4(const uint8_t* row, int64_t unit, UnpackedUnit& out) {
    const auto& blk = block_at<Block>(row, unit);
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
void unpack_q6_k(const uint8_t* row, int64_t unit, UnpackedUnit& out) {
    const auto& blk = block_at<BlockQ6_K>(row, unit);
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

}  // namespace

Int8UnpackFn scalar_int8_unpack(DType t) {
    switch (t) {
        case DType::Q4_0:
            return unpack_32<BlockQ4_0, 8>;
        case DType::Q4_1:
            return unpack_32<BlockQ4_1, 0>;
        case DType::Q5_0:
            return unpack_32<BlockQ5_0, 16>;
        case DType::Q5_1:
            return unpack_32<BlockQ5_1, 0>;
        case DType::Q8_0:
            return unpack_q8_0;
        case DType::Q4_K:
            return unpack_k4<BlockQ4_K>;
        case DType::Q5_K:
            return unpack_k4<BlockQ5_K>;
        case DType::Q6_K:
            return unpack_q6_k;
        default:
            return nullptr;
    }
}

Int8UnpackFn int8_unpack_for(DType t) {
#ifdef FLASH_KERNELS_X86
    if (use_avx2()) {
        if (Int8UnpackFn f = avx2_int8_unpack(t)) return f;
    }
#endif
    return scalar_int8_unpack(t);
}

}  // namespace flash::kernels::detail
