// Private to the kernels layer: the per-type traits table the dispatcher chooses from, and the
// per-ISA entry points. Nothing outside src/kernels/ (and its tests) includes this.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "core/dtype.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"

namespace flash::kernels::detail {

using DequantFn = void (*)(const void* src, float* dst, int64_t n);
using QuantFn = void (*)(const float* x, void* out, int64_t n);
using VecDotFn = float (*)(int64_t n, const void* w_row, const void* act_row);
// Fused exact dot of a quantized weight row with f32 activations x. `sums` holds sum(x) over
// each 32-element block of x (block_sums32): types with a per-block minimum add m * sum(x)
// instead of dequantizing the minimum into every element.
using ExactDotFn = float (*)(int64_t n, const void* w_row, const float* x, const float* sums);

// What the kernels know of one type: a row of the traits table (types.cpp). Adding a weight
// type is one row there plus its kernels (type_kernels.h).
struct TypeTraits {
    bool weight = false;            // a weight type the kernels implement
    DType activation = DType::F32;  // the activation format its dot products take
    // The scalar references; dequant is also set for the activation types Q8_1 and Q8_K.
    DequantFn dequant = nullptr;
    QuantFn quantize = nullptr;  // activations for this weight type
    VecDotFn dot = nullptr;
    // The AVX2 versions; null where the scalar one serves (always null without x86 files).
    DequantFn avx2_dequant = nullptr;
    QuantFn avx2_quantize = nullptr;
    VecDotFn avx2_dot = nullptr;
    ExactDotFn avx2_exact_dot = nullptr;  // null: dequantize a chunk, then dot_f32
    // The AVX-512 VNNI versions, which replace the AVX2 ones where set and the CPU has them.
    DequantFn avx512_dequant = nullptr;
    VecDotFn avx512_dot = nullptr;
    ExactDotFn avx512_exact_dot = nullptr;
    // The NEON versions (always null without ARM files), and the dot products that need the
    // dotprod extension, which replace neon_dot where the CPU has it.
    DequantFn neon_dequant = nullptr;
    QuantFn neon_quantize = nullptr;
    VecDotFn neon_dot = nullptr;
    ExactDotFn neon_exact_dot = nullptr;
    VecDotFn dotprod_dot = nullptr;
};
// The largest GGUF type id (BF16 is 30) the table has room for.
inline constexpr size_t kMaxTypeId = 39;
// The row for `t`; an empty row (nothing supported) for types the kernels do not know.
const TypeTraits& type_traits(DType t);

// Everything matmul needs for one weight type, resolved once per call.
struct TypeKernels {
    DequantFn dequant = nullptr;
    QuantFn quantize = nullptr;  // activation quantizer for this weight type
    VecDotFn dot = nullptr;
};

// True for the weight types this layer implements.
bool is_supported(DType weight);
// Throws flash::Error unless `weight` is a supported weight type and n a positive-or-zero
// multiple of its block size (and, for activations, of the activation type's block size).
void check_weight_row(DType weight, int64_t n, const char* what);
// Same for dequantize_row, which also accepts the activation types Q8_1 and Q8_K.
void check_dequant_row(DType t, int64_t n);

void scalar_block_sums32(const float* x, int64_t n, float* sums);

// AVX2+FMA+F16C helpers; only defined when the build compiles the x86 files
// (FLASH_KERNELS_X86).
float avx2_dot_f32(const float* a, const float* b, int64_t n);
// gate = silu(gate) * up and gelu likewise, with a vector exp (within a few ulp of the scalar).
void avx2_swiglu(float* gate, const float* up, int64_t n);
void avx2_geglu(float* gate, const float* up, int64_t n);
void avx2_axpy_f32(float* y, float a, const float* x, int64_t n);
// out[r] = dot(w + r * stride, x) for r < 4.
void avx2_dot_f32_x4(const float* w, int64_t stride, const float* x, int64_t n, float* out);
double avx2_sum_squares(const float* x, int64_t n);
// attention_add for head dimensions that are multiples of 8 (attention_avx2.cpp).
void avx2_attention_add(AttentionRun& run, const AttentionRows& rows, const float* q, float scale,
                        float* scratch);
// s[j] = exp(s[j] - max) for j < n (each s[j] <= max), returning their sum.
float avx2_exp_shifted(float* s, int64_t n, float max);
// s[j] *= scale for j < n, returning the largest.
float avx2_scale_max(float* s, int64_t n, float scale);
void avx2_f32_to_f16_row(const float* x, uint16_t* out, int64_t n);
void avx2_block_sums32(const float* x, int64_t n, float* sums);

// NEON helpers, the counterparts of the AVX2 ones above; only defined when the build compiles
// the ARM files (FLASH_KERNELS_ARM).
float neon_dot_f32(const float* a, const float* b, int64_t n);
void neon_axpy_f32(float* y, float a, const float* x, int64_t n);
void neon_dot_f32_x4(const float* w, int64_t stride, const float* x, int64_t n, float* out);
double neon_sum_squares(const float* x, int64_t n);
void neon_attention_add(AttentionRun& run, const AttentionRows& rows, const float* q, float scale,
                        float* scratch);
float neon_exp_shifted(float* s, int64_t n, float max);
float neon_scale_max(float* s, int64_t n, float scale);
void neon_f32_to_f16_row(const float* x, uint16_t* out, int64_t n);
void neon_block_sums32(const float* x, int64_t n, float* sums);

// The dispatched table for a weight type (honours force_scalar).
TypeKernels kernels_for(DType weight);
bool use_avx2();
// NEON (any AArch64 CPU) and its dotprod extension, where built, present and not capped.
bool use_neon();
bool use_dotprod();
bool use_i8mm();
// The fused exact dot for a weight type, or null where there is none (no SIMD version, or
// force_scalar): callers then dequantize and use dot_f32.
ExactDotFn exact_dot_for(DType weight);
// sums[i] = sum of x[32i .. 32i + 31], for n a multiple of 32 (dispatched).
void block_sums32(const float* x, int64_t n, float* sums);

// Matrix-vector products read each weight row once, straight from memory. Asking for the bytes
// kPrefetchAhead past the row about to be read keeps loads in flight while the dot product
// computes; the hardware prefetchers alone left decode at about 12 of 29 GB/s on the 0.6B shape
// (docs/BENCHMARKS.md). A prefetch never faults, so running past the tensor's end is harmless.
inline constexpr size_t kPrefetchAhead = 8192;
inline void prefetch_ahead(const uint8_t* row, size_t bytes) {
    for (size_t o = 0; o < bytes; o += 64) __builtin_prefetch(row + kPrefetchAhead + o);
}

// The f32 GEMM (gemm.cpp): weight rows are dequantized into k-major panels of kPanelRows rows
// and multiplied with up to `rows` activation rows at a time by a micro-kernel:
// C[i][j] = (accumulate ? C[i][j] : 0) + sum_k A[i * lda + k] * panel[k * kPanelRows + j]
// for i < m <= rows, j < kPanelRows. Each output is one lane summed in k order, so every
// micro-kernel gives the same floats.
inline constexpr int64_t kPanelRows = 16;
inline constexpr int64_t kMicroRows = 6;         // scalar, AVX2 (2 x 6 ymm), NEON
inline constexpr int64_t kAvx512MicroRows = 12;  // one zmm accumulator per row
inline constexpr int64_t kAvx512PairRows = 8;    // two zmm accumulators per row
inline constexpr int64_t kMaxMicroRows = std::max(kMicroRows, kAvx512MicroRows);
using GemmMicroFn = void (*)(int64_t m, int64_t kc, const float* a, int64_t lda, const float* panel,
                             float* c, int64_t ldc, bool accumulate);
struct GemmMicro {
    GemmMicroFn fn;
    int64_t rows;  // the most activation rows one call takes
    // Where present: the same product over two full panels stored one after the other (2 x kc x
    // kPanelRows floats), C's 2 x kPanelRows columns, for up to pair_rows activation rows.
    GemmMicroFn pair = nullptr;
    int64_t pair_rows = 0;
};
#ifdef FLASH_KERNELS_ARM
void neon_gemm_micro(int64_t m, int64_t kc, const float* a, int64_t lda, const float* panel,
                     float* c, int64_t ldc, bool accumulate);
void neon_pack_transpose(const float* rows, int64_t kc, float* panel);
#endif
#ifdef FLASH_KERNELS_X86
void avx2_gemm_micro(int64_t m, int64_t kc, const float* a, int64_t lda, const float* panel,
                     float* c, int64_t ldc, bool accumulate);
void avx512_gemm_micro(int64_t m, int64_t kc, const float* a, int64_t lda, const float* panel,
                       float* c, int64_t ldc, bool accumulate);
void avx512_gemm_micro_pair(int64_t m, int64_t kc, const float* a, int64_t lda, const float* panel,
                            float* c, int64_t ldc, bool accumulate);
// y[b * ldy + r] = dot(w + r * n, x + b * n, n) for the 4 dequantized rows of a matmul_exact
// tile and every b < batch, four activation rows at a time.
void avx512_dot_tile(const float* w, int64_t n, const float* x, int64_t batch, float* y,
                     int64_t ldy);
// panel[k * kPanelRows + j] = rows[j * kc + k] for j < kPanelRows, k < kc (8x8 transposes).
void avx2_pack_transpose(const float* rows, int64_t kc, float* panel);
#endif
// The dispatched micro-kernel, and the transpose of kPanelRows rows of kc floats (rows[j * kc
// + k]) into a k-major panel (panel[k * kPanelRows + j]); attention's prompt blocks use both.
GemmMicro gemm_micro();
// C (m rows at ldc) (+)= A (m rows at lda) x panel over kc, m cut into micro-kernel calls; a
// panel with fewer than kPanelRows useful columns (`cols`) goes through a local tile so C's
// neighbouring columns are left alone.
void gemm_panel_rows(GemmMicro micro, int64_t m, int64_t kc, const float* a, int64_t lda,
                     const float* panel, float* c, int64_t ldc, int64_t cols, bool accumulate);
// The same over two full panels stored one after the other (micro.pair must be set): C's
// 2 x kPanelRows columns.
void gemm_pair_rows(GemmMicro micro, int64_t m, int64_t kc, const float* a, int64_t lda,
                    const float* panels, float* c, int64_t ldc, bool accumulate);
void pack_transpose(const float* rows, int64_t kc, float* panel);
// s[j] = exp(s[j] - max) for j < n (each s[j] <= max), returning their sum (dispatched).
float exp_shifted(float* s, int64_t n, float max);
// s[j] *= scale for j < n, returning the largest (-inf for n = 0; dispatched).
float scale_max(float* s, int64_t n, float scale);
// fn(p0, p1) over the kPanelRows-row panels of a rows x n weight matrix: inline, or split across
// the pool when the matrix is large enough to pay for waking it (both GEMMs).
void for_each_panel(int64_t rows, int64_t n, ThreadPool& pool,
                    const std::function<void(int64_t, int64_t)>& fn);
// Y = X * W^T with f32 activations and W dequantized exactly, for batches large enough that
// the dequantization is worth doing once per call (matmul's caller decides).
void gemm_f32(DType t, const void* w, int64_t rows, int64_t n, const float* x, int64_t batch,
              float* y, ThreadPool& pool);

// The int8 GEMM (gemm_int8.cpp) for Precision::Fast prompts. Weights are read in blocks of
// g = 32 elements (16 for Q6_K, whose scales cover 16), each as unsigned bytes with one scale
// and one offset per row; per block, a packed panel holds g / 4 groups of 16 rows x 4 weight
// bytes, then 16 scales and 16 offsets.
inline constexpr int64_t int8_panel_block_bytes(int64_t g) {
    return g * 16 + 32 * 4;
}
inline constexpr int64_t kAvx2Int8MicroRows = 3;
inline constexpr int64_t kVnniMicroRows = 8;
inline constexpr int64_t kVnniPairRows = 6;  // two panels: 4 accumulators per row
inline constexpr int64_t kScalarInt8MicroRows = 4;
inline constexpr int64_t kDotprodInt8MicroRows = 4;
inline constexpr int64_t kI8mmInt8MicroRows = 4;
inline constexpr int64_t kMaxInt8MicroRows = 8;  // the largest of them
static_assert(kAvx2Int8MicroRows <= kMaxInt8MicroRows && kVnniMicroRows <= kMaxInt8MicroRows &&
              kScalarInt8MicroRows <= kMaxInt8MicroRows &&
              kDotprodInt8MicroRows <= kMaxInt8MicroRows &&
              kI8mmInt8MicroRows <= kMaxInt8MicroRows);
// C[i][j] = sum_b a_ib * s_jb * (u_jb . v_ib) + o_jb * (a_ib * sum(v_ib)) for i < m, j < 16,
// over nb blocks of g (16 or 32) elements: xq holds activation bytes (row i at i * ldx), xs the
// blocks' activation scales a and xsv a * sum(v) (row i at i * ldxs).
using Int8MicroFn = void (*)(int64_t g, int64_t m, int64_t nb, const uint8_t* panel,
                             const int8_t* xq, int64_t ldx, const float* xs, const float* xsv,
                             int64_t ldxs, float* c, int64_t ldc);
// Writes one panel block's k-groups from 16 rows of g (16 or 32) unpacked weight bytes, row r
// at rows + r * stride: row r's bytes 4q..4q+3 go to p[q * 64 + r * 4].
using Int8InterleaveFn = void (*)(int64_t g, const uint8_t* rows, size_t stride, uint8_t* p);
#ifdef FLASH_KERNELS_X86
// 8x8 and 4x4 transposes of 32-bit groups (gemm_int8_avx2.cpp).
void avx2_int8_interleave(int64_t g, const uint8_t* rows, size_t stride, uint8_t* p);
void avx2_int8_micro(int64_t g, int64_t m, int64_t nb, const uint8_t* panel, const int8_t* xq,
                     int64_t ldx, const float* xs, const float* xsv, int64_t ldxs, float* c,
                     int64_t ldc);
void vnni_int8_micro(int64_t g, int64_t m, int64_t nb, const uint8_t* panel, const int8_t* xq,
                     int64_t ldx, const float* xs, const float* xsv, int64_t ldxs, float* c,
                     int64_t ldc);
// The same over two adjacent panels (the second's blocks after the first's), C's 32 columns.
void vnni_int8_micro_pair(int64_t g, int64_t m, int64_t nb, const uint8_t* panel, const int8_t* xq,
                          int64_t ldx, const float* xs, const float* xsv, int64_t ldxs, float* c,
                          int64_t ldc);
#endif
#ifdef FLASH_KERNELS_ARM
// sdot on the weight bytes taken as u - 128 (gemm_int8_dotprod.cpp).
void dotprod_int8_micro(int64_t g, int64_t m, int64_t nb, const uint8_t* panel, const int8_t* xq,
                        int64_t ldx, const float* xs, const float* xsv, int64_t ldxs, float* c,
                        int64_t ldc);
// usmmla on 2x8 blocks of weights and activations (gemm_int8_i8mm.cpp).
void i8mm_int8_micro(int64_t g, int64_t m, int64_t nb, const uint8_t* panel, const int8_t* xq,
                     int64_t ldx, const float* xs, const float* xsv, int64_t ldxs, float* c,
                     int64_t ldc);
#endif
// The AVX-512 level (F, BW, VL and VNNI present, not capped): every *_avx512 kernel and the
// 512-bit int8 GEMM run under it.
bool use_vnni();
// True for the weight types gemm_int8 takes on the dispatched path.
bool int8_gemm_supports(DType t);
// panels: the weights already packed (repack_int8), or null to pack them per call.
void gemm_int8(DType t, const void* w, int64_t rows, int64_t n, const float* x, int64_t batch,
               float* y, ThreadPool& pool, const uint8_t* panels = nullptr);

// Whether Precision::Exact matmul should keep its dequantize-a-tile-then-dot path at a batch
// the GEMM would otherwise take (rows of n columns; see matmul_exact.cpp).
bool exact_tiles_win(int64_t n, int64_t batch);
// Precision::Exact matmul for quantized weights (matmul_exact.cpp).
void matmul_exact(DType t, const void* w, int64_t rows, int64_t n, const float* x, int64_t batch,
                  float* y, ThreadPool& pool);

}  // namespace flash::kernels::detail
