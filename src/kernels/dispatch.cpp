// Chooses the kernels once, from CPU features, so one binary runs on every CPU of its
// architecture: on x86-64 the scalar, AVX2 and AVX-512 VNNI kernels (AVX2+FMA+F16C, and VNNI
// where a kernel has a version for it); on ARM64 NEON, and the dotprod versions where the CPU
// has sdot. limit_isa lets tests and benchmarks compare the paths in one process.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#ifdef FLASH_KERNELS_X86
#include <cpuid.h>
#endif
#if defined(FLASH_KERNELS_ARM) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#elif defined(FLASH_KERNELS_ARM) && defined(__APPLE__)
#include <sys/sysctl.h>
#endif

#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels {
namespace {

#ifndef FLASH_KERNELS_ARM
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

bool cpu_has_vnni() {
#ifdef FLASH_KERNELS_X86
    return cpu_has_avx2() && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512vnni");
#else
    return false;
#endif
}
#endif

#ifdef FLASH_KERNELS_ARM
// The dotprod extension (sdot/udot). Advanced SIMD itself is part of every AArch64 CPU.
bool cpu_has_dotprod() {
#if defined(__linux__)
    return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#elif defined(__APPLE__)
    int value = 0;
    size_t size = sizeof(value);
    return sysctlbyname("hw.optional.arm.FEAT_DotProd", &value, &size, nullptr, 0) == 0 && value;
#else
    return false;
#endif
}

// The i8mm extension (usmmla/smmla), from ARMv8.6.
bool cpu_has_i8mm() {
#if defined(__linux__)
    return (getauxval(AT_HWCAP2) & HWCAP2_I8MM) != 0;
#elif defined(__APPLE__)
    int value = 0;
    size_t size = sizeof(value);
    return sysctlbyname("hw.optional.arm.FEAT_I8MM", &value, &size, nullptr, 0) == 0 && value;
#else
    return false;
#endif
}
#endif

// Function-local so the answer is right even if another file's static initializer asks first.
Isa cpu_isa() {
#ifdef FLASH_KERNELS_ARM
    static const Isa isa = !cpu_has_dotprod() ? Isa::Neon
                           : cpu_has_i8mm()   ? Isa::NeonI8mm
                                              : Isa::NeonDotprod;
#else
    static const Isa isa = cpu_has_vnni() ? Isa::Avx512 : cpu_has_avx2() ? Isa::Avx2 : Isa::Scalar;
#endif
    return isa;
}

// FLASH_ISA=scalar|neon|neon-dotprod|neon-i8mm|avx2|avx512 caps the dispatcher for a whole run (to
// compare paths end to end with flash bench); unset, every path the CPU has is used.
Isa initial_cap() {
    const char* env = std::getenv("FLASH_ISA");
    if (!env || !*env) return Isa::Avx512;
    const std::string v = env;
    if (v == "scalar") return Isa::Scalar;
    if (v == "neon") return Isa::Neon;
    if (v == "neon-dotprod") return Isa::NeonDotprod;
    if (v == "neon-i8mm") return Isa::NeonI8mm;
    if (v == "avx2") return Isa::Avx2;
    if (v != "avx512")
        std::fprintf(stderr,
                     "flash: FLASH_ISA=%s is not scalar, neon, neon-dotprod, neon-i8mm, avx2 or "
                     "avx512; "
                     "ignored\n",
                     env);
    return Isa::Avx512;
}

std::atomic<Isa>& isa_cap() {
    static std::atomic<Isa> cap{initial_cap()};
    return cap;
}

}  // namespace

Isa detected_isa() {
    return cpu_isa();
}

Isa active_isa() {
    const Isa cap = isa_cap().load(std::memory_order_relaxed);
    if (cap >= cpu_isa()) return cpu_isa();
#ifdef FLASH_KERNELS_ARM
    return cap;
#else
    // A cap at an ARM level on x86: the scalar path.
    return cap >= Isa::Avx2 ? cap : Isa::Scalar;
#endif
}

namespace detail {

bool use_avx2() {
    return active_isa() >= Isa::Avx2;
}

bool use_vnni() {
    return active_isa() >= Isa::Avx512;
}

bool use_neon() {
#ifdef FLASH_KERNELS_ARM
    return active_isa() >= Isa::Neon;
#else
    return false;
#endif
}

bool use_dotprod() {
#ifdef FLASH_KERNELS_ARM
    return active_isa() >= Isa::NeonDotprod;
#else
    return false;
#endif
}

bool use_i8mm() {
#ifdef FLASH_KERNELS_ARM
    return active_isa() >= Isa::NeonI8mm;
#else
    return false;
#endif
}

TypeKernels kernels_for(DType weight) {
    const TypeTraits& t = type_traits(weight);
    TypeKernels k{t.dequant, t.quantize, t.dot};
    const auto take = [&k](DequantFn dequant, QuantFn quantize, VecDotFn dot) {
        if (dequant) k.dequant = dequant;
        if (quantize) k.quantize = quantize;
        if (dot) k.dot = dot;
    };
    if (use_avx2()) take(t.avx2_dequant, t.avx2_quantize, t.avx2_dot);
    if (use_neon()) take(t.neon_dequant, t.neon_quantize, t.neon_dot);
    if (use_dotprod()) take(nullptr, nullptr, t.dotprod_dot);
    if (use_vnni()) take(t.avx512_dequant, nullptr, t.avx512_dot);
    return k;
}

ExactDotFn exact_dot_for(DType weight) {
    const TypeTraits& t = type_traits(weight);
    if (use_vnni() && t.avx512_exact_dot) return t.avx512_exact_dot;
    if (use_avx2()) return t.avx2_exact_dot;
    if (use_neon()) return t.neon_exact_dot;
    return nullptr;
}

void block_sums32(const float* x, int64_t n, float* sums) {
#ifdef FLASH_KERNELS_X86
    if (use_avx2()) {
        avx2_block_sums32(x, n, sums);
        return;
    }
#endif
#ifdef FLASH_KERNELS_ARM
    if (use_neon()) {
        neon_block_sums32(x, n, sums);
        return;
    }
#endif
    scalar_block_sums32(x, n, sums);
}

}  // namespace detail

const char* isa_name() {
    switch (active_isa()) {
        case Isa::Avx512:
            return "avx512";
        case Isa::Avx2:
            return "avx2";
        case Isa::NeonI8mm:
            return "neon-i8mm";
        case Isa::NeonDotprod:
            return "neon-dotprod";
        case Isa::Neon:
            return "neon";
        default:
            return "scalar";
    }
}

Isa limit_isa(Isa cap) {
    return isa_cap().exchange(cap);
}

bool force_scalar(bool on) {
    return limit_isa(on ? Isa::Scalar : Isa::Avx512) == Isa::Scalar;
}

void dequantize_row(DType t, const void* src, float* dst, int64_t n) {
    detail::check_dequant_row(t, n);
    detail::kernels_for(t).dequant(src, dst, n);
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
