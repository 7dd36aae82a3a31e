// The per-type traits table (which types the kernels implement, the activation format each is
// paired with, and its kernels on each path), and the argument checks shared by the public
// entry points.
#include <array>
#include <string>

#include "core/error.h"
#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"
#include "kernels/type_kernels.h"

namespace flash::kernels {

namespace detail {

#ifdef FLASH_KERNELS_X86
#define FLASH_AVX2(f) f
#else
#define FLASH_AVX2(f) nullptr
#endif

// The traits table, as ggml's type_traits: one row per type, indexed by the GGUF type id.
const TypeTraits& type_traits(DType t) {
    static const auto table = [] {
        std::array<TypeTraits, kMaxTypeId + 1> rows{};
        auto row = [&rows](DType type, TypeTraits traits) {
            rows[static_cast<size_t>(type)] = traits;
        };
        // clang-format off
    row(DType::F32, {.weight = true, .activation = DType::F32, .dequant = deq_ref::deq_f32, .quantize = act_ref::quant_f32, .dot = dot_ref::dot_f32w, .avx2_dot = FLASH_AVX2(dot_avx2::dot_f32w)});
    row(DType::F16, {.weight = true, .activation = DType::F32, .dequant = deq_ref::deq_f16, .quantize = act_ref::quant_f32, .dot = dot_ref::dot_f16w, .avx2_dequant = FLASH_AVX2(deq_avx2::deq_f16), .avx2_dot = FLASH_AVX2(dot_avx2::dot_f16w)});
    row(DType::BF16, {.weight = true, .activation = DType::F32, .dequant = deq_ref::deq_bf16, .quantize = act_ref::quant_f32, .dot = dot_ref::dot_bf16w, .avx2_dequant = FLASH_AVX2(deq_avx2::deq_bf16), .avx2_dot = FLASH_AVX2(dot_avx2::dot_bf16w)});
    row(DType::Q4_0, {.weight = true, .activation = DType::Q8_0, .dequant = deq_ref::deq_q4_0, .quantize = act_ref::quant_q8_0, .dot = dot_ref::dot_q4_0, .avx2_dequant = FLASH_AVX2(deq_avx2::deq_q4_0), .avx2_quantize = FLASH_AVX2(act_avx2::quant_q8_0), .avx2_dot = FLASH_AVX2(dot_avx2::dot_q4_0), .avx2_exact_dot = FLASH_AVX2(xdot_avx2::xdot_q4_0), .avx512_dequant = FLASH_AVX2(deq_avx512::deq_q4_0), .avx512_dot = FLASH_AVX2(dot_avx512::dot_q4_0), .avx512_exact_dot = FLASH_AVX2(xdot_avx512::xdot_q4_0)});
    row(DType::Q4_1, {.weight = true, .activation = DType::Q8_1, .dequant = deq_ref::deq_q4_1, .quantize = act_ref::quant_q8_1, .dot = dot_ref::dot_q4_1, .avx2_dequant = FLASH_AVX2(deq_avx2::deq_q4_1), .avx2_quantize = FLASH_AVX2(act_avx2::quant_q8_1), .avx2_dot = FLASH_AVX2(dot_avx2::dot_q4_1), .avx2_exact_dot = FLASH_AVX2(xdot_avx2::xdot_q4_1), .avx512_dequant = FLASH_AVX2(deq_avx512::deq_q4_1), .avx512_dot = FLASH_AVX2(dot_avx512::dot_q4_1), .avx512_exact_dot = FLASH_AVX2(xdot_avx512::xdot_q4_1)});
    row(DType::Q5_0, {.weight = true, .activation = DType::Q8_0, .dequant = deq_ref::deq_q5_0, .quantize = act_ref::quant_q8_0, .dot = dot_ref::dot_q5_0, .avx2_dequant = FLASH_AVX2(deq_avx2::deq_q5_0), .avx2_quantize = FLASH_AVX2(act_avx2::quant_q8_0), .avx2_dot = FLASH_AVX2(dot_avx2::dot_q5_0), .avx2_exact_dot = FLASH_AVX2(xdot_avx2::xdot_q5_0), .avx512_dequant = FLASH_AVX2(deq_avx512::deq_q5_0), .avx512_dot = FLASH_AVX2(dot_avx512::dot_q5_0), .avx512_exact_dot = FLASH_AVX2(xdot_avx512::xdot_q5_0)});
    row(DType::Q5_1, {.weight = true, .activation = DType::Q8_1, .dequant = deq_ref::deq_q5_1, .quantize = act_ref::quant_q8_1, .dot = dot_ref::dot_q5_1, .avx2_dequant = FLASH_AVX2(deq_avx2::deq_q5_1), .avx2_quantize = FLASH_AVX2(act_avx2::quant_q8_1), .avx2_dot = FLASH_AVX2(dot_avx2::dot_q5_1), .avx2_exact_dot = FLASH_AVX2(xdot_avx2::xdot_q5_1), .avx512_dequant = FLASH_AVX2(deq_avx512::deq_q5_1), .avx512_exact_dot = FLASH_AVX2(xdot_avx512::xdot_q5_1)});
    row(DType::Q8_0, {.weight = true, .activation = DType::Q8_0, .dequant = deq_ref::deq_q8_0, .quantize = act_ref::quant_q8_0, .dot = dot_ref::dot_q8_0, .avx2_dequant = FLASH_AVX2(deq_avx2::deq_q8_0), .avx2_quantize = FLASH_AVX2(act_avx2::quant_q8_0), .avx2_dot = FLASH_AVX2(dot_avx2::dot_q8_0), .avx2_exact_dot = FLASH_AVX2(xdot_avx2::xdot_q8_0), .avx512_dequant = FLASH_AVX2(deq_avx512::deq_q8_0), .avx512_dot = FLASH_AVX2(dot_avx512::dot_q8_0), .avx512_exact_dot = FLASH_AVX2(xdot_avx512::xdot_q8_0)});
    row(DType::Q2_K, {.weight = true, .activation = DType::Q8_K, .dequant = deq_ref::deq_q2_k, .quantize = act_ref::quant_q8_k, .dot = dot_ref::dot_q2_k, .avx2_dequant = FLASH_AVX2(deq_avx2::deq_q2_k), .avx2_quantize = FLASH_AVX2(act_avx2::quant_q8_k), .avx2_dot = FLASH_AVX2(dot_avx2::dot_q2_k), .avx2_exact_dot = FLASH_AVX2(xdot_avx2::xdot_q2_k)});
    row(DType::Q3_K, {.weight = true, .activation = DType::Q8_K, .dequant = deq_ref::deq_q3_k, .quantize = act_ref::quant_q8_k, .dot = dot_ref::dot_q3_k, .avx2_dequant = FLASH_AVX2(deq_avx2::deq_q3_k), .avx2_quantize = FLASH_AVX2(act_avx2::quant_q8_k), .avx2_dot = FLASH_AVX2(dot_avx2::dot_q3_k), .avx2_exact_dot = FLASH_AVX2(xdot_avx2::xdot_q3_k)});
    row(DType::Q4_K, {.weight = true, .activation = DType::Q8_K, .dequant = deq_ref::deq_q4_k, .quantize = act_ref::quant_q8_k, .dot = dot_ref::dot_q4_k, .avx2_dequant = FLASH_AVX2(deq_avx2::deq_q4_k), .avx2_quantize = FLASH_AVX2(act_avx2::quant_q8_k), .avx2_dot = FLASH_AVX2(dot_avx2::dot_q4_k), .avx2_exact_dot = FLASH_AVX2(xdot_avx2::xdot_q4_k), .avx512_dequant = FLASH_AVX2(deq_avx512::deq_q4_k), .avx512_dot = FLASH_AVX2(dot_avx512::dot_q4_k), .avx512_exact_dot = FLASH_AVX2(xdot_avx512::xdot_q4_k)});
    row(DType::Q5_K, {.weight = true, .activation = DType::Q8_K, .dequant = deq_ref::deq_q5_k, .quantize = act_ref::quant_q8_k, .dot = dot_ref::dot_q5_k, .avx2_dequant = FLASH_AVX2(deq_avx2::deq_q5_k), .avx2_quantize = FLASH_AVX2(act_avx2::quant_q8_k), .avx2_dot = FLASH_AVX2(dot_avx2::dot_q5_k), .avx2_exact_dot = FLASH_AVX2(xdot_avx2::xdot_q5_k)});
    row(DType::Q6_K, {.weight = true, .activation = DType::Q8_K, .dequant = deq_ref::deq_q6_k, .quantize = act_ref::quant_q8_k, .dot = dot_ref::dot_q6_k, .avx2_dequant = FLASH_AVX2(deq_avx2::deq_q6_k), .avx2_quantize = FLASH_AVX2(act_avx2::quant_q8_k), .avx2_dot = FLASH_AVX2(dot_avx2::dot_q6_k), .avx2_exact_dot = FLASH_AVX2(xdot_avx2::xdot_q6_k), .avx512_dot = FLASH_AVX2(dot_avx512::dot_q6_k), .avx512_exact_dot = FLASH_AVX2(xdot_avx512::xdot_q6_k)});
    row(DType::Q8_1, {.dequant = deq_ref::deq_q8_1});
    row(DType::Q8_K, {.dequant = deq_ref::deq_q8_k});
        // clang-format on
#ifdef FLASH_KERNELS_ARM
        // The NEON kernels; a null keeps the scalar reference (the float types have no
        // quantizer or fused exact dot to add).
        auto neon = [&rows](DType type, DequantFn dequant, QuantFn quantize, VecDotFn dot,
                            VecDotFn dotprod, ExactDotFn exact = nullptr) {
            TypeTraits& t = rows[static_cast<size_t>(type)];
            t.neon_dequant = dequant;
            t.neon_quantize = quantize;
            t.neon_dot = dot;
            t.dotprod_dot = dotprod;
            t.neon_exact_dot = exact;
        };
        // clang-format off
    neon(DType::F32, nullptr, nullptr, dot_neon::dot_f32w, nullptr);
    neon(DType::F16, deq_neon::deq_f16, nullptr, dot_neon::dot_f16w, nullptr);
    neon(DType::BF16, deq_neon::deq_bf16, nullptr, dot_neon::dot_bf16w, nullptr);
    neon(DType::Q4_0, deq_neon::deq_q4_0, act_neon::quant_q8_0, dot_neon::dot_q4_0, dot_dotprod::dot_q4_0, xdot_neon::xdot_q4_0);
    neon(DType::Q4_1, deq_neon::deq_q4_1, act_neon::quant_q8_1, dot_neon::dot_q4_1, dot_dotprod::dot_q4_1, xdot_neon::xdot_q4_1);
    neon(DType::Q5_0, deq_neon::deq_q5_0, act_neon::quant_q8_0, dot_neon::dot_q5_0, dot_dotprod::dot_q5_0, xdot_neon::xdot_q5_0);
    neon(DType::Q5_1, deq_neon::deq_q5_1, act_neon::quant_q8_1, dot_neon::dot_q5_1, dot_dotprod::dot_q5_1, xdot_neon::xdot_q5_1);
    neon(DType::Q8_0, deq_neon::deq_q8_0, act_neon::quant_q8_0, dot_neon::dot_q8_0, dot_dotprod::dot_q8_0, xdot_neon::xdot_q8_0);
    neon(DType::Q2_K, deq_neon::deq_q2_k, act_neon::quant_q8_k, dot_neon::dot_q2_k, dot_dotprod::dot_q2_k, xdot_neon::xdot_q2_k);
    neon(DType::Q3_K, deq_neon::deq_q3_k, act_neon::quant_q8_k, dot_neon::dot_q3_k, dot_dotprod::dot_q3_k, xdot_neon::xdot_q3_k);
    neon(DType::Q4_K, deq_neon::deq_q4_k, act_neon::quant_q8_k, dot_neon::dot_q4_k, dot_dotprod::dot_q4_k, xdot_neon::xdot_q4_k);
    neon(DType::Q5_K, deq_neon::deq_q5_k, act_neon::quant_q8_k, dot_neon::dot_q5_k, dot_dotprod::dot_q5_k, xdot_neon::xdot_q5_k);
    neon(DType::Q6_K, deq_neon::deq_q6_k, act_neon::quant_q8_k, dot_neon::dot_q6_k, dot_dotprod::dot_q6_k, xdot_neon::xdot_q6_k);
        // clang-format on
#endif
        return rows;
    }();
    static const TypeTraits none{};
    const auto i = static_cast<size_t>(t);
    return i < table.size() ? table[i] : none;
}

#undef FLASH_AVX2

bool is_supported(DType weight) {
    return type_traits(weight).weight;
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
    if (!type_traits(t).dequant) fail(t, n, "dequantize_row", "unsupported type");
    check_blocks(t, n, "dequantize_row");
}

}  // namespace detail

DType activation_type(DType weight) {
    const detail::TypeTraits& traits = detail::type_traits(weight);
    if (!traits.weight)
        throw Error("kernels::activation_type: unsupported weight type " +
                    std::to_string(static_cast<uint32_t>(weight)));
    return traits.activation;
}

size_t activation_row_bytes(DType weight, int64_t n) {
    detail::check_weight_row(weight, n, "activation_row_bytes");
    return row_bytes(activation_type(weight), n);
}

}  // namespace flash::kernels
