// A stand-in for the GPU, for testing cuda/cuda_model.cpp where there is none: device memory is
// host memory and each launcher of cuda/launch.h does on the CPU what its CUDA kernel does, in
// the kernel's arithmetic (the rotary angles from theta_scale by repeated multiplication, the
// attention in three passes). It checks the forward pass's orchestration (which buffer, which
// offset, which layer options) on every CI run; the kernels themselves are checked against the
// CPU on a real GPU (tests/cuda). Test-only: never linked into flash.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/fp16.h"
#include "cuda/block_math.h"
#include "cuda/cuda_backend.h"
#include "cuda/gpu_plan.h"
#include "cuda/launch.h"
#include "cuda_host/host_launch.h"
#include "kernels/kernels.h"

namespace flash::cuda {

int device_count() {
    return 1;
}

DeviceInfo device_info(int) {
    return {.name = "host stand-in",
            .compute_capability = 0,
            .multiprocessors = 1,
            .total_bytes = size_t{1} << 34,
            .free_bytes = size_t{1} << 34};
}

DeviceBuffer::DeviceBuffer(size_t bytes) : bytes_(bytes) {
    if (bytes == 0) return;
    data_ = std::calloc(bytes, 1);
    if (!data_) throw Error("host stand-in: out of memory");
}

DeviceBuffer::~DeviceBuffer() {
    std::free(data_);
}

DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
        std::free(data_);
        data_ = std::exchange(other.data_, nullptr);
        bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
}

void DeviceBuffer::upload(const void* src, size_t n, size_t offset) {
    launch::host::refuse_while_capturing("a copy to the device");
    if (offset > bytes_ || n > bytes_ - offset) throw Error("host stand-in: upload out of range");
    if (n) std::memcpy(static_cast<char*>(data_) + offset, src, n);
}

void DeviceBuffer::download(void* dst, size_t n, size_t offset) const {
    launch::host::refuse_while_capturing("a copy from the device");
    if (offset > bytes_ || n > bytes_ - offset) throw Error("host stand-in: download out of range");
    if (n) std::memcpy(dst, static_cast<const char*>(data_) + offset, n);
}

bool matvec_supports(DType t) {
    return dispatch_type(t, [](auto) {});
}

MatvecKernel default_matvec_kernel() {
    return MatvecKernel::Blocks;
}

MatmulKernel default_matmul_kernel() {
    return MatmulKernel::Simt;
}

