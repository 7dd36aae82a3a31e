// AVX2 dot products of a weight row with a prepared activation row. Integer products go
// through maddubs/madd (exact), one float multiply-add per block scales them; the only
// difference from the scalar reference is the order in which float partial sums are added.
// The 32-element formats process two blocks per iteration into independent accumulators so
// the FMA latency chain does not limit decode throughput.
#include <cstring>

#include "core/dtype.h"
#include "kernels/avx2_common.h"
#include "kernels/dot_q8_blocks.h"
#include "kernels/k_scales.h"
#include "kernels/kernels_internal.h"
#include "kernels/type_kernels.h"

namespace flash::kernels {
namespace detail::dot_avx2 {

using namespace avx2;

// ---- Float weights --------------------------------------------------------------------------

// load8(i) gives weights i..i+7 as floats, one(i) a single weight for the tail.
template <typename Load8, typename One>
float dot_float_rows(int64_t n, const float* y, Load8 load8, One one) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm256_fmadd_ps(load8(i), _mm256_loadu_ps(y + i), acc0);
        acc1 = _mm256_fmadd_ps(load8(i + 8), _mm256_loadu_ps(y + i + 8), acc1);
        acc2 = _mm256_fmadd_ps(load8(i + 16), _mm256_loadu_ps(y + i + 16), acc2);
        acc3 = _mm256_fmadd_ps(load8(i + 24), _mm256_loadu_ps(y + i + 24), acc3);
    }
    for (; i + 8 <= n; i += 8) acc0 = _mm256_fmadd_ps(load8(i), _mm256_loadu_ps(y + i), acc0);
    float sum = hsum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
    for (; i < n; ++i) sum += one(i) * y[i];
    return sum;
}

inline uint16_t load_u16(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return h;
}

float dot_f32w(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const float*>(w);
    return dot_float_rows(
        n, static_cast<const float*>(a), [x](int64_t i) { return _mm256_loadu_ps(x + i); },
        [x](int64_t i) { return x[i]; });
}

float dot_f16w(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const uint8_t*>(w);
    return dot_float_rows(
        n, static_cast<const float*>(a),
        [x](int64_t i) { return _mm256_cvtph_ps(load128(x + 2 * i)); },
        [x](int64_t i) { return half(load_u16(x + 2 * i)); });
}

float dot_bf16w(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const uint8_t*>(w);
    return dot_float_rows(
        n, static_cast<const float*>(a),
        [x](int64_t i) {
            const __m256i u = _mm256_cvtepu16_epi32(load128(x + 2 * i));
            return _mm256_castsi256_ps(_mm256_slli_epi32(u, 16));
        },
        [x](int64_t i) {
            const uint32_t bits = static_cast<uint32_t>(load_u16(x + 2 * i)) << 16;
            float v;
            std::memcpy(&v, &bits, 4);
            return v;
        });
}

// ---- 32-element blocks with Q8_0 activations ------------------------------------------------

float dot_q8_0(int64_t n, const void* w, const void* a) {
    return dot_q8_0_blocks<dot_i8_i8>(n, w, a);
}

float dot_q4_0(int64_t n, const void* w, const void* a) {
    return dot_q4_0_blocks<dot_i8_i8>(n, w, a);
}

float dot_q5_0(int64_t n, const void* w, const void* a) {
    return dot_q5_0_blocks<dot_i8_i8>(n, w, a);
}

// ---- 32-element blocks with a minimum, Q8_1 activations -------------------------------------

// (d, m) of the weight block and (d, s) of the activation block sit side by side as fp16
// pairs: one conversion each (block_head) and one multiply give both d_x * d_y and m_x * s_y.
template <typename Quants>
float dot_min_blocks(int64_t nb, const BlockQ8_1* y, const void* x0, size_t block_bytes,
                     Quants quants) {
    __m128 accm = _mm_setzero_ps();  // lane 1: sum of m_x * s_y
    const auto* xb = static_cast<const uint8_t*>(x0);
    const float qsum = two_acc_loop(nb, [&](int64_t i, __m256 acc) {
        const __m128 dm = _mm_mul_ps(block_head(xb + i * block_bytes), block_head(&y[i]));
        accm = _mm_add_ps(accm, dm);
        const __m256i p = dot_u8_i8(quants(i), load256(y[i].qs));
        return _mm256_fmadd_ps(_mm256_broadcastss_ps(dm), _mm256_cvtepi32_ps(p), acc);
    });
    return qsum + _mm_cvtss_f32(_mm_movehdup_ps(accm));
}

float dot_q4_1(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_1*>(w);
    return dot_min_blocks(n / QK4_1, static_cast<const BlockQ8_1*>(a), x, sizeof(BlockQ4_1),
                          [x](int64_t i) { return unpack_nibbles16(x[i].qs); });
}

