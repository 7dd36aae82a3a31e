// The traits table: every weight type has its scalar kernels and an activation type whose
// block fits its own; activation-only types can be dequantized and nothing else; every other
// type id has an empty row; and the dispatched functions are the table's.
#include <gtest/gtest.h>

#include "core/dtype.h"
#include "core/error.h"
#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels {
namespace {

using detail::type_traits;

TEST(TypeTraits, EveryWeightTypeHasItsScalarKernels) {
    int weights = 0;
    for (uint32_t id = 0; id <= detail::kMaxTypeId + 5; ++id) {
        const auto info = dtype_info(id);
        if (!info) {
            EXPECT_FALSE(type_traits(static_cast<DType>(id)).weight) << id;
            continue;
        }
        const DType t = static_cast<DType>(id);
        const detail::TypeTraits& row = type_traits(t);
        if (!row.weight) {
            EXPECT_EQ(row.dot, nullptr) << info->name;
            EXPECT_EQ(row.quantize, nullptr) << info->name;
            continue;
        }
        ++weights;
        EXPECT_NE(row.dequant, nullptr) << info->name;
        EXPECT_NE(row.quantize, nullptr) << info->name;
        EXPECT_NE(row.dot, nullptr) << info->name;
        EXPECT_EQ(activation_type(t), row.activation);
        // A row of the weight type is a whole number of activation blocks.
        EXPECT_EQ(info->block_elems % dtype_info(row.activation).block_elems, 0) << info->name;
        // The fused exact dot exists only where activations are quantized.
        if (row.activation == DType::F32) {
            EXPECT_EQ(row.avx2_exact_dot, nullptr) << info->name;
        }
    }
    EXPECT_EQ(weights, 13);  // F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K..Q6_K
    for (const DType t : {DType::Q8_1, DType::Q8_K}) {
        EXPECT_FALSE(type_traits(t).weight);
        EXPECT_NE(type_traits(t).dequant, nullptr);
    }
    EXPECT_THROW(activation_type(DType::Q8_K), Error);
    EXPECT_THROW(activation_type(static_cast<DType>(4)), Error);  // a retired ggml type id
}

TEST(TypeTraits, DispatchTakesTheTablesFunctions) {
    for (const DType t : {DType::Q4_0, DType::Q4_K, DType::Q5_K, DType::F16}) {
        const detail::TypeTraits& row = type_traits(t);
        const bool was = force_scalar(true);
        EXPECT_EQ(detail::kernels_for(t).dot, row.dot);
        EXPECT_EQ(detail::exact_dot_for(t), nullptr);
        limit_isa(Isa::Avx2);
        if (detail::use_avx2()) {
            EXPECT_EQ(detail::kernels_for(t).dot, row.avx2_dot ? row.avx2_dot : row.dot);
            EXPECT_EQ(detail::exact_dot_for(t), row.avx2_exact_dot);
        }
        force_scalar(false);
        if (detail::use_vnni()) {
            // The AVX-512 kernels replace the AVX2 ones where the table has them.
            const auto avx2 = row.avx2_dot ? row.avx2_dot : row.dot;
            EXPECT_EQ(detail::kernels_for(t).dot, row.avx512_dot ? row.avx512_dot : avx2);
            EXPECT_EQ(detail::exact_dot_for(t),
                      row.avx512_exact_dot ? row.avx512_exact_dot : row.avx2_exact_dot);
        }
        force_scalar(was);
    }
}

}  // namespace
}  // namespace flash::kernels
