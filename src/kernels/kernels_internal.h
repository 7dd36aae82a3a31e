// Private to the kernels layer: the per-type function tables the dispatcher chooses between,
// and the per-ISA entry points. Nothing outside src/kernels/ (and its tests) includes this.
#pragma once

#include <cstdint>

#include "core/dtype.h"
#include "core/thread_pool.h"

namespace flash::kernels::detail {

using DequantFn = void (*)(const void* src, float* dst, int64_t n);
using QuantFn = void (*)(const float* x, void* out, int64_t n);
using VecDotFn = float (*)(int64_t n, const void* w_row, const void* act_row);
// Fused exact dot of a quantized weight row with f32 activations x. `sums` holds sum(x) over
// each 32-element block of x (block_sums32): types with a per-block minimum add m * sum(x)
// instead of dequantizing the minimum into every element.
using ExactDotFn = float (*)(int64_t n, const void* w_row, const float* x, const float* sums);

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

// Portable scalar implementations (the references).
DequantFn scalar_dequant(DType t);
QuantFn scalar_quantize(DType weight);
VecDotFn scalar_vec_dot(DType weight);

void scalar_block_sums32(const float* x, int64_t n, float* sums);

// AVX2+FMA+F16C implementations; null where a type has none (the scalar one is used).
// Only defined when the build compiles the x86 files (FLASH_KERNELS_X86).
DequantFn avx2_dequant(DType t);
QuantFn avx2_quantize(DType weight);
VecDotFn avx2_vec_dot(DType weight);
float avx2_dot_f32(const float* a, const float* b, int64_t n);
void avx2_axpy_f32(float* y, float a, const float* x, int64_t n);
// out[r] = dot(w + r * stride, x) for r < 4.
void avx2_dot_f32_x4(const float* w, int64_t stride, const float* x, int64_t n, float* out);
double avx2_sum_squares(const float* x, int64_t n);
ExactDotFn avx2_vec_dot_exact(DType weight);
void avx2_block_sums32(const float* x, int64_t n, float* sums);

// The dispatched table for a weight type (honours force_scalar).
TypeKernels kernels_for(DType weight);
bool use_avx2();
// The fused exact dot for a weight type, or null where there is none (no SIMD version, or
// force_scalar): callers then dequantize and use dot_f32.
ExactDotFn exact_dot_for(DType weight);
// sums[i] = sum of x[32i .. 32i + 31], for n a multiple of 32 (dispatched).
void block_sums32(const float* x, int64_t n, float* sums);

// Precision::Exact matmul for quantized weights (matmul_exact.cpp).
void matmul_exact(DType t, const void* w, int64_t rows, int64_t n, const float* x, int64_t batch,
                  float* y, ThreadPool& pool);

}  // namespace flash::kernels::detail
