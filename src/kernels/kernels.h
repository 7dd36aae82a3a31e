// Compute kernels the forward passes are built from. Each operation has a portable scalar
// reference (namespace flash::kernels::ref) and, where it pays, SIMD variants chosen once at
// run time from CPU features; tests hold every variant against the reference.
// Depends on core/ only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/dtype.h"
#include "core/thread_pool.h"

namespace flash::kernels {

// ---- Weight rows ----------------------------------------------------------------------------

// Dequantizes n elements (a multiple of the type's block size) of type t into dst.
void dequantize_row(DType t, const void* src, float* dst, int64_t n);

// Quantized weights are multiplied with activations quantized once per matmul into the type
// llama.cpp pairs with them (its vec_dot_type): Q8_0 for Q4_0/Q5_0/Q8_0, Q8_1 for Q4_1/Q5_1,
// Q8_K for the K-quants. Float weights (F32/F16/BF16) take F32 activations unrounded.
DType activation_type(DType weight);
size_t activation_row_bytes(DType weight, int64_t n);
void quantize_activation_row(DType weight, const float* x, void* out, int64_t n);

// Dot product of one weight row with one activation row prepared by quantize_activation_row.
float vec_dot(DType weight, int64_t n, const void* w_row, const void* act_row);

// Dot product of one weight row with f32 activations x, which are not rounded: the dot
// product of the dequantized row with x, up to float summation order. Decode (batch 1)
// matmuls with Precision::Exact use it; quantized types without a fused SIMD version
// dequantize and sum.
float vec_dot_exact(DType weight, int64_t n, const void* w_row, const float* x);

// How activations meet quantized weights in a matmul. Below kGemmMinBatch rows (decode: one
// token per sequence, a few sequences) both run dot products per row; from there on (prompts)
// a GEMM: Exact on weights dequantized to f32, Fast on the weights' own integers where the
// int8 GEMM takes the type (the f32 GEMM otherwise).
enum class Precision {
    // Activations rounded to 8 bits per block and integer dot products, as llama.cpp does:
    // fastest for decode, but the rounding compounds over layers (SmolLM2-135M Q4_1 then
    // misses "Paris" by one logit where exact math finds it).
    Fast,
    // Activations stay f32; each weight row is dequantized exactly and dotted in f32: the
    // arithmetic of the dequantized model.
    Exact,
};
inline constexpr int64_t kGemmMinBatch = 8;

// Y[b][r] = sum_k W[r][k] * X[b][k] for r < rows, b < batch.
// W: `rows` rows of n elements of type t, contiguous (row_bytes(t, n) apart). X: batch x n
// floats, contiguous. Y: batch x rows floats. Split across the pool by rows.
void matmul(DType t, const void* w, int64_t rows, int64_t n, const float* x, int64_t batch,
            float* y, ThreadPool& pool, Precision precision = Precision::Fast);

// A weight matrix repacked once, at load, into the panels the Precision::Fast GEMM otherwise
// builds from the weights on every call (16 rows interleaved as unsigned bytes, a scale and an
// offset per row and block: 1.25 bytes per weight, 1.5 for Q6_K). Building them was a third of
// a fast server pass at 16 streams. Empty where the int8 GEMM does not take the type.
struct Int8Panels {
    DType type = DType::F32;
    int64_t rows = 0, n = 0;
    std::vector<uint8_t> bytes;
    bool empty() const { return bytes.empty(); }
};
// Whether repack_int8 packs weights of type t: the types the int8 GEMM takes on this CPU.
bool repacks(DType t);
Int8Panels repack_int8(DType t, const void* w, int64_t rows, int64_t n, ThreadPool& pool);
// matmul with the same weights also held as panels (null: none); the GEMM reads them where it
// would pack them itself, with the same floats.
void matmul(DType t, const void* w, const Int8Panels* panels, int64_t rows, int64_t n,
            const float* x, int64_t batch, float* y, ThreadPool& pool, Precision precision);

// Decode's products of one input row x (n floats) with several weights at once (a layer's q, k
// and v; its gate and up): y of each job = W x, every output the float matmul gives for one
// row, the pool's threads meeting once for all of them.
struct MatvecJob {
    DType type;
    const void* w;
    int64_t rows;
    float* y;
};
void matvec_group(std::span<const MatvecJob> jobs, const float* x, int64_t n, ThreadPool& pool,
                  Precision precision);

// ---- Elementwise and row operations ---------------------------------------------------------

// out = x / sqrt(mean(x^2) + eps) * w   (w may be null: no scale). out may alias x.
void rmsnorm(float* out, const float* x, const float* w, int64_t n, float eps);

// Rotary position embedding, in place, on one head vector of length head_dim of which the
// first n_rot dimensions rotate. theta_i = pos * freq_scale * base^(-2i/n_rot).
// Normal (GPT-J / llama) pairs (2i, 2i+1); NeoX pairs (i, i + n_rot/2).
enum class RopeStyle { Normal, NeoX };
void rope(float* x, int64_t head_dim, int64_t n_rot, int64_t pos, float base, float freq_scale,
          RopeStyle style, const float* freq_factors = nullptr);
// rope in two steps, for the heads of one position to share the angles: cs[2i] and cs[2i + 1]
// get cos and sin of theta_i for i < n_rot / 2 (n_rot <= head_dim), then rotate a head by them.
void rope_angles(float* cs, int64_t n_rot, int64_t pos, float base, float freq_scale,
                 const float* freq_factors = nullptr);
void rope_rotate(float* x, int64_t n_rot, RopeStyle style, const float* cs);

void silu(float* x, int64_t n);                        // x * sigmoid(x), in place
void gelu(float* x, int64_t n);                        // tanh approximation, in place
void swiglu(float* gate, const float* up, int64_t n);  // gate = silu(gate) * up
void geglu(float* gate, const float* up, int64_t n);   // gate = gelu(gate) * up

float dot_f32(const float* a, const float* b, int64_t n);
void axpy_f32(float* y, float a, const float* x, int64_t n);  // y += a * x

// ---- Attention over the KV cache ------------------------------------------------------------

// The element types a KV cache may hold: F16 (llama.cpp's default) or Q8_0 (blocks of 32
// 8-bit values with an f16 scale: 34 bytes per 32 elements, 53% of F16). A Q8_0 row must hold
// whole blocks per head, so the head dimension is a multiple of 32.
bool is_kv_type(DType t);
// Writes n floats of one cache row in type t (F16: round to nearest even; Q8_0: as llama.cpp's
// quantize_row_q8_0).
void store_kv_row(DType t, const float* x, void* out, int64_t n);

// One query head's softmax-weighted sum of value rows, built up over runs of cached positions
// (online softmax: the result does not depend on how the positions are split into runs).
//   attention_begin(run, out, hd, hdv); attention_add(run, rows, q, ...) per run;
//   attention_finish(run) leaves out = sum_j softmax_j(scale * q·k_j) v_j.
struct AttentionRun {
    float max = 0.0f;      // largest scaled score so far
    float sum = 0.0f;      // sum of exp(score - max) so far
    float* out = nullptr;  // head_dim_v floats: sum of exp(score - max) * v so far
    int64_t head_dim = 0, head_dim_v = 0;
};
// n consecutive cached positions: key j at k + j * k_stride bytes, value j at v + j * v_stride
// bytes, each one head's row of k_type / v_type.
struct AttentionRows {
    const void* k = nullptr;
    const void* v = nullptr;
    size_t k_stride = 0, v_stride = 0;
    int64_t n = 0;
    DType k_type = DType::F16, v_type = DType::F16;
};
void attention_begin(AttentionRun& run, float* out, int64_t head_dim, int64_t head_dim_v);
// scratch: room for rows.n floats.
void attention_add(AttentionRun& run, const AttentionRows& rows, const float* q, float scale,
                   float* scratch);
// Throws flash::Error if no position was added.
void attention_finish(AttentionRun& run);

// The g query heads of one GQA group (head i at q + i * q_stride, its run runs[i]) over the
// key and value rows they share, taking turns over chunks of positions so each chunk is read
// from cache by all of them (kAttentionChunk positions at a time, whose rows stay in L2
// between the heads). scratch: kAttentionChunk floats, whatever rows.n is.
inline constexpr int64_t kAttentionChunk = 512;
void attention_add_group(AttentionRun* runs, int64_t g, const AttentionRows& rows, const float* q,
                         int64_t q_stride, float scale, float* scratch);
// m query heads that all see the same rows (a block of prompt tokens and their GQA group;
// head i's query at queries[i], its run runs[i]): the prompt form of attention_add. Keys are
// converted once per 16 into a k-major panel and scored against all m queries by the f32 GEMM
// micro-kernel, and the softmax weights times the value rows are a GEMM too, so every cache
// row is read once per block instead of once per head and token. Each score is q·k summed in
// dimension order; the result equals attention_add per head up to float rounding.
// scratch: attention_block_scratch(m, head_dim, head_dim_v) floats.
inline constexpr int64_t kAttentionBlockKeys = 64;  // positions per softmax update
int64_t attention_block_scratch(int64_t m, int64_t head_dim, int64_t head_dim_v);
void attention_add_block(AttentionRun* runs, const float* const* queries, int64_t m,
                         const AttentionRows& rows, float scale, float* scratch);
// Folds `part` (the same head over other positions, its own out buffer) into `run`: the online
// softmax's merge, so a long context can be split across threads (flash-decoding). A part
// without positions changes nothing.
void attention_merge(AttentionRun& run, const AttentionRun& part);

// IEEE half rounding (to nearest even) of n floats, as the KV cache stores them.
void f32_to_f16_row(const float* x, uint16_t* out, int64_t n);

// ---- Scalar references (tests hold the dispatched versions against these) --------------------
namespace ref {
void dequantize_row(DType t, const void* src, float* dst, int64_t n);
void quantize_activation_row(DType weight, const float* x, void* out, int64_t n);
float vec_dot(DType weight, int64_t n, const void* w_row, const void* act_row);
// Dequantizes with the reference and accumulates every product in double.
float vec_dot_exact(DType weight, int64_t n, const void* w_row, const float* x);
void rmsnorm(float* out, const float* x, const float* w, int64_t n, float eps);
void silu(float* x, int64_t n);
void gelu(float* x, int64_t n);
float dot_f32(const float* a, const float* b, int64_t n);
void attention_add(AttentionRun& run, const AttentionRows& rows, const float* q, float scale,
                   float* scratch);
}  // namespace ref

// The instruction sets kernels are written for, each family in order of capability. ARM64:
// NEON (Advanced SIMD, in every AArch64 CPU), then NEON with the dotprod extension (sdot: Apple
// M1 on, Cortex-A76 on, Graviton 2 on), then with i8mm too (usmmla: Apple M2 on, Graviton 3 on;
// every such CPU has dotprod). x86-64: AVX2 (with FMA and F16C) is the floor;
// AVX-512 here means VNNI with VL on 256-bit registers (the int8 GEMM's vpdpbusd). A build
// detects only its own family, so a cap from the other family's range means "no cap" (x86
// levels) or "scalar" (ARM levels on x86).
enum class Isa { Scalar, Neon, NeonDotprod, NeonI8mm, Avx2, Avx512 };
// The best ISA this CPU has and this build compiled, and the one the dispatcher uses now.
Isa detected_isa();
Isa active_isa();
// Which SIMD variant the dispatcher chose ("avx512", "avx2", "neon-i8mm", "neon-dotprod",
// "neon", "scalar"),
// for logs and benchmarks.
const char* isa_name();
// Caps the ISA the dispatcher may choose (tests and benchmarks compare paths in one process;
// FLASH_ISA=scalar|neon|neon-dotprod|neon-i8mm|avx2|avx512 sets the cap for a whole run); returns
// the previous cap.
Isa limit_isa(Isa cap);
// limit_isa(Scalar) when on, lifts the cap when off; returns whether the scalar path was forced.
bool force_scalar(bool on);

}  // namespace flash::kernels
