// The batched product of a prompt chunk on the GPU: y[t][r] = sum_k W[r][k] x[t][k] for n tokens,
// tiled GEMMs whose weight tiles are dequantized into shared memory as they are loaded (the
// per-element accessors of block_math.h, as the CPU's scalar reference reads them), so no
// dequantized copy of a matrix is kept. Two kernels (MatmulKernel): Simt, the default, f32 fused
// multiply-adds, each block 64 weight rows x 32 tokens and each thread 4 x 2 of them, k in steps
// of 32; Tf32x3, the same tiles on the tensor cores (WMMA, sm_80 and later) with each f32 operand
// split into a TF32 part and a TF32 remainder and three products summed (big x small,
// small x big, big x big), which keeps f32's accuracy. Tf32x3 stays opt-in until a GPU run has
// measured it against Simt. One token goes through matvec, up to kMatvecTokens of quantized
// weights through matvec_tokens.
#include <cuda_runtime.h>
#include <mma.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "core/error.h"
#include "cuda/block_math.h"
#include "cuda/cuda_check.h"
#include "cuda/launch.h"

namespace flash::cuda {
namespace {

constexpr int kTileRows = 64, kTileTokens = 32, kTileK = 32, kThreads = 256;

// One k step's tiles of the block at (row0, tok0): put_w(r, kk, W[row0 + r][k0 + kk]) for the
// kTileRows x kTileK weights (dequantized) and put_x(t, kk, x[tok0 + t][k0 + kk]) for the
// kTileTokens x kTileK inputs, 0 past the edges, split over the block's Threads threads;
// neighbouring threads take neighbouring k of one row (neighbouring bytes).
template <DType T, int Threads, class PutW, class PutX>
__device__ void load_tiles(const uint8_t* w, size_t row_bytes, int64_t rows, int64_t cols,
                           const float* x, int64_t n, int64_t row0, int64_t tok0, int64_t k0,
                           PutW put_w, PutX put_x) {
    const int tid = static_cast<int>(threadIdx.x);
    for (int i = tid; i < kTileRows * kTileK; i += Threads) {
        const int r = i / kTileK, kk = i % kTileK;
        const int64_t row = row0 + r, k = k0 + kk;
        put_w(r, kk, row < rows && k < cols ? weight<T>(w + row * row_bytes, k) : 0.0f);
    }
    for (int i = tid; i < kTileTokens * kTileK; i += Threads) {
        const int t = i / kTileK, kk = i % kTileK;
        const int64_t tok = tok0 + t, k = k0 + kk;
        put_x(t, kk, tok < n && k < cols ? x[tok * cols + k] : 0.0f);
    }
}

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
        load_tiles<T, kThreads>(
            w, row_bytes, rows, cols, x, n, row0, tok0, k0,
            [&](int r, int kk, float v) { ws[kk][r] = v; },
            [&](int t, int kk, float v) { xs[kk][t] = v; });
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

// ---- Tf32x3: 4 warps, each 16 weight rows x 32 tokens as two 16 x 16 accumulators ------------
constexpr int kTcThreads = 128, kTcLd = kTileK + 4;  // shared rows padded (32-byte aligned)

// big = v rounded to TF32, small = the remainder rounded to TF32, element by element.
template <class Fragment>
__device__ void split_tf32(Fragment& big, Fragment& small) {
    for (int i = 0; i < big.num_elements; ++i) {
        const float v = big.x[i];
        big.x[i] = nvcuda::wmma::__float_to_tf32(v);
        small.x[i] = nvcuda::wmma::__float_to_tf32(v - big.x[i]);
    }
}

template <DType T>
__global__ void matmul_tf32x3_kernel(const uint8_t* w, size_t row_bytes, int64_t rows, int64_t cols,
                                     const float* x, int64_t n, float* y) {
#if __CUDA_ARCH__ >= 800
    using namespace nvcuda;
    __shared__ __align__(32) float ws[kTileRows * kTcLd];         // ws[r][k]: A, row-major
    __shared__ __align__(32) float xs[kTileTokens * kTcLd];       // xs[t][k]: B (k x t), col-major
    __shared__ __align__(32) float out[kTileTokens * kTileRows];  // out[t][r]: D, col-major
    const int64_t row0 = static_cast<int64_t>(blockIdx.x) * kTileRows;
    const int64_t tok0 = static_cast<int64_t>(blockIdx.y) * kTileTokens;
    const int tid = static_cast<int>(threadIdx.x), warp = tid / 32;
    wmma::fragment<wmma::accumulator, 16, 16, 8, float> acc[2];
    wmma::fill_fragment(acc[0], 0.0f);
    wmma::fill_fragment(acc[1], 0.0f);
    for (int64_t k0 = 0; k0 < cols; k0 += kTileK) {
        load_tiles<T, kTcThreads>(
            w, row_bytes, rows, cols, x, n, row0, tok0, k0,
            [&](int r, int kk, float v) { ws[r * kTcLd + kk] = v; },
            [&](int t, int kk, float v) { xs[t * kTcLd + kk] = v; });
        __syncthreads();
        for (int kk = 0; kk < kTileK; kk += 8) {
            wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::row_major> a_big,
                a_small;
            wmma::load_matrix_sync(a_big, ws + warp * 16 * kTcLd + kk, kTcLd);
            split_tf32(a_big, a_small);
            for (int j = 0; j < 2; ++j) {
                wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::col_major>
                    b_big, b_small;
                wmma::load_matrix_sync(b_big, xs + j * 16 * kTcLd + kk, kTcLd);
                split_tf32(b_big, b_small);
                wmma::mma_sync(acc[j], a_small, b_big, acc[j]);
                wmma::mma_sync(acc[j], a_big, b_small, acc[j]);
                wmma::mma_sync(acc[j], a_big, b_big, acc[j]);
            }
        }
        __syncthreads();
    }
    for (int j = 0; j < 2; ++j)
        wmma::store_matrix_sync(out + j * 16 * kTileRows + warp * 16, acc[j], kTileRows,
                                wmma::mem_col_major);
    __syncthreads();
    for (int i = tid; i < kTileRows * kTileTokens; i += kTcThreads) {
        const int t = i / kTileRows, r = i % kTileRows;
        const int64_t row = row0 + r, tok = tok0 + t;
        if (row < rows && tok < n) y[tok * rows + row] = out[t * kTileRows + r];
    }
#endif
}

// FLASH_CUDA_MATMUL=tf32x3 puts the forward pass's chunks on the tensor cores.
MatmulKernel matmul_kernel_from_environment() {
    const char* v = std::getenv("FLASH_CUDA_MATMUL");
    return v && std::strcmp(v, "tf32x3") == 0 ? MatmulKernel::Tf32x3 : MatmulKernel::Simt;
}

}  // namespace

MatmulKernel default_matmul_kernel() {
    static const MatmulKernel kernel = matmul_kernel_from_environment();
    return kernel;
}

void launch::matmul(DType t, const void* w, int64_t rows, int64_t cols, const float* x, int64_t n,
                    float* y, MatmulKernel kernel) {
    if (n == 1) return matvec(t, w, rows, cols, x, y);
    // A few tokens (a server's decode step): the weights read once, no tile of 32 tokens.
    if (n <= kMatvecTokens && quantized_type(t) && default_matvec_kernel() == MatvecKernel::Blocks)
        return matvec_tokens(t, w, rows, cols, x, n, y);
    if (n <= 0 || rows <= 0) return;
    const dim3 grid(static_cast<unsigned>((rows + kTileRows - 1) / kTileRows),
                    static_cast<unsigned>((n + kTileTokens - 1) / kTileTokens));
    const bool known = dispatch_type(t, [&](auto type) {
        constexpr DType T = decltype(type)::value;
        if (kernel == MatmulKernel::Tf32x3) {
            matmul_tf32x3_kernel<T><<<grid, kTcThreads, 0, stream()>>>(
                static_cast<const uint8_t*>(w), row_bytes(T, cols), rows, cols, x, n, y);
            return;
        }
        matmul_kernel<T><<<grid, kThreads, 0, stream()>>>(static_cast<const uint8_t*>(w),
                                                          row_bytes(T, cols), rows, cols, x, n, y);
    });
    if (!known)
        throw Error("CUDA matmul: weights of type " + std::string(dtype_name(t)) +
                    " are not supported");
    check(cudaGetLastError(), "launching matmul");
}

}  // namespace flash::cuda
