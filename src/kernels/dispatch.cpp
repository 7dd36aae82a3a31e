// Chooses between the scalar and AVX2 kernels once, from CPU features, so one x86-64 binary
// runs everywhere and uses AVX2+FMA+F16C where present. force_scalar lets tests and
// benchmarks compare the two paths in one process.
#include <atomic>
#include <vector>

#ifdef FLASH_KERNELS_X86
#include <cpuid.h>
#endif

#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels {
namespace {

bool cpu_has_avx2() {
#ifdef FLASH_KERNELS_X86
    __builtin_cpu_init();
    // F16C from CPUID leaf 1 (ECX bit 29): clang before 15 does not know "f16c" as a feature
    // name for __builtin_cpu_supports.
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    const bool f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_F16C) != 0;
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c;
#else
    return false;
#endif
}

// Function-local so the answer is right even if another file's static initializer asks first.
bool cpu_avx2() {
    static const bool has = cpu_has_avx2();
    return has;
}

std::atomic<bool> g_force_scalar{false};

}  // namespace

namespace detail {

bool use_avx2() {
    return cpu_avx2() && !g_force_scalar.load(std::memory_order_relaxed);
}

TypeKernels kernels_for(DType weight) {
    const TypeTraits& t = type_traits(weight);
    TypeKernels k{t.dequant, t.quantize, t.dot};
    if (use_avx2()) {
        if (t.avx2_dequant) k.dequant = t.avx2_dequant;
        if (t.avx2_quantize) k.quantize = t.avx2_quantize;
        if (t.avx2_dot) k.dot = t.avx2_dot;
    }
    return k;
}

ExactDotFn exact_dot_for(DType weight) {
    return use_avx2() ? type_traits(weight).avx2_exact_dot : nullptr;
}

void block_sums32(const float* x, int64_t n, float* sums) {
#ifdef FLASH_KERNELS_X86
    if (use_avx2()) {
        avx2_block_sums32(x, n, sums);
        return;
    }
#endif
    scalar_block_sums32(x, n, sums);
}

}  // namespace detail

const char* isa_name() {
    return detail::use_avx2() ? "avx2" : "scalar";
}

bool force_scalar(bool on) {
    return g_force_scalar.exchange(on);
}

void dequantize_row(DType t, const void* src, float* dst, int64_t n) {
    detail::check_dequant_row(t, n);
    const detail::TypeTraits& traits = detail::type_traits(t);
    (detail::use_avx2() && traits.avx2_dequant ? traits.avx2_dequant : traits.dequant)(src, dst, n);
}

void quantize_activation_row(DType weight, const float* x, void* out, int64_t n) {
    detail::check_weight_row(weight, n, "quantize_activation_row");
    detail::kernels_for(weight).quantize(x, out, n);
}

float vec_dot(DType weight, int64_t n, const void* w_row, const void* act_row) {
    detail::check_weight_row(weight, n, "vec_dot");
    return detail::kernels_for(weight).dot(n, w_row, act_row);
}

float vec_dot_exact(DType weight, int64_t n, const void* w_row, const float* x) {
    detail::check_weight_row(weight, n, "vec_dot_exact");
    // Float weights already meet f32 activations unrounded in vec_dot.
    if (activation_type(weight) == DType::F32) return detail::kernels_for(weight).dot(n, w_row, x);
    if (detail::ExactDotFn f = detail::exact_dot_for(weight)) {
        thread_local std::vector<float> sums;
        if (sums.size() < static_cast<size_t>(n / 32)) sums.resize(static_cast<size_t>(n / 32));
        detail::block_sums32(x, n, sums.data());
        return f(n, w_row, x, sums.data());
    }
    // No fused version: dequantize a chunk at a time into L1 and dot it.
    const detail::DequantFn deq = detail::kernels_for(weight).dequant;
    const auto* w = static_cast<const uint8_t*>(w_row);
    constexpr int64_t kChunk = 256;  // whole blocks for every type
    float buf[kChunk];
    float sum = 0.0f;
    for (int64_t i = 0; i < n; i += kChunk) {
        const int64_t len = n - i < kChunk ? n - i : kChunk;
        deq(w + row_bytes(weight, i), buf, len);
        sum += dot_f32(buf, x + i, len);
    }
    return sum;
}

}  // namespace flash::kernels