float dot_q5_1(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_1*>(w);
    const __m256i bit4 = _mm256_set1_epi8(0x10);
    return dot_min_blocks(n / QK5_1, static_cast<const BlockQ8_1*>(a), x, sizeof(BlockQ5_1),
                          [x, bit4](int64_t i) {
                              uint32_t qh;
                              std::memcpy(&qh, x[i].qh, 4);
                              return _mm256_or_si256(unpack_nibbles16(x[i].qs),
                                                     _mm256_and_si256(bits_to_bytes(qh), bit4));
                          });
}

// ---- K-quants with Q8_K activations ---------------------------------------------------------

// Sixteen signed 8-bit scales -> per 32-element group g, the int16 vector holding scale 2g in
// the low 128 bits and 2g+1 in the high 128 bits (the two 16-element sub-blocks maddubs
// produced). Shuffles each scale into the high byte of an int16, then shifts it down signed.
struct Scales16 {
    __m256i both;  // the 16 scales in each 128-bit lane
    __m256i ctrl;  // shuffle control for the current group
    explicit Scales16(__m128i sc)
        : both(_mm256_broadcastsi128_si256(sc)),
          ctrl(_mm256_set_m128i(_mm_set1_epi16(static_cast<short>(0x0180)),
                                _mm_set1_epi16(static_cast<short>(0x0080)))) {}
    __m256i next() {
        const __m256i v = _mm256_srai_epi16(_mm256_shuffle_epi8(both, ctrl), 8);
        ctrl = _mm256_add_epi8(ctrl, _mm256_set1_epi8(2));
        return v;
    }
};

float dot_q6_k(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ6_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const __m256i m4 = _mm256_set1_epi8(0x0F), m2 = _mm256_set1_epi8(3);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; ++i) {
        const __m128i sc = load128(x[i].scales);
        Scales16 scales(sc);
        __m256i sumi = _mm256_setzero_si256();
        const int8_t* q8 = y[i].qs;
        for (int h = 0; h < 2; ++h) {
            const __m256i la = load256(x[i].ql + 64 * h);
            const __m256i lb = load256(x[i].ql + 64 * h + 32);
            const __m256i hb = load256(x[i].qh + 32 * h);
            // Unsigned 6-bit values (q + 32); the offset is removed below through bsums.
            const __m256i g[4] = {
                _mm256_or_si256(_mm256_and_si256(la, m4),
                                _mm256_slli_epi16(_mm256_and_si256(hb, m2), 4)),
                _mm256_or_si256(
                    _mm256_and_si256(lb, m4),
                    _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2), m2), 4)),
                _mm256_or_si256(
                    _mm256_and_si256(_mm256_srli_epi16(la, 4), m4),
                    _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 4), m2), 4)),
                _mm256_or_si256(
                    _mm256_and_si256(_mm256_srli_epi16(lb, 4), m4),
                    _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 6), m2), 4)),
            };
            for (int k = 0; k < 4; ++k, q8 += 32) {
                const __m256i p = _mm256_maddubs_epi16(g[k], load256(q8));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, scales.next()));
            }
        }
        sumi = _mm256_sub_epi32(sumi, _mm256_slli_epi32(scaled_bsums(sc, y[i].bsums), 5));
        const __m256 d = _mm256_set1_ps(half(x[i].d) * y[i].d);
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum(acc);
}

float dot_q3_k(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ3_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const __m256i m2 = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; ++i) {
        const __m128i sc = unpack_q3k_scales(x[i].scales);
        Scales16 scales(sc);
        __m256i sumi = _mm256_setzero_si256();
        __m256i hm = load256(x[i].hmask);
        const int8_t* q8 = y[i].qs;
        for (int h = 0; h < 2; ++h) {
            __m256i qv = load256(x[i].qs + 32 * h);
            for (int k = 0; k < 4; ++k, q8 += 32) {
                // Unsigned value + 4 in [0, 7]: two low bits, plus 4 when the hmask bit is set.
                const __m256i q = _mm256_or_si256(_mm256_and_si256(qv, m2),
                                                  _mm256_slli_epi16(_mm256_and_si256(hm, one), 2));
                const __m256i p = _mm256_maddubs_epi16(q, load256(q8));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, scales.next()));
                qv = _mm256_srli_epi16(qv, 2);
                hm = _mm256_srli_epi16(hm, 1);
            }
        }
        sumi = _mm256_sub_epi32(sumi, _mm256_slli_epi32(scaled_bsums(sc, y[i].bsums), 2));
        const __m256 d = _mm256_set1_ps(half(x[i].d) * y[i].d);
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum(acc);
}

