// Rounding helpers the scalar and SIMD activation quantizers agree on bit for bit.
#pragma once

#include <cmath>
#include <cstdint>

namespace flash::kernels {

// roundf (half away from zero), clamped to [-127, 127]; NaN maps to -127 the way the SIMD
// max/min sequence does. For finite inputs of llama.cpp's range this is exactly roundf.
inline int8_t round_away_i8(float v) {
    const float r = std::fmin(std::fmax(std::round(v), -127.0f), 127.0f);
    return static_cast<int8_t>(r);
}

// llama.cpp's nearest_int (round half to even) then MIN(127, v), for Q8_K.
inline int8_t round_even_q8k(float v) {
    const float r = std::fmin(std::fmax(std::nearbyint(v), -128.0f), 127.0f);
    return static_cast<int8_t>(r);
}

}  // namespace flash::kernels
