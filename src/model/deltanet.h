// Gated DeltaNet: the recurrent (linear-attention) layer of Qwen3.5 (GGUF arch "qwen35"), as
// llama.cpp computes it. Config from GGUF metadata, weight binding with shape checks, the
// per-layer recurrent state, and the forward pass over n tokens (prefill or decode).
// Depends on core/, kernels/ and model/weight_ref.h.
//
// What one layer computes for token t (x_t = attn_norm-ed input, n_embd floats):
//   qkv_t  = W_qkv x_t                       conv channels: [q: Hk*dk | k: Hk*dk | v: Hv*dv]
//   z_t    = W_gate x_t                      (Hv*dv)
//   beta_t = sigmoid(W_beta x_t)             (Hv)
//   g_t    = softplus(W_alpha x_t + dt_bias) * ssm_a       (Hv; ssm_a = -exp(A_log) < 0)
//   c_t    = silu(causal_conv1d(qkv)_t)      kernel K taps per channel, window carried
//   q_h    = l2norm(c_t.q[h]),  k_h = l2norm(c_t.k[h])    (eps = rms eps, floor on the norm)
//   for each value head h (key head h % Hk — ggml_repeat tiles, it does not interleave):
//     S_h   = exp(g_t[h]) * S_h                     S_h: dk x dv, starts at zero
//     d     = beta_t[h] * (v_h - S_h^T k)           (dv)
//     S_h  += k d^T
//     o_h   = S_h^T q / sqrt(dk)                    (dv)
//     y_h   = rmsnorm(o_h) * ssm_norm * silu(z_t[h])   (ssm_norm: dv weights shared by heads)
//   out_t  = W_out y_t                        (n_embd; the caller adds the residual)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/gguf.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "model/weight_ref.h"

namespace flash {

struct DeltaNetConfig {
    int64_t n_k_heads = 0;    // {arch}.ssm.group_count: query/key heads
    int64_t n_v_heads = 0;    // {arch}.ssm.time_step_rank: value heads (multiple of n_k_heads)
    int64_t head_k_dim = 0;   // {arch}.ssm.state_size
    int64_t head_v_dim = 0;   // {arch}.ssm.inner_size / n_v_heads (== head_k_dim)
    int64_t conv_kernel = 0;  // {arch}.ssm.conv_kernel
    float eps = 1e-6f;        // {arch}.attention.layer_norm_rms_epsilon: l2 norms, gated norm

    int64_t key_dim() const { return n_k_heads * head_k_dim; }
    int64_t value_dim() const { return n_v_heads * head_v_dim; }
    int64_t conv_channels() const { return 2 * key_dim() + value_dim(); }
    // A sequence's state per layer, in floats: the conv window (kernel-1 inputs per channel) and
    // the delta rule's matrices (head_v_dim x head_k_dim per value head).
    int64_t conv_state_floats() const { return conv_channels() * (conv_kernel - 1); }
    int64_t ssm_state_floats() const { return value_dim() * head_k_dim; }

    // Reads and validates the ssm.* keys; throws flash::Error naming the key.
    static DeltaNetConfig from_gguf(const GgufFile& gguf, const std::string& arch);
};

// Which layers are recurrent, as llama.cpp decides: "{arch}.attention.recurrent_layers" (an
// array with one entry per layer, or one scalar for all) when present, otherwise every layer
// but each full_attention_interval-th ("{arch}.full_attention_interval", default 4).
std::vector<bool> read_recurrent_layers(const GgufFile& gguf, const std::string& arch,
                                        int64_t n_layer);

struct DeltaNetWeights {
    WeightRef qkv;      // blk.N.attn_qkv.weight     n_embd -> conv_channels
    WeightRef gate;     // blk.N.attn_gate.weight    n_embd -> value_dim (z)
    WeightRef conv1d;   // blk.N.ssm_conv1d.weight   conv_channels rows of conv_kernel taps, F32
    WeightRef a;        // blk.N.ssm_a               [n_v_heads] F32 (= -exp(A_log))
    WeightRef dt_bias;  // blk.N.ssm_dt.bias         [n_v_heads] F32
    WeightRef alpha;    // blk.N.ssm_alpha.weight    n_embd -> n_v_heads
    WeightRef beta;     // blk.N.ssm_beta.weight     n_embd -> n_v_heads
    WeightRef norm;     // blk.N.ssm_norm.weight     [head_v_dim] F32
    WeightRef out;      // blk.N.ssm_out.weight      value_dim -> n_embd
    size_t bytes = 0;   // total size of the tensors above in the file

    // Binds layer `layer`'s tensors; throws flash::Error naming a missing tensor or one whose
    // shape or type does not fit.
    static DeltaNetWeights bind(const GgufFile& gguf, int64_t layer, const DeltaNetConfig& config,
                                int64_t n_embd);
};

// The recurrent state of one layer for one sequence: the conv window (last conv_kernel-1
// inputs of each channel) and the matrix S of each value head. Zero means an empty sequence.
class DeltaNetState {
  public:
    DeltaNetState() = default;
    explicit DeltaNetState(const DeltaNetConfig& config);

    void reset();  // back to zero: a new sequence
    size_t bytes() const { return (conv_.size() + ssm_.size()) * sizeof(float); }

    // conv_channels rows of conv_kernel-1 floats, oldest first.
    float* conv() { return conv_.data(); }
    const float* conv() const { return conv_.data(); }
    // n_v_heads matrices, each stored transposed: head_v_dim rows of head_k_dim floats, row j
    // being column j of S (S[i][j] at ssm()[(h * head_v_dim + j) * head_k_dim + i]).
    float* ssm() { return ssm_.data(); }
    const float* ssm() const { return ssm_.data(); }

  private:
    std::vector<float> conv_;
    std::vector<float> ssm_;
};

// Runs the layer over n tokens in order, carrying `state`: one call with n tokens equals n
// calls with one token. x_normed: n x n_embd (already attn_norm-ed). out: n x n_embd, the
// ssm_out projection before the residual add (must not alias x_normed). `precision` applies
// to the projections; the recurrence itself is f32.
void gated_deltanet_forward(const DeltaNetConfig& config, const DeltaNetWeights& weights,
                            const float* x_normed, int64_t n, DeltaNetState& state, float* out,
                            ThreadPool& pool, kernels::Precision precision);

}  // namespace flash
