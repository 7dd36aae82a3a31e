// The batched product of a prompt chunk on the GPU: y[t][r] = sum_k W[r][k] x[t][k] for n tokens,
// a tiled f32 GEMM whose weight tiles are dequantized into shared memory as they are loaded (the
// per-element accessors of block_math.h, as the CPU's scalar reference reads them), so no
// dequantized copy of a matrix is kept. Each block computes 64 weight rows x 32 tokens, each
// thread 4 x 2 of them, k in steps of 32. Correct first: tensor cores (cuBLAS on dequantized
// tiles, or int8) are measured against it on a GPU. One token goes through matvec.
#include <cuda_runtime.h>

#include <string>

#include "core/error.h"
#include "cuda/block_math.h"
#include "cuda/cuda_check.h"
#include "cuda/launch.h"

namespace flash::cuda {
namespace {

constexpr int kTileRows = 64, kTileTokens = 32, kTileK = 32, kThreads = 256;

template <DType T>
__global__ void matmul_kernel(const uint8_t* w, size_t row_bytes, int64_t rows, int64_t cols,
                              const float* x, int64_t n, float* y) {
    __shared__ float ws[kTileK][kTileRows + 1];    // ws[k][row]
    __shared__ float xs[kTileK][kTileTokens + 1];  // xs[k][token]
    const int64_t row0 = static_cast<int64_t>(blockIdx.x) * kTileRows;
    const int64_t tok0 = static_cast<int64_t>(blockIdx.y) * kTileTokens;
    const int tid = static_cast<int>(threadIdx.x), ty = tid / 16, tx = tid % 16;
    float acc[4][2] = {};
    for (int64_t k0 = 0; k0 < cols; k0 += kTileK) {
        // Neighbouring threads take neighbouring k of one row (neighbouring bytes).
        for (int i = tid; i < kTileRows * kTileK; i += kThreads) {
            const int r = i / kTileK, kk = i % kTileK;
            const int64_t row = row0 + r, k = k0 + kk;
            ws[kk][r] = row < rows && k < cols ? weight<T>(w + row * row_bytes, k) : 0.0f;
        }
        for (int i = tid; i < kTileTokens * kTileK; i += kThreads) {
            const int t = i / kTileK, kk = i % kTileK;
            const int64_t tok = tok0 + t, k = k0 + kk;
            xs[kk][t] = tok < n && k < cols ? x[tok * cols + k] : 0.0f;
        }
        __syncthreads();
        for (int kk = 0; kk < kTileK; ++kk) {
            float a[4], b[2];
            for (int i = 0; i < 4; ++i) a[i] = ws[kk][ty * 4 + i];
            for (int j = 0; j < 2; ++j) b[j] = xs[kk][tx * 2 + j];
            for (int i = 0; i < 4; ++i)
                for (int j = 0; j < 2; ++j) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        __syncthreads();
    }
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 2; ++j) {
            const int64_t row = row0 + ty * 4 + i, tok = tok0 + tx * 2 + j;
            if (row < rows && tok < n) y[tok * rows + row] = acc[i][j];
        }
}

}  // namespace

void launch::matmul(DType t, const void* w, int64_t rows, int64_t cols, const float* x, int64_t n,
                    float* y) {
    if (n == 1) return matvec(t, w, rows, cols, x, y);
    if (n <= 0 || rows <= 0) return;
    const dim3 grid(static_cast<unsigned>((rows + kTileRows - 1) / kTileRows),
                    static_cast<unsigned>((n + kTileTokens - 1) / kTileTokens));
    const bool known = dispatch_type(t, [&](auto type) {
        constexpr DType T = decltype(type)::value;
        matmul_kernel<T><<<grid, kThreads, 0, stream()>>>(static_cast<const uint8_t*>(w),
                                                          row_bytes(T, cols), rows, cols, x, n, y);
    });
    if (!known)
        throw Error("CUDA matmul: weights of type " + std::string(dtype_name(t)) +
                    " are not supported");
    check(cudaGetLastError(), "launching matmul");
}

}  // namespace flash::cuda
