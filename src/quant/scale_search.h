// The per-group scale searches ggml's reference quantizers share: given a small group of values,
// find the scale (and for the asymmetric ones the min) whose rounded levels fit them best. Kept
// step for step as ggml has them (float arithmetic, same order), because a different rounding
// anywhere changes the bytes. Depends on nothing.
#pragma once

#include <cstdint>

namespace flash::quant {

// Below this a group counts as all zeros.
inline constexpr float kGroupMaxEps = 1e-15f;

// Round to nearest, ties to even, as ggml does it (through the float mantissa).
int nearest_int(float v);

// Symmetric, weighted by x²: L[i] in [0, 2 nmax), value ≈ scale * (L[i] - nmax).
float make_qx_quants(int n, int nmax, const float* x, int8_t* L);

// Asymmetric: value ≈ scale * L[i] - *the_min with L[i] in [0, nmax], trying nstep + 1 scales
// around nmax / (max - min). use_mad scores by weighted absolute error instead of squared.
float make_qkx2_quants(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                       float* the_min, uint8_t* Laux, float rmin, float rdelta, int nstep,
                       bool use_mad);

// Symmetric for 3-bit levels: L[i] in [0, 2 nmax), refined level by level (do_rmse) to
// minimise x²-weighted squared error.
float make_q3_quants(int n, int nmax, const float* x, int8_t* L, bool do_rmse);

}  // namespace flash::quant
