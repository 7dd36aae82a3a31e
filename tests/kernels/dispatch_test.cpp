// The dispatcher: force_scalar switches the reported ISA and restores; on an x86-64 CPU with
// AVX2+FMA+F16C the dispatched path must actually be the AVX2 one (otherwise every
// "dispatched" test above would silently be testing the scalar code twice).
#include <gtest/gtest.h>

#include <string>

#if defined(__x86_64__)
#include <cpuid.h>
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
    EXPECT_EQ(std::string(isa_name()), cpu ? "avx2" : "scalar");
#else
    EXPECT_STREQ(isa_name(), "scalar");
#endif
    force_scalar(prev);
}

}  // namespace
}  // namespace flash::kernels
