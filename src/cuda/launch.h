// Private to src/cuda: the kernels' launchers on raw device pointers, queued on one stream
// without waiting, so a forward pass (cuda_model.cpp) queues a whole token's work and waits
// once, or records it as a graph to replay. The public functions of cuda_backend.h check their
// buffers, call these and wait. Each launcher checks that the launch itself was accepted
// (flash::Error otherwise); errors while a kernel runs surface at the next synchronize().
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/dtype.h"
#include "cuda/cuda_backend.h"  // MatvecKernel

namespace flash::cuda::launch {

// y = W x for `rows` rows of `cols` elements of type t (matvec_supports(t) must hold).
void matvec(DType t, const void* w, int64_t rows, int64_t cols, const float* x, float* y,
            MatvecKernel kernel = default_matvec_kernel());
// matvec's Blocks kernel for 1 <= n <= kMatvecTokens tokens of quantized weights (x and y: n
// rows), the weights read once for all of them; each token's sum as matvec's alone.
inline constexpr int64_t kMatvecTokens = 8;
void matvec_tokens(DType t, const void* w, int64_t rows, int64_t cols, const float* x, int64_t n,
                   float* y);
// y[t * rows + r] = W[r] . x[t * cols ..] for n tokens (one token: matvec; up to kMatvecTokens
// of quantized weights with the Blocks kernel: matvec_tokens).
void matmul(DType t, const void* w, int64_t rows, int64_t cols, const float* x, int64_t n, float* y,
            MatmulKernel kernel = MatmulKernel::Simt);
// out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w for `rows` rows of n (w may be null; out may be x).
void rmsnorm(const float* x, const float* w, int64_t rows, int64_t n, float eps, float* out);
// gate[i] = act(gate[i]) * up[i]: SiLU, or GELU's tanh form.
void glu(bool gelu, float* gate, const float* up, int64_t n);
// RoPE's per-dimension angle ratio base^(-2 / n_rot), on the host as the CPU computes it (std::pow
// in float).
inline float rope_theta_scale(float base, int64_t n_rot) {
    return std::pow(base, -2.0f / static_cast<float>(n_rot));
}
// kernels::rope on n_tokens x n_heads heads (see cuda_backend.h's rope); theta_scale is
// base^(-2 / n_rot), computed by the caller as the CPU computes it.
void rope(float* x, int64_t n_tokens, int64_t n_heads, int64_t head_dim, int64_t n_rot,
          const int32_t* positions, float theta_scale, float freq_scale, bool neox,
          const float* freq_factors);
// x[i] += y[i % period] for i < n: a residual (period n) or a bias on every row (period: its
// length).
void add(float* x, const float* y, int64_t n, int64_t period);
// The rows of a pass: row t belongs to the sequence in cache slot slots[t], at position
// positions[t]; caches hold slots x n_ctx rows, position p of slot s at row s * n_ctx + p, as
// IEEE halves (the CPU's default KV type; rounded to nearest even as the CPU rounds them).
// store_kv writes each row's key (kv_dim values) and value (v_dim) there.
void store_kv(const float* k, const float* v, uint16_t* k_cache, uint16_t* v_cache,
              int64_t n_tokens, const int32_t* positions, const int32_t* slots, int64_t n_ctx,
              int64_t kv_dim, int64_t v_dim);
// Causal attention of each row over its slot's positions [first, positions[t]] (first: 0, or
// the start of a sliding window of `window` positions when window > 0): out[t][h] =
// sum_j softmax_j(scale * q[t][h] . k_j) v_j, query head h reading key/value head h / group.
// The positions are cut into parts of part_len from `first` (flash-decoding: a block per token,
// head and part, so a long context fills the GPU), each part's maximum, sum of exponentials and
// unnormalised value sums written to `partial`, then merged. q rows: n_head * head_dim floats;
// out rows: n_head * head_dim_v. scores: scratch of n_tokens x n_head x n_ctx floats; partial:
// n_tokens x n_head x attention_parts(n_ctx, part_len) x (head_dim_v + 2).
void attention(const float* q, const uint16_t* k_cache, const uint16_t* v_cache, int64_t n_tokens,
               const int32_t* positions, const int32_t* slots, int64_t n_ctx, int64_t window,
               int64_t n_head, int64_t group, int64_t head_dim, int64_t head_dim_v, int64_t kv_dim,
               int64_t v_dim, float scale, int64_t part_len, float* scores, float* partial,
               float* out);
// n bytes from device src to device dst, queued.
void copy(void* dst, const void* src, size_t n);
// n zero bytes at dst, queued.
void zero(void* dst, size_t n);

// ---- Qwen3.5 (model/gated_attention.h, model/deltanet.h): the same steps as the CPU's ----------
// Gated attention: qg rows of n_head x [query | gate] (head_dim each) split into q and gate rows
// of n_head * head_dim; then attn[i] *= sigmoid(gate[i]) for i < count.
void split_query_gate(const float* qg, int64_t n, int64_t n_head, int64_t head_dim, float* q,
                      float* gate);
void output_gate(float* attn, const float* gate, int64_t count);
// Gated DeltaNet for n rows (row t in slot slots[t]; a slot's rows in order). Per row and value
// head h: decay = exp(softplus(decay + dt_bias[h]) * a[h]), beta = sigmoid(beta).
void deltanet_gates(float* decay, float* beta, const float* a, const float* dt_bias, int64_t n,
                    int64_t n_v_heads);
// kernels::causal_conv1d in place on x (n rows of `channels`), each slot's window in
// conv_states + slot * channels * (kernel - 1); then silu on every element, then l2_norm on
// each of the first qk_heads heads of head_dim of every row.
void conv_silu_norm(float* x, int64_t n, int64_t channels, const float* w, int64_t kernel,
                    float* conv_states, const int32_t* slots, int64_t qk_heads, int64_t head_dim,
                    float eps);
// The delta rule (model/deltanet.cpp) over the conv output rows x: state row (h, j) of slot s
// (at ssm_states + ((s * n_v_heads + h) * head_v_dim + j) * head_k_dim) walks the rows in order;
// core[t][h * head_v_dim + j] = (m . q) * scale.
void delta_rule(const float* x, const float* decay, const float* beta, int64_t n, int64_t n_k_heads,
                int64_t n_v_heads, int64_t head_k_dim, int64_t head_v_dim, float scale,
                float* ssm_states, const int32_t* slots, float* core);
// core rows (rows of n floats) = rmsnorm(core) * w * silu(z), in place.
void rmsnorm_gated(float* core, const float* w, const float* z, int64_t rows, int64_t n, float eps);
// Waits for everything queued; throws flash::Error with CUDA's message for a failed kernel.
void synchronize(const char* what);

// ---- Graphs: a pass's launches recorded once and replayed as one (a CUDA graph) ---------------
// A decode step of a small model is a few hundred short kernels, so launching them one by one
// costs more than they run. Between begin_capture and end_capture the launchers above record
// instead of running (their arguments taken as they are then: device addresses, sizes); replay
// queues the recording. Nothing that copies to or from the host or waits may come in between.
struct Graph;
struct GraphDeleter {
    void operator()(Graph* graph) const;
};
using GraphPtr = std::unique_ptr<Graph, GraphDeleter>;
void begin_capture();
// Ends the capture (also after a launcher threw during it) and returns what it recorded.
GraphPtr end_capture();
void replay(const Graph& graph);

}  // namespace flash::cuda::launch
