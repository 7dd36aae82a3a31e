// K-quant row quantizers (Q2_K to Q6_K), byte for byte as ggml's reference ones (no importance
// matrix). nb is the number of 256-value super-blocks. Depends on core/ only.
#pragma once

#include <cstdint>

#include "core/dtype.h"

namespace flash::quant {

void quantize_q2_k(const float* x, BlockQ2_K* y, int64_t nb);
void quantize_q3_k(const float* x, BlockQ3_K* y, int64_t nb);
void quantize_q4_k(const float* x, BlockQ4_K* y, int64_t nb);
void quantize_q5_k(const float* x, BlockQ5_K* y, int64_t nb);
void quantize_q6_k(const float* x, BlockQ6_K* y, int64_t nb);

}  // namespace flash::quant
