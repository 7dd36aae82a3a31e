// Which weight types the kernels implement, the activation format each is paired with, and the
// argument checks shared by the public entry points.
#include <string>

#include "core/error.h"
#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels {

namespace detail {

bool is_supported(DType weight) {
    switch (weight) {
        case DType::F32:
        case DType::F16:
        case DType::BF16:
        case DType::Q4_0:
        case DType::Q4_1:
        case DType::Q5_0:
        case DType::Q5_1:
        case DType::Q8_0:
        case DType::Q2_K:
        case DType::Q3_K:
        case DType::Q4_K:
        case DType::Q5_K:
        case DType::Q6_K:
            return true;
        default:
            return false;
    }
}

namespace {
[[noreturn]] void fail(DType t, int64_t n, const char* what, const char* why) {
    throw Error(std::string("kernels::") + what + ": type " +
                std::to_string(static_cast<uint32_t>(t)) + ", n=" + std::to_string(n) + ": " + why);
}

void check_blocks(DType t, int64_t n, const char* what) {
    const int64_t block = dtype_info(t).block_elems;
    if (n < 0 || n % block != 0) fail(t, n, what, "n is not a multiple of the block size");
}
}  // namespace

void check_weight_row(DType weight, int64_t n, const char* what) {
    if (!is_supported(weight)) fail(weight, n, what, "unsupported weight type");
    check_blocks(weight, n, what);
    check_blocks(activation_type(weight), n, what);
}

void check_dequant_row(DType t, int64_t n) {
    if (!scalar_dequant(t)) fail(t, n, "dequantize_row", "unsupported type");
    check_blocks(t, n, "dequantize_row");
}

}  // namespace detail

DType activation_type(DType weight) {
    switch (weight) {
        case DType::Q4_0:
        case DType::Q5_0:
        case DType::Q8_0:
            return DType::Q8_0;
        case DType::Q4_1:
        case DType::Q5_1:
            return DType::Q8_1;
        case DType::Q2_K:
        case DType::Q3_K:
        case DType::Q4_K:
        case DType::Q5_K:
        case DType::Q6_K:
            return DType::Q8_K;
        case DType::F32:
        case DType::F16:
        case DType::BF16:
            return DType::F32;
        default:
            throw Error("kernels::activation_type: unsupported weight type " +
                        std::to_string(static_cast<uint32_t>(weight)));
    }
}

size_t activation_row_bytes(DType weight, int64_t n) {
    detail::check_weight_row(weight, n, "activation_row_bytes");
    return row_bytes(activation_type(weight), n);
}

}  // namespace flash::kernels
