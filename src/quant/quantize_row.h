// Row quantizers: f32 values into ggml's block layouts, the same bytes llama.cpp's reference
// quantizers write (llama-quantize without an importance matrix), so flash-made files load
// anywhere and match llama-quantize's. Depends on core/ only.
#pragma once

#include <cstdint>

#include "core/dtype.h"

namespace flash::quant {

// Whether quantize_row supports `type` yet.
bool can_quantize(DType type);

// Quantizes n values (a multiple of the type's block size) from x into out, which must hold
// row_bytes(type, n) bytes. Throws flash::Error for a type it cannot write or a bad n.
// `importance` (n values from an imatrix: the mean square of the input each weight column
// meets) weights the quantization error; null gives the reference quantizers' bytes.
void quantize_row(DType type, const float* x, void* out, int64_t n,
                  const float* importance = nullptr);

}  // namespace flash::quant
