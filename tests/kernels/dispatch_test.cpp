// The dispatcher: force_scalar and limit_isa switch the reported ISA and restore; on an x86-64
// CPU the dispatched path must actually be the best one it has (otherwise every "dispatched"
// test above would silently be testing the scalar code twice).
#include <gtest/gtest.h>

#include <string>

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

#include "kernels/kernels.h"

namespace flash::kernels {
namespace {

TEST(Dispatch, ForceScalarSwitchesAndRestores) {
    const bool prev = force_scalar(true);
    EXPECT_STREQ(isa_name(), "scalar");
    EXPECT_TRUE(force_scalar(prev));
}

TEST(Dispatch, UsesAvx2WhereTheCpuHasIt) {
    const bool prev = force_scalar(false);
#if defined(__x86_64__)
    __builtin_cpu_init();
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;  // F16C: CPUID.1:ECX bit 29 (clang 14 has no
    const bool f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_F16C) != 0;  // name)
    const bool cpu = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c;
    const bool vnni = cpu && __builtin_cpu_supports("avx512f") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
    EXPECT_EQ(std::string(isa_name()), vnni ? "avx512" : cpu ? "avx2" : "scalar");
#elif defined(__aarch64__) && defined(__linux__)
    // Advanced SIMD is part of every AArch64 CPU; sdot and usmmla where HWCAP says so.
    const bool dotprod = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
    const bool i8mm = dotprod && (getauxval(AT_HWCAP2) & HWCAP2_I8MM) != 0;
    EXPECT_EQ(std::string(isa_name()), i8mm ? "neon-i8mm" : dotprod ? "neon-dotprod" : "neon");
#else
    EXPECT_STREQ(isa_name(), "scalar");
#endif
    force_scalar(prev);
}

TEST(Dispatch, LimitIsaCapsAndRestores) {
    const Isa prev = limit_isa(Isa::Avx2);
#if defined(__aarch64__)
    // x86 levels lie above every ARM level: no cap here.
    EXPECT_EQ(active_isa(), detected_isa());
    limit_isa(Isa::Neon);
    EXPECT_STREQ(isa_name(), "neon");
    limit_isa(Isa::Avx2);
#else
    EXPECT_STREQ(isa_name(), detected_isa() >= Isa::Avx2 ? "avx2" : "scalar");
    // ARM levels lie below every x86 level: the scalar path here.
    limit_isa(Isa::NeonDotprod);
    EXPECT_STREQ(isa_name(), "scalar");
    limit_isa(Isa::Avx2);
#endif
    EXPECT_EQ(limit_isa(Isa::Scalar), Isa::Avx2);
    EXPECT_EQ(active_isa(), Isa::Scalar);
    limit_isa(prev);
    EXPECT_EQ(active_isa(), detected_isa());
}

}  // namespace
}  // namespace flash::kernels
