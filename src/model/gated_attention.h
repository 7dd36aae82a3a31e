// Pieces of Qwen3.5's gated full-attention layer (GGUF arch "qwen35") that ordinary attention
// lacks: the joint query+gate projection split, the sigmoid output gate, and the text case of
// its interleaved multi-section RoPE (ggml's IMROPE). Plain functions on row-major buffers.
// Depends on core/ and kernels/.
//
// The layer, as llama.cpp computes it for n tokens (x = attn_norm-ed input):
//   qg = W_q x                    n x (n_head * 2 * head_dim): per head [query | gate]
//   q, gate = split_query_gate(qg)
//   q = rmsnorm(q per head) * attn_q_norm;  k = rmsnorm(W_k x per head) * attn_k_norm
//   v = W_v x
//   q, k: rope_imrope_text (NeoX pairs over the first n_rot dims, base {arch}.rope.freq_base)
//   a = causal softmax(q k^T / sqrt(head_dim)) v      (GQA: query head h uses kv head
//                                                      h / (n_head / n_head_kv))
//   a *= sigmoid(gate)            apply_output_gate
//   out = W_o a                   (the caller adds the residual)
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "core/gguf.h"

namespace flash {

// Splits the joint projection: qg holds n rows of n_head * 2 * head_dim floats, head h's query
// at [2h*head_dim, (2h+1)*head_dim) and its gate right after. Writes q and gate as n rows of
// n_head * head_dim floats (neither may alias qg).
void split_query_gate(const float* qg, int64_t n, int64_t n_head, int64_t head_dim, float* q,
                      float* gate);

// attn[i] *= sigmoid(gate[i]) for i < count: the attention output (heads concatenated, before
// attn_output) gated elementwise by the gate half of the query projection.
void apply_output_gate(float* attn, const float* gate, int64_t count);

// "{arch}.rope.dimension_sections": four section sizes in rotation pairs (t, h, w, e); a
// missing key or shorter array is padded with zeros, as llama.cpp reads it.
std::array<int64_t, 4> read_rope_sections(const GgufFile& gguf, const std::string& arch);

// IMROPE (ggml's interleaved multi-section RoPE) for text tokens, in place on one head vector.
// Pairs are NeoX style, (i, i + n_rot/2) for i < n_rot/2, theta_i = p_i * freq_scale *
// base^(-2i/n_rot); dims >= n_rot pass through. Pair i belongs to section s = i % sum(sections)
// interleaved as t,h,w,t,h,w,...: s % 3 == 0 and s < 3*sections[0] -> t, s % 3 == 1 and
// s < 3*sections[1] -> h, s % 3 == 2 and s < 3*sections[2] -> w, otherwise e. For text,
// llama.cpp gives t, h and w the token position and e position 0, so p_i = pos or 0.
void rope_imrope_text(float* x, int64_t head_dim, int64_t n_rot, int64_t pos, float base,
                      float freq_scale, const std::array<int64_t, 4>& sections);

// True when no rotated pair falls in section e, so rope_imrope_text equals kernels::rope with
// RopeStyle::NeoX (the case for every released Qwen3.5 and the tiny test model).
bool imrope_text_is_neox(int64_t n_rot, const std::array<int64_t, 4>& sections);

}  // namespace flash
