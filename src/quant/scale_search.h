// The per-group scale searches ggml's reference quantizers share: given a small group of values,
// find the scale (and for the asymmetric ones the min) whose rounded levels fit them best. Kept
// step for step as ggml has them (float arithmetic, same order), because a different rounding
// anywhere changes the bytes. Depends on nothing.
#pragma once

#include <cmath>
#include <cstdint>

namespace flash::quant {

// Below this a group counts as all zeros.
inline constexpr float kGroupMaxEps = 1e-15f;

// Round to nearest, ties to even, as ggml does it (through the float mantissa).
int nearest_int(float v);

// Symmetric, weighted by `weights` (null: x², the reference quantizers' choice): L[i] in
// [0, 2 nmax), value ≈ scale * (L[i] - nmax).
float make_qx_quants(int n, int nmax, const float* x, int8_t* L, const float* weights = nullptr);

// Asymmetric: value ≈ scale * L[i] - *the_min with L[i] in [0, nmax], trying nstep + 1 scales
// around nmax / (max - min). use_mad scores by weighted absolute error instead of squared.
float make_qkx2_quants(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                       float* the_min, uint8_t* Laux, float rmin, float rdelta, int nstep,
                       bool use_mad);

// Symmetric for 3-bit levels: L[i] in [0, 2 nmax), refined level by level (do_rmse) to
// minimise weighted squared error (weights null: x²).
float make_q3_quants(int n, int nmax, const float* x, int8_t* L, bool do_rmse,
                     const float* weights = nullptr);

// The value of largest magnitude (the first on ties), as ggml picks it; its magnitude in amax.
float signed_max(const float* x, int n, float* amax = nullptr);

// Σ x² over n values.
float sum_squares(const float* x, int n);

// An imatrix-weighted value's weight in a scale search, as llama.cpp forms it: its importance
// times sqrt(σ² + x²), σ² the block's mean square (doubled for K-quants).
inline float importance_weight(float importance, float sigma2, float x) {
    return importance * std::sqrt(sigma2 + x * x);
}

}  // namespace flash::quant
