// The forward pass's row operations on the GPU (cuda_backend.h), with the CPU kernels'
// arithmetic (kernels/elementwise.cpp): RMSNorm's sum of squares in double, GELU's tanh form,
// RoPE's theta advanced by repeated multiplication as ggml_rope_cache_init does.
#include <cuda_runtime.h>

#include <cmath>
#include <string>

#include "core/error.h"
#include "cuda/cuda_backend.h"
#include "cuda/cuda_check.h"
#include "cuda/launch.h"
#include "cuda/row_math.cuh"

namespace flash::cuda {
namespace {

void finish(const char* what) {
    check(cudaGetLastError(), what);
    check(cudaDeviceSynchronize(), what);
}

void need(const DeviceBuffer& b, size_t bytes, const char* op, const char* which) {
    if (b.bytes() < bytes)
        throw Error(std::string("CUDA ") + op + ": " + which + " holds " +
                    std::to_string(b.bytes()) + " bytes, " + std::to_string(bytes) + " needed");
}

// One block per row: each thread sums the squares of its elements in double, then the block.
__global__ void rmsnorm_kernel(const float* x, const float* w, int64_t n, float eps, float* out) {
    __shared__ double partial[kRowThreads];
    const float* row = x + blockIdx.x * n;
    float* dst = out + blockIdx.x * n;
    const float scale = block_rms_scale(row, n, eps, partial);
    for (int64_t i = threadIdx.x; i < n; i += kRowThreads) dst[i] = rms_normed(row, scale, w, i);
}

__device__ inline float gelu1(float x) {
    constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
    constexpr float kCoef = 0.044715f;
    return 0.5f * x * (1.0f + tanhf(kSqrt2OverPi * x * (1.0f + kCoef * x * x)));
}

template <bool Gelu>
__global__ void glu_kernel(float* gate, const float* up, int64_t n) {
    const int64_t i = static_cast<int64_t>(blockIdx.x) * kRowThreads + threadIdx.x;
    if (i < n) gate[i] = (Gelu ? gelu1(gate[i]) : silu1(gate[i])) * up[i];
}

// One thread per rotated pair of one head.
__global__ void rope_kernel(float* x, int64_t n_heads, int64_t head_dim, int64_t half,
                            const int32_t* positions, float theta_scale, float freq_scale,
                            bool neox, const float* freq_factors, int64_t total) {
    const int64_t id = static_cast<int64_t>(blockIdx.x) * kRowThreads + threadIdx.x;
    if (id >= total) return;
    const int64_t i = id % half, head = id / half;
    float theta_base = static_cast<float>(positions[head / n_heads]);
    for (int64_t k = 0; k < i; ++k) theta_base = __fmul_rn(theta_base, theta_scale);
    const float ff = freq_factors ? freq_factors[i] : 1.0f;
    const float theta = __fmul_rn(freq_scale, __fdiv_rn(theta_base, ff));
    const float c = cosf(theta), s = sinf(theta);
    float* h = x + head * head_dim;
    const int64_t a = neox ? i : 2 * i, b = neox ? i + half : 2 * i + 1;
    const float x0 = h[a], x1 = h[b];
    h[a] = __fsub_rn(__fmul_rn(x0, c), __fmul_rn(x1, s));
    h[b] = __fadd_rn(__fmul_rn(x0, s), __fmul_rn(x1, c));
}

__global__ void add_kernel(float* x, const float* y, int64_t n, int64_t period) {
    const int64_t i = static_cast<int64_t>(blockIdx.x) * kRowThreads + threadIdx.x;
    if (i < n) x[i] = __fadd_rn(x[i], y[i % period]);
}

}  // namespace

namespace launch {

void rmsnorm(const float* x, const float* w, int64_t rows, int64_t n, float eps, float* out) {
    if (rows <= 0 || n <= 0) return;
    rmsnorm_kernel<<<static_cast<unsigned>(rows), kRowThreads, 0, stream()>>>(x, w, n, eps, out);
    check(cudaGetLastError(), "launching rmsnorm");
}

void glu(bool gelu, float* gate, const float* up, int64_t n) {
    if (n <= 0) return;
    if (gelu) {
        glu_kernel<true><<<blocks_for(n), kRowThreads, 0, stream()>>>(gate, up, n);
    } else {
        glu_kernel<false><<<blocks_for(n), kRowThreads, 0, stream()>>>(gate, up, n);
    }
    check(cudaGetLastError(), gelu ? "launching geglu" : "launching swiglu");
}

void rope(float* x, int64_t n_tokens, int64_t n_heads, int64_t head_dim, int64_t n_rot,
          const int32_t* positions, float theta_scale, float freq_scale, bool neox,
          const float* freq_factors) {
    if (n_rot > head_dim) n_rot = head_dim;
    const int64_t half = n_rot / 2, total = n_tokens * n_heads * half;
    if (total <= 0) return;
    rope_kernel<<<blocks_for(total), kRowThreads, 0, stream()>>>(
        x, n_heads, head_dim, half, positions, theta_scale, freq_scale, neox, freq_factors, total);
    check(cudaGetLastError(), "launching rope");
}

void add(float* x, const float* y, int64_t n, int64_t period) {
    if (n <= 0 || period <= 0) return;
    add_kernel<<<blocks_for(n), kRowThreads, 0, stream()>>>(x, y, n, period);
    check(cudaGetLastError(), "launching add");
}

}  // namespace launch

void rmsnorm(const DeviceBuffer& x, const DeviceBuffer* w, int64_t rows, int64_t n, float eps,
             DeviceBuffer& out) {
    if (rows <= 0 || n <= 0) return;
    const size_t bytes = static_cast<size_t>(rows * n) * sizeof(float);
    need(x, bytes, "rmsnorm", "x");
    need(out, bytes, "rmsnorm", "out");
    if (w) need(*w, static_cast<size_t>(n) * sizeof(float), "rmsnorm", "the weight");
    launch::rmsnorm(static_cast<const float*>(x.data()),
                    w ? static_cast<const float*>(w->data()) : nullptr, rows, n, eps,
                    static_cast<float*>(out.data()));
    finish("running rmsnorm");
}

static void glu_checked(bool gelu, DeviceBuffer& gate, const DeviceBuffer& up, int64_t n) {
    if (n <= 0) return;
    const char* name = gelu ? "geglu" : "swiglu";
    need(gate, static_cast<size_t>(n) * sizeof(float), name, "gate");
    need(up, static_cast<size_t>(n) * sizeof(float), name, "up");
    launch::glu(gelu, static_cast<float*>(gate.data()), static_cast<const float*>(up.data()), n);
    finish(name);
}

void swiglu(DeviceBuffer& gate, const DeviceBuffer& up, int64_t n) {
    glu_checked(false, gate, up, n);
}

void geglu(DeviceBuffer& gate, const DeviceBuffer& up, int64_t n) {
    glu_checked(true, gate, up, n);
}

void rope(DeviceBuffer& x, int64_t n_tokens, int64_t n_heads, int64_t head_dim, int64_t n_rot,
          const DeviceBuffer& positions, float base, float freq_scale, bool neox,
          const DeviceBuffer* freq_factors) {
    if (n_rot > head_dim) n_rot = head_dim;
    const int64_t half = n_rot / 2, total = n_tokens * n_heads * half;
    if (total <= 0) return;
    need(x, static_cast<size_t>(n_tokens * n_heads * head_dim) * sizeof(float), "rope", "x");
    need(positions, static_cast<size_t>(n_tokens) * sizeof(int32_t), "rope", "positions");
    if (freq_factors)
        need(*freq_factors, static_cast<size_t>(half) * sizeof(float), "rope", "freq_factors");
    launch::rope(static_cast<float*>(x.data()), n_tokens, n_heads, head_dim, n_rot,
                 static_cast<const int32_t*>(positions.data()),
                 launch::rope_theta_scale(base, n_rot), freq_scale, neox,
                 freq_factors ? static_cast<const float*>(freq_factors->data()) : nullptr);
    finish("running rope");
}

}  // namespace flash::cuda
