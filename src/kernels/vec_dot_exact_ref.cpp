// Scalar reference for the exact dot product (weight row quantized, activations f32): the
// row is dequantized with the reference dequantizer a chunk at a time and every product is
// accumulated in double, so the result is the dequantized row's dot product with x rounded
// once. Also the portable per-block sums of x that the fused kernels take.
#include "core/dtype.h"
#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels {

namespace detail {

void scalar_block_sums32(const float* x, int64_t n, float* sums) {
    for (int64_t i = 0; i < n / 32; ++i, x += 32) {
        float s = 0.0f;
        for (int j = 0; j < 32; ++j) s += x[j];
        sums[i] = s;
    }
}

}  // namespace detail

float ref::vec_dot_exact(DType weight, int64_t n, const void* w_row, const float* x) {
    detail::check_weight_row(weight, n, "vec_dot_exact");
    const detail::DequantFn deq = detail::type_traits(weight).dequant;
    const auto* w = static_cast<const uint8_t*>(w_row);
    // 256 is a whole number of blocks for every type (blocks are 1, 32 or 256 elements).
    constexpr int64_t kChunk = 256;
    float buf[kChunk];
    double sum = 0.0;
    for (int64_t i = 0; i < n; i += kChunk) {
        const int64_t len = n - i < kChunk ? n - i : kChunk;
        deq(w + row_bytes(weight, i), buf, len);
        for (int64_t j = 0; j < len; ++j) {
            sum += static_cast<double>(buf[j]) * static_cast<double>(x[i + j]);
        }
    }
    return static_cast<float>(sum);
}

}  // namespace flash::kernels
