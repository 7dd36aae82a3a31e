// Random but valid weight rows for every supported type: random quant bits (any pattern is a
// valid quant) with the fp16 scale fields overwritten by finite values of realistic
// magnitude. Shared by the kernel tests and benchmarks.
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "core/dtype.h"
#include "core/fp16.h"

namespace flash::testing {

// Offsets of the fp16 scale fields inside one block, and whether they may be negative.
struct ScaleFields {
    int offsets[2];
    int count;
};

inline ScaleFields scale_fields(DType t) {
    switch (t) {
        case DType::Q4_0:
        case DType::Q5_0:
        case DType::Q8_0:
            return {{0, 0}, 1};
        case DType::Q4_1:
        case DType::Q5_1:
        case DType::Q4_K:
        case DType::Q5_K:
            return {{0, 2}, 2};
        case DType::Q2_K:
            return {{80, 82}, 2};
        case DType::Q3_K:
            return {{108, 0}, 1};
        case DType::Q6_K:
            return {{208, 0}, 1};
        default:
            return {{0, 0}, 0};
    }
}

// `scale` sets the typical magnitude of block scales (and of float weights).
inline std::vector<uint8_t> random_weights(DType t, int64_t n_elems, std::mt19937& rng,
                                           float scale = 0.01f) {
    const size_t bytes = row_bytes(t, n_elems);
    std::vector<uint8_t> out(bytes);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
    std::uniform_real_distribution<float> mag(0.25f, 1.0f);
    auto put16 = [&](size_t off, uint16_t v) { std::memcpy(out.data() + off, &v, 2); };
    switch (t) {
        case DType::F32:
            for (int64_t i = 0; i < n_elems; ++i) {
                const float v = unit(rng) * scale * 10.0f;
                std::memcpy(out.data() + 4 * i, &v, 4);
            }
            return out;
        case DType::F16:
            for (int64_t i = 0; i < n_elems; ++i)
                put16(2 * i, f32_to_fp16(unit(rng) * scale * 10.0f));
            return out;
        case DType::BF16:
            for (int64_t i = 0; i < n_elems; ++i)
                put16(2 * i, f32_to_bf16(unit(rng) * scale * 10.0f));
            return out;
        default:
            break;
    }
    for (uint8_t& b : out) b = static_cast<uint8_t>(byte(rng));
    const ScaleFields f = scale_fields(t);
    const size_t block = dtype_info(t).block_bytes;
    for (size_t b0 = 0; b0 < bytes; b0 += block) {
        for (int k = 0; k < f.count; ++k) {
            const float sign = unit(rng) < 0 ? -1.0f : 1.0f;
            put16(b0 + f.offsets[k], f32_to_fp16(sign * mag(rng) * scale));
        }
    }
    return out;
}

inline std::vector<float> random_floats(int64_t n, std::mt19937& rng, float scale = 1.0f) {
    std::normal_distribution<float> normal(0.0f, scale);
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v) x = normal(rng);
    return v;
}

}  // namespace flash::testing
