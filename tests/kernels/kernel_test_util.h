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

class ScalarGuard {
  public:
    explicit ScalarGuard(bool scalar) : prev_(kernels::force_scalar(scalar)) {}
    ~ScalarGuard() { kernels::force_scalar(prev_); }
    ScalarGuard(const ScalarGuard&) = delete;
    ScalarGuard& operator=(const ScalarGuard&) = delete;

  private:
    bool prev_;
};

struct TypeMode {
    DType type;
    bool scalar;
};

inline std::vector<TypeMode> all_type_modes() {
    std::vector<TypeMode> v;
    for (DType t : weight_types()) {
        v.push_back({t, false});
        v.push_back({t, true});
    }
    return v;
}

inline std::string type_mode_name(const ::testing::TestParamInfo<TypeMode>& info) {
    return std::string(dtype_name(info.param.type)) +
           (info.param.scalar ? "_scalar" : "_dispatched");
}

inline std::string type_name(const ::testing::TestParamInfo<DType>& info) {
    return std::string(dtype_name(info.param));
}

}  // namespace flash::testing
