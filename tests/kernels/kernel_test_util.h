// Shared pieces of the kernel tests: the list of weight types, row lengths that exercise the
// SIMD tails, and a guard that sets force_scalar for one test and restores it.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/dtype.h"
#include "kernels/kernels.h"

namespace flash::testing {

inline const std::vector<DType>& weight_types() {
    static const std::vector<DType> types = {
        DType::F32,  DType::F16,  DType::BF16, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1,
        DType::Q8_0, DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K};
    return types;
}

// An odd number of blocks (the two-block SIMD loops have a tail) and, for float types, a
// length that is not a multiple of 8 or 32.
inline int64_t test_row_len(DType t) {
    switch (t) {
        case DType::F32:
        case DType::F16:
        case DType::BF16:
            return 531;
        case DType::Q2_K:
        case DType::Q3_K:
        case DType::Q4_K:
        case DType::Q5_K:
        case DType::Q6_K:
            return 3 * 256;
        default:
            return 17 * 32;
    }
}

// Caps the dispatcher's ISA for one test (Scalar, Avx2, or no cap) and restores it.
class ScalarGuard {
  public:
    explicit ScalarGuard(kernels::Isa cap) : prev_(kernels::limit_isa(cap)) {}
    explicit ScalarGuard(bool scalar)
        : ScalarGuard(scalar ? kernels::Isa::Scalar : kernels::Isa::Avx512) {}
    ~ScalarGuard() { kernels::limit_isa(prev_); }
    ScalarGuard(const ScalarGuard&) = delete;
    ScalarGuard& operator=(const ScalarGuard&) = delete;

  private:
    kernels::Isa prev_;
};

// A type on one path: the dispatched one (the best this CPU has), the scalar reference, and
// the levels below the best where there are some (AVX2 on AVX-512 CPUs; plain NEON, and NEON
// with dotprod on CPUs with i8mm), so each SIMD version is tested where it can run.
struct TypeMode {
    DType type;
    kernels::Isa isa;
};

inline std::vector<kernels::Isa> test_isas() {
    std::vector<kernels::Isa> v = {kernels::Isa::Avx512, kernels::Isa::Scalar};
    if (kernels::detected_isa() > kernels::Isa::Avx2) v.push_back(kernels::Isa::Avx2);
    const kernels::Isa arm = kernels::detected_isa();
    if (arm == kernels::Isa::NeonDotprod || arm == kernels::Isa::NeonI8mm)
        v.push_back(kernels::Isa::Neon);
    if (arm == kernels::Isa::NeonI8mm) v.push_back(kernels::Isa::NeonDotprod);
    return v;
}

inline std::vector<TypeMode> all_type_modes() {
    std::vector<TypeMode> v;
    for (DType t : weight_types()) {
        for (kernels::Isa isa : test_isas()) v.push_back({t, isa});
    }
    return v;
}

inline const char* isa_mode_name(kernels::Isa isa) {
    switch (isa) {
        case kernels::Isa::Scalar:
            return "_scalar";
        case kernels::Isa::Avx2:
            return "_avx2";
        case kernels::Isa::Neon:
            return "_neon";
        case kernels::Isa::NeonDotprod:
            return "_dotprod";
        default:
            return "_dispatched";
    }
}

inline std::string type_mode_name(const ::testing::TestParamInfo<TypeMode>& info) {
    return std::string(dtype_name(info.param.type)) + isa_mode_name(info.param.isa);
}

inline std::string type_name(const ::testing::TestParamInfo<DType>& info) {
    return std::string(dtype_name(info.param));
}

}  // namespace flash::testing
