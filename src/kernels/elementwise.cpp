// Row operations of the forward pass, following ggml's CPU definitions (rms_norm sums in
// double, GELU is the tanh approximation, RoPE advances theta by
// repeated multiplication as ggml_rope_cache_init does). Only the reductions have SIMD forms.
#include <cmath>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels {
namespace {

inline float silu1(float x) {
    return x / (1.0f + std::exp(-x));
}

inline float gelu1(float x) {
    constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
    constexpr float kCoef = 0.044715f;
    return 0.5f * x * (1.0f + std::tanh(kSqrt2OverPi * x * (1.0f + kCoef * x * x)));
}

// out = x * scale * w with scale from the sum of squares; shared by both paths.
void rmsnorm_apply(float* out, const float* x, const float* w, int64_t n, float eps,
                   double sum_sq) {
    const float mean = static_cast<float>(sum_sq / static_cast<double>(n));
    const float scale = 1.0f / std::sqrt(mean + eps);
    if (w) {
        for (int64_t i = 0; i < n; ++i) out[i] = (x[i] * scale) * w[i];
    } else {
        for (int64_t i = 0; i < n; ++i) out[i] = x[i] * scale;
    }
}

}  // namespace

// ---- References ---------------------------------------------------------------------------

void ref::rmsnorm(float* out, const float* x, const float* w, int64_t n, float eps) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i] * x[i]);
    rmsnorm_apply(out, x, w, n, eps, sum);
}

void ref::silu(float* x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) x[i] = silu1(x[i]);
}

void ref::gelu(float* x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) x[i] = gelu1(x[i]);
}

float ref::dot_f32(const float* a, const float* b, int64_t n) {
    float sum = 0.0f;
    for (int64_t i = 0; i < n; ++i) sum += a[i] * b[i];
    return sum;
}

// ---- Dispatched ---------------------------------------------------------------------------

void rmsnorm(float* out, const float* x, const float* w, int64_t n, float eps) {
#ifdef FLASH_KERNELS_X86
    if (detail::use_avx2()) {
        rmsnorm_apply(out, x, w, n, eps, detail::avx2_sum_squares(x, n));
        return;
    }
#endif
#ifdef FLASH_KERNELS_ARM
    if (detail::use_neon()) {
        rmsnorm_apply(out, x, w, n, eps, detail::neon_sum_squares(x, n));
        return;
    }
#endif
    ref::rmsnorm(out, x, w, n, eps);
}

void silu(float* x, int64_t n) {
    ref::silu(x, n);
}
void gelu(float* x, int64_t n) {
    ref::gelu(x, n);
}

void swiglu(float* gate, const float* up, int64_t n) {
#ifdef FLASH_KERNELS_X86
    if (detail::use_avx2()) return detail::avx2_swiglu(gate, up, n);
#endif
    for (int64_t i = 0; i < n; ++i) gate[i] = silu1(gate[i]) * up[i];
}

void geglu(float* gate, const float* up, int64_t n) {
#ifdef FLASH_KERNELS_X86
    if (detail::use_avx2()) return detail::avx2_geglu(gate, up, n);
#endif
    for (int64_t i = 0; i < n; ++i) gate[i] = gelu1(gate[i]) * up[i];
}

float dot_f32(const float* a, const float* b, int64_t n) {
#ifdef FLASH_KERNELS_X86
    if (detail::use_avx2()) return detail::avx2_dot_f32(a, b, n);
#endif
#ifdef FLASH_KERNELS_ARM
    if (detail::use_neon()) return detail::neon_dot_f32(a, b, n);
#endif
    return ref::dot_f32(a, b, n);
}

void axpy_f32(float* y, float a, const float* x, int64_t n) {
#ifdef FLASH_KERNELS_X86
    if (detail::use_avx2()) {
        detail::avx2_axpy_f32(y, a, x, n);
        return;
    }
#endif
#ifdef FLASH_KERNELS_ARM
    if (detail::use_neon()) {
        detail::neon_axpy_f32(y, a, x, n);
        return;
    }
#endif
    for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

// theta for pair i = pos * freq_scale * base^(-2i/n_rot) / freq_factors[i]: ggml computes
// base^(-2/n_rot) once and multiplies it in per pair, then applies freq_scale (no YaRN here).
void rope_angles(float* cs, int64_t n_rot, int64_t pos, float base, float freq_scale,
                 const float* freq_factors) {
    const float theta_scale = std::pow(base, -2.0f / static_cast<float>(n_rot));
    float theta_base = static_cast<float>(pos);
    for (int64_t i = 0; i < n_rot / 2; ++i) {
        const float ff = freq_factors ? freq_factors[i] : 1.0f;
        const float theta = freq_scale * (theta_base / ff);
        theta_base *= theta_scale;
        cs[2 * i] = std::cos(theta);
        cs[2 * i + 1] = std::sin(theta);
    }
}

void rope_rotate(float* x, int64_t n_rot, RopeStyle style, const float* cs) {
    const int64_t half = n_rot / 2;
    for (int64_t i = 0; i < half; ++i) {
        const float c = cs[2 * i], s = cs[2 * i + 1];
        const int64_t a = style == RopeStyle::Normal ? 2 * i : i;
        const int64_t b = style == RopeStyle::Normal ? 2 * i + 1 : i + half;
        const float x0 = x[a], x1 = x[b];
        x[a] = x0 * c - x1 * s;
        x[b] = x0 * s + x1 * c;
    }
}

void rope(float* x, int64_t head_dim, int64_t n_rot, int64_t pos, float base, float freq_scale,
          RopeStyle style, const float* freq_factors) {
    if (n_rot > head_dim) n_rot = head_dim;
    thread_local std::vector<float> cs;
    cs.resize(static_cast<size_t>(n_rot));
    rope_angles(cs.data(), n_rot, pos, base, freq_scale, freq_factors);
    rope_rotate(x, n_rot, style, cs.data());
}

}  // namespace flash::kernels
