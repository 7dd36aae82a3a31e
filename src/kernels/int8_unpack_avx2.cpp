// AVX2 unpackers for the int8 GEMM (int8_unpack.h): the same bytes and floats as the scalar ones
// in int8_unpack.cpp, 32 bytes per operation. Unpacking each weight panel on every call was a
// quarter of a 64-row fast GEMM and half of the server's 16-row passes while it ran a byte at a
// time. The scales are the scalar code's single products (the file is built without FMA
// contraction), so the floats match bit for bit.
#include "core/dtype.h"
#include "kernels/avx2_common.h"
#include "kernels/int8_unpack.h"

namespace flash::kernels::detail {
namespace {

using namespace avx2;

void store32(uint8_t* p, __m256i v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
}

void unpack_q4_0(const uint8_t* row, int64_t unit, UnpackedUnit& out) {
    const auto& blk = block_at<BlockQ4_0>(row, unit);
    store32(out.u, unpack_nibbles16(blk.qs));
    out.s[0] = half(blk.d);
    out.o[0] = -8.0f * out.s[0];
}

void unpack_q4_1(const uint8_t* row, int64_t unit, UnpackedUnit& out) {
    const auto& blk = block_at<BlockQ4_1>(row, unit);
    store32(out.u, unpack_nibbles16(blk.qs));
    out.s[0] = half(blk.d);
    out.o[0] = half(blk.m);
}

// q + 128 as a byte is q with its top bit flipped.
void unpack_q8_0(const uint8_t* row, int64_t unit, UnpackedUnit& out) {
    const auto& blk = block_at<BlockQ8_0>(row, unit);
    store32(out.u, _mm256_xor_si256(load256(blk.qs), _mm256_set1_epi8(static_cast<char>(0x80))));
    out.s[0] = half(blk.d);
    out.o[0] = -128.0f * out.s[0];
}

// Low nibbles of 32 bytes to u, high nibbles to u + 32.
void split_nibbles32(const uint8_t* q, uint8_t* u) {
    const __m256i v = load256(q), m4 = _mm256_set1_epi8(0x0F);
    store32(u, _mm256_and_si256(v, m4));
    store32(u + 32, _mm256_and_si256(_mm256_srli_epi16(v, 4), m4));
}

void unpack_q4_k(const uint8_t* row, int64_t unit, UnpackedUnit& out) {
    const auto& blk = block_at<BlockQ4_K>(row, unit);
    for (int p = 0; p < 4; ++p) split_nibbles32(blk.qs + 32 * p, out.u + 64 * p);
    __m256 sc, mn;
    k4_scales_mins(blk.scales, &sc, &mn);
    _mm256_storeu_ps(out.s, _mm256_mul_ps(_mm256_set1_ps(half(blk.d)), sc));
    // -(dmin * m): the product, then its sign flipped.
    const __m256 dm = _mm256_mul_ps(_mm256_set1_ps(half(blk.dmin)), mn);
    _mm256_storeu_ps(out.o, _mm256_xor_ps(dm, _mm256_set1_ps(-0.0f)));
}

// Q6_K, per 128-element half: a = ql[64h..], c = ql[64h + 32..], hb = qh[32h..] give the four
// 32-element groups a & 15, c & 15, a >> 4, c >> 4 with bit pairs 0-1, 2-3, 4-5, 6-7 of hb as
// bits 4..5 (q6k_value's layout).
void unpack_q6_k(const uint8_t* row, int64_t unit, UnpackedUnit& out) {
    const auto& blk = block_at<BlockQ6_K>(row, unit);
    const __m256i m4 = _mm256_set1_epi8(0x0F), m30 = _mm256_set1_epi8(0x30);
    for (int h = 0; h < 2; ++h) {
        const __m256i a = load256(blk.ql + 64 * h), c = load256(blk.ql + 64 * h + 32);
        const __m256i hb = load256(blk.qh + 32 * h);
        uint8_t* u = out.u + 128 * h;
        // 16-bit shifts move bits across byte boundaries; the masks keep each byte's own.
        store32(u, _mm256_or_si256(_mm256_and_si256(a, m4),
                                   _mm256_and_si256(_mm256_slli_epi16(hb, 4), m30)));
        store32(u + 32, _mm256_or_si256(_mm256_and_si256(c, m4),
                                        _mm256_and_si256(_mm256_slli_epi16(hb, 2), m30)));
        store32(u + 64, _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(a, 4), m4),
                                        _mm256_and_si256(hb, m30)));
        store32(u + 96, _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(c, 4), m4),
                                        _mm256_and_si256(_mm256_srli_epi16(hb, 2), m30)));
    }
    const __m256 d = _mm256_set1_ps(half(blk.d)), minus32 = _mm256_set1_ps(-32.0f);
    const __m128i sc = load128(blk.scales);
    for (int i = 0; i < 2; ++i) {
        const __m256i s32 = _mm256_cvtepi8_epi32(i == 0 ? sc : _mm_unpackhi_epi64(sc, sc));
        const __m256 s = _mm256_mul_ps(d, _mm256_cvtepi32_ps(s32));
        _mm256_storeu_ps(out.s + 8 * i, s);
        _mm256_storeu_ps(out.o + 8 * i, _mm256_mul_ps(minus32, s));
    }
}

}  // namespace

Int8UnpackFn avx2_int8_unpack(DType t) {
    switch (t) {
        case DType::Q4_0:
            return unpack_q4_0;
        case DType::Q4_1:
            return unpack_q4_1;
        case DType::Q8_0:
            return unpack_q8_0;
        case DType::Q4_K:
            return unpack_q4_k;
        case DType::Q6_K:
            return unpack_q6_k;
        default:
            return nullptr;
    }
}

}  // namespace flash::kernels::detail
