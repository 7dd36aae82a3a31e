// The dispatcher: force_scalar switches the reported ISA and restores; on an x86-64 CPU with
// AVX2+FMA+F16C the dispatched path must actually be the AVX2 one (otherwise every
// "dispatched" test above would silently be testing the scalar code twice).
#include <gtest/gtest.h>

#include <string>

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
    const bool cpu = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                     __builtin_cpu_supports("f16c");
    EXPECT_EQ(std::string(isa_name()), cpu ? "avx2" : "scalar");
#else
    EXPECT_STREQ(isa_name(), "scalar");
#endif
    force_scalar(prev);
}

}  // namespace
}  // namespace flash::kernels