float dot_q2_k(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ2_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const __m256i m2 = _mm256_set1_epi8(3);
    const __m128i m4 = _mm_set1_epi8(0x0F);
    __m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; ++i) {
        const __m128i packed = load128(x[i].scales);
        const __m128i sc = _mm_and_si128(packed, m4);
        const __m128i mins = _mm_and_si128(_mm_srli_epi16(packed, 4), m4);
        const __m256i summs = _mm256_madd_epi16(_mm256_cvtepu8_epi16(mins), load256(y[i].bsums));
        Scales16 scales(sc);
        __m256i sumi = _mm256_setzero_si256();
        const int8_t* q8 = y[i].qs;
        for (int h = 0; h < 2; ++h) {
            __m256i qv = load256(x[i].qs + 32 * h);
            for (int k = 0; k < 4; ++k, q8 += 32) {
                const __m256i p = _mm256_maddubs_epi16(_mm256_and_si256(qv, m2), load256(q8));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, scales.next()));
                qv = _mm256_srli_epi16(qv, 2);
            }
        }
        const __m256 dall = _mm256_set1_ps(y[i].d * half(x[i].d));
        const __m256 dmin = _mm256_set1_ps(y[i].d * half(x[i].dmin));
        acc = _mm256_fmadd_ps(dall, _mm256_cvtepi32_ps(sumi), acc);
        accm = _mm256_fmadd_ps(dmin, _mm256_cvtepi32_ps(summs), accm);
    }
    return hsum(acc) - hsum(accm);
}

// quants(i, emit) calls emit(pair, lo, hi) for the four 64-element pairs of super-block i:
// lo / hi are the unsigned quants of sub-blocks 2*pair and 2*pair + 1.
template <typename Quants>
float dot_k4_family(int64_t nb, const BlockQ4_K* x, size_t block_bytes, const BlockQ8_K* y,
                    Quants quants) {
    __m256 acc = _mm256_setzero_ps();
    __m128 accm = _mm_setzero_ps();
    const auto* xb = reinterpret_cast<const uint8_t*>(x);
    for (int64_t i = 0; i < nb; ++i) {
        // Q4_K and Q5_K share the d, dmin, scales[12] prefix.
        const auto* head = reinterpret_cast<const BlockQ4_K*>(xb + i * block_bytes);
        const K4Scales k = unpack_k4_scales(head->scales);
        __m256i sumi = _mm256_setzero_si256();
        quants(i, [&](int pair, __m256i lo, __m256i hi) {
            const int8_t* q8 = y[i].qs + 64 * pair;
            const __m256i p0 = _mm256_maddubs_epi16(lo, load256(q8));
            const __m256i p1 = _mm256_maddubs_epi16(hi, load256(q8 + 32));
            const __m256i s0 = _mm256_set1_epi16(static_cast<short>(k.scale(2 * pair)));
            const __m256i s1 = _mm256_set1_epi16(static_cast<short>(k.scale(2 * pair + 1)));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p0, s0));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p1, s1));
        });
        const float d = half(head->d) * y[i].d, dmin = half(head->dmin) * y[i].d;
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
        const __m128 ms = _mm_cvtepi32_ps(k4_min_sums(k.mn, y[i].bsums));
        accm = _mm_fmadd_ps(_mm_set1_ps(dmin), ms, accm);
    }
    return hsum(acc) - hsum128(accm);
}

float dot_q4_k(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_K*>(w);
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    return dot_k4_family(n / QK_K, x, sizeof(BlockQ4_K), static_cast<const BlockQ8_K*>(a),
                         [&](int64_t i, auto&& emit) {
                             for (int p = 0; p < 4; ++p) {
                                 const __m256i q = load256(x[i].qs + 32 * p);
                                 emit(p, _mm256_and_si256(q, m4),
                                      _mm256_and_si256(_mm256_srli_epi16(q, 4), m4));
                             }
                         });
}

float dot_q5_k(int64_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_K*>(w);
    const __m256i m4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    return dot_k4_family(
        n / QK_K, reinterpret_cast<const BlockQ4_K*>(x), sizeof(BlockQ5_K),
        static_cast<const BlockQ8_K*>(a), [&](int64_t i, auto&& emit) {
            // Fifth bits: bit 2p of qh[l] for sub-block 2p, bit 2p + 1 for sub-block 2p + 1.
            __m256i hb = load256(x[i].qh);
            for (int p = 0; p < 4; ++p) {
                const __m256i q = load256(x[i].qs + 32 * p);
                const __m256i h0 = _mm256_slli_epi16(_mm256_and_si256(hb, one), 4);
                const __m256i h1 =
                    _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 1), one), 4);
                emit(p, _mm256_or_si256(_mm256_and_si256(q, m4), h0),
                     _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), m4), h1));
                hb = _mm256_srli_epi16(hb, 2);
            }
        });
}

}  // namespace detail::dot_avx2

}  // namespace flash::kernels