namespace launch {

namespace {

// The Blocks kernels' arithmetic for n tokens of one row: lane l's sum of runs_dot over the
// row's units, then the warp's shuffle-down tree (lane l adds lane l + offset for offsets 16, 8,
// 4, 2, 1); y[t * rows] for token t.
template <DType T>
void blocks_row(const uint8_t* row, int64_t rows, int64_t cols, const float* x, int64_t n,
                float* y) {
    for (int64_t t = 0; t < n; ++t) {
        float lanes[32] = {};
        LaneRuns runs;
        for (int64_t u = 0; u < matvec_units(cols); ++u)
            for (int l = 0; l < 32; ++l)
                if (lane_weights<T>(row, u, l, cols, runs))
                    lanes[l] += runs_dot(runs, x + t * cols);
        for (int offset = 16; offset > 0; offset /= 2)
            for (int l = 0; l + offset < 32; ++l) lanes[l] += lanes[l + offset];
        y[t * rows] = lanes[0];
    }
}

void blocks_rows(DType t, const void* w, int64_t rows, int64_t cols, const float* x, int64_t n,
                 float* y) {
    dispatch_type(t, [&](auto type) {
        constexpr DType T = decltype(type)::value;
        if constexpr (quantized_type(T))
            for (int64_t r = 0; r < rows; ++r)
                blocks_row<T>(static_cast<const uint8_t*>(w) + r * row_bytes(T, cols), rows, cols,
                              x, n, y + r);
    });
}

// The Elements kernel's place (and the GEMM's): dequantize_row, then the CPU's dot product,
// token by token.
void elements_rows(DType t, const void* w, int64_t rows, int64_t cols, const float* x, int64_t n,
                   float* y) {
    const size_t stride = row_bytes(t, cols);
    std::vector<float> row(static_cast<size_t>(cols));
    for (int64_t r = 0; r < rows; ++r) {
        kernels::dequantize_row(t, static_cast<const uint8_t*>(w) + r * stride, row.data(), cols);
        for (int64_t tok = 0; tok < n; ++tok)
            y[tok * rows + r] = kernels::dot_f32(row.data(), x + tok * cols, cols);
    }
}

}  // namespace

void matvec(DType t, const void* w, int64_t rows, int64_t cols, const float* x, float* y,
            MatvecKernel kernel) {
    host::run_or_record([=] {
        if (kernel == MatvecKernel::Blocks && quantized_type(t))
            blocks_rows(t, w, rows, cols, x, 1, y);
        else
            elements_rows(t, w, rows, cols, x, 1, y);
    });
}

void matvec_tokens(DType t, const void* w, int64_t rows, int64_t cols, const float* x, int64_t n,
                   float* y) {
    if (!quantized_type(t) || n < 1 || n > kMatvecTokens)
        throw Error("host stand-in: matvec_tokens of " + std::to_string(n) + " tokens");
    host::run_or_record([=] { blocks_rows(t, w, rows, cols, x, n, y); });
}

// As matmul.cu routes: one token to matvec, a few of quantized weights to matvec_tokens, more to
// the GEMM (either kernel: summed here token by token as the Elements kernel does).
void matmul(DType t, const void* w, int64_t rows, int64_t cols, const float* x, int64_t n, float* y,
            MatmulKernel) {
    if (n == 1) return matvec(t, w, rows, cols, x, y);
    if (n <= kMatvecTokens && quantized_type(t)) return matvec_tokens(t, w, rows, cols, x, n, y);
    host::run_or_record([=] { elements_rows(t, w, rows, cols, x, n, y); });
}

void rmsnorm(const float* x, const float* w, int64_t rows, int64_t n, float eps, float* out) {
    host::run_or_record([=] {
        for (int64_t r = 0; r < rows; ++r) kernels::rmsnorm(out + r * n, x + r * n, w, n, eps);
    });
}

void glu(bool gelu, float* gate, const float* up, int64_t n) {
    host::run_or_record([=] { gelu ? kernels::geglu(gate, up, n) : kernels::swiglu(gate, up, n); });
}

void rope(float* x, int64_t n_tokens, int64_t n_heads, int64_t head_dim, int64_t n_rot,
          const int32_t* positions, float theta_scale, float freq_scale, bool neox,
          const float* freq_factors) {
    host::run_or_record([=] {
        const int64_t half = std::min(n_rot, head_dim) / 2;
        for (int64_t head = 0; head < n_tokens * n_heads; ++head) {
            float* h = x + head * head_dim;
            for (int64_t i = 0; i < half; ++i) {
                float theta_base = static_cast<float>(positions[head / n_heads]);
                for (int64_t k = 0; k < i; ++k) theta_base *= theta_scale;
                const float theta =
                    freq_scale * (theta_base / (freq_factors ? freq_factors[i] : 1.0f));
                const float c = std::cos(theta), s = std::sin(theta);
                const int64_t a = neox ? i : 2 * i, b = neox ? i + half : 2 * i + 1;
                const float x0 = h[a], x1 = h[b];
                h[a] = x0 * c - x1 * s;
                h[b] = x0 * s + x1 * c;
            }
        }
    });
}

void add(float* x, const float* y, int64_t n, int64_t period) {
    host::run_or_record([=] {
        for (int64_t i = 0; i < n; ++i) x[i] += y[i % period];
    });
}

void store_kv(const float* k, const float* v, uint16_t* k_cache, uint16_t* v_cache,
              int64_t n_tokens, const int32_t* positions, const int32_t* slots, int64_t n_ctx,
              int64_t kv_dim, int64_t v_dim) {
    host::run_or_record([=] {
        for (int64_t t = 0; t < n_tokens; ++t) {
            const int64_t row = static_cast<int64_t>(slots[t]) * n_ctx + positions[t];
            for (int64_t i = 0; i < kv_dim; ++i)
                k_cache[row * kv_dim + i] = f32_to_fp16(k[t * kv_dim + i]);
            for (int64_t i = 0; i < v_dim; ++i)
                v_cache[row * v_dim + i] = f32_to_fp16(v[t * v_dim + i]);
        }
    });
}

// attention.cu's parts and their merge, in its order: per part the scores, maximum, exponentials
// and unnormalised values (written to `partial` as the kernel writes them), then the rescaled sum.
void attention(const float* q, const uint16_t* k_cache, const uint16_t* v_cache, int64_t n_tokens,
               const int32_t* positions, const int32_t* slots, int64_t n_ctx, int64_t window,
               int64_t n_head, int64_t group, int64_t head_dim, int64_t head_dim_v, int64_t kv_dim,
               int64_t v_dim, float scale, int64_t part_len, float* scores, float* partial,
               float* out) {
    host::run_or_record([=] {
        const int64_t n_parts = attention_parts(n_ctx, part_len), stride = head_dim_v + 2;
        for (int64_t t = 0; t < n_tokens; ++t) {
            const int64_t last_position = positions[t];
            const int64_t base = static_cast<int64_t>(slots[t]) * n_ctx;
            const int64_t first_position =
                window > 0 ? std::max<int64_t>(0, last_position - window + 1) : 0;
            for (int64_t h = 0; h < n_head; ++h) {
                const int64_t kvh = h / group;
                const float* qh = q + (t * n_head + h) * head_dim;
                float* s = scores + (t * n_head + h) * n_ctx;
                float* parts = partial + (t * n_head + h) * n_parts * stride;
                for (int64_t p = 0; p < n_parts; ++p) {
                    float* part = parts + p * stride;
                    const int64_t first = first_position + p * part_len;
                    const int64_t last = std::min(first + part_len - 1, last_position);
                    if (first > last) {
                        part[0] = -INFINITY, part[1] = 0.0f;
                        continue;
                    }
                    float max = -INFINITY;
                    for (int64_t j = first; j <= last; ++j) {
                        const uint16_t* k = k_cache + (base + j) * kv_dim + kvh * head_dim;
                        float dot = 0.0f;
                        for (int64_t d = 0; d < head_dim; ++d)
                            dot = std::fma(qh[d], fp16_to_f32(k[d]), dot);
                        s[j] = dot * scale;
                        max = std::max(max, s[j]);
                    }
                    float sum = 0.0f;
                    for (int64_t j = first; j <= last; ++j) {
                        s[j] = std::exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int64_t d = 0; d < head_dim_v; ++d) {
                        float acc = 0.0f;
                        for (int64_t j = first; j <= last; ++j)
                            acc = std::fma(
                                s[j],
                                fp16_to_f32(v_cache[(base + j) * v_dim + kvh * head_dim_v + d]),
                                acc);
                        part[2 + d] = acc;
                    }
                    part[0] = max, part[1] = sum;
                }
                float max = -INFINITY, sum = 0.0f;
                for (int64_t p = 0; p < n_parts; ++p)
                    if (parts[p * stride + 1] > 0.0f) max = std::max(max, parts[p * stride]);
                for (int64_t p = 0; p < n_parts; ++p)
                    if (parts[p * stride + 1] > 0.0f)
                        sum += std::exp(parts[p * stride] - max) * parts[p * stride + 1];
                for (int64_t d = 0; d < head_dim_v; ++d) {
                    float acc = 0.0f;
                    for (int64_t p = 0; p < n_parts; ++p)
                        if (parts[p * stride + 1] > 0.0f)
                            acc += std::exp(parts[p * stride] - max) * parts[p * stride + 2 + d];
                    out[(t * n_head + h) * head_dim_v + d] = acc / sum;
                }
            }
        }
    });
}

void copy(void* dst, const void* src, size_t n) {
    host::run_or_record([=] { std::memmove(dst, src, n); });
}

void synchronize(const char*) {
    host::refuse_while_capturing("a wait");
}

struct Graph {
    std::vector<std::function<void()>> steps;
};

void GraphDeleter::operator()(Graph* graph) const {
    delete graph;
}

namespace {
std::unique_ptr<Graph> capture;  // the recording under way, if any
}  // namespace

bool host::capturing() {
    return capture != nullptr;
}

void host::record(std::function<void()> step) {
    capture->steps.push_back(std::move(step));
}

void host::refuse_while_capturing(const char* what) {
    if (capture) throw Error(std::string("host stand-in: ") + what + " during a graph capture");
}

void begin_capture() {
    if (capture) throw Error("host stand-in: a graph capture inside another");
    capture = std::make_unique<Graph>();
}

GraphPtr end_capture() {
    if (!capture) throw Error("host stand-in: no graph capture to end");
    return GraphPtr(capture.release());
}

void replay(const Graph& graph) {
    for (const auto& step : graph.steps) step();
}

}  // namespace launch
}  // namespace flash::cuda
