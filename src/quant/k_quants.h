// K-quant row quantizers (Q2_K to Q6_K), byte for byte as ggml's reference ones when `qw` is
// null. nb is the number of 256-value super-blocks. With `qw` (an importance per value of the
// row, from an imatrix) each group's scale search is weighted by qw·sqrt(σ² + x²), llama.cpp's
// weighting; the searches stay flash's (llama.cpp's imatrix path uses other variants, so those
// bytes differ from llama-quantize --imatrix). Depends on core/ only.
#pragma once

#include <cstdint>

#include "core/dtype.h"

namespace flash::quant {

void quantize_q2_k(const float* x, BlockQ2_K* y, int64_t nb, const float* qw = nullptr);
void quantize_q3_k(const float* x, BlockQ3_K* y, int64_t nb, const float* qw = nullptr);
void quantize_q4_k(const float* x, BlockQ4_K* y, int64_t nb, const float* qw = nullptr);
void quantize_q5_k(const float* x, BlockQ5_K* y, int64_t nb, const float* qw = nullptr);
void quantize_q6_k(const float* x, BlockQ6_K* y, int64_t nb, const float* qw = nullptr);

}  // namespace flash::quant
