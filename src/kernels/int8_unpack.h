// The int8 GEMM's view of a weight row (gemm_int8.cpp): every supported block (32 elements; 16
// for Q6_K, whose scales cover 16) as unsigned bytes u with w_k = s * u_k + o. A unit is what
// one read of a row's scales covers: a 256-element super-block for the K-quants, one block
// otherwise. The scalar unpackers (int8_unpack.cpp) are the reference; the AVX2 ones
// (int8_unpack_avx2.cpp) write the same bytes and the same floats, bit for bit.
#pragma once

#include <cstdint>

#include "core/dtype.h"

namespace flash::kernels::detail {

struct UnpackedUnit {
    uint8_t u[256];
    float s[16], o[16];
};

// Elements per block: 16 where the type's scales cover 16.
inline int64_t int8_block_elems(DType t) {
    return t == DType::Q6_K ? 16 : 32;
}

// Blocks per unit: 8 for Q4_K / Q5_K, 16 for Q6_K, 1 otherwise.
inline int64_t int8_blocks_per_unit(DType t) {
    switch (t) {
        case DType::Q4_K:
        case DType::Q5_K:
            return 8;
        case DType::Q6_K:
            return 16;
        default:
            return 1;
    }
}

// Block `i` of a weight row of Block-typed blocks.
template <typename Block>
const Block& block_at(const uint8_t* row, int64_t i) {
    return reinterpret_cast<const Block*>(row)[i];
}

// Unpacks unit `unit` of the weight row at `row` into out.
using Int8UnpackFn = void (*)(const uint8_t* row, int64_t unit, UnpackedUnit& out);

// For the types int8_gemm_supports takes; nullptr for the others.
Int8UnpackFn scalar_int8_unpack(DType t);
#ifdef FLASH_KERNELS_X86
// Q4_0, Q4_1, Q8_0, Q4_K and Q6_K (the types of Q4_0, Q4_1, Q8_0 and Q4_K_M files); nullptr for
// the others, which keep the scalar unpacker.
Int8UnpackFn avx2_int8_unpack(DType t);
#endif
// The fastest unpacker the CPU runs for t.
Int8UnpackFn int8_unpack_for(DType t);

}  // namespace flash::kernels::detail
