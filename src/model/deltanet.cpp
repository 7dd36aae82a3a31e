#include "model/deltanet.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "kernels/recurrent.h"

namespace flash {
namespace {

int64_t positive_int(const GgufFile& g, const std::string& key, int64_t max) {
    const int64_t v = g.require_int(key);
    if (v <= 0 || v > max)
        throw Error(g.path() + ": metadata key '" + key + "' is " + std::to_string(v) +
                    ", expected 1.." + std::to_string(max));
    return v;
}

}  // namespace

DeltaNetConfig DeltaNetConfig::from_gguf(const GgufFile& g, const std::string& arch) {
    const std::string p = arch + ".";
    constexpr int64_t kMaxDim = 1 << 20;
    DeltaNetConfig c;
    const int64_t inner = positive_int(g, p + "ssm.inner_size", kMaxDim);
    c.conv_kernel = positive_int(g, p + "ssm.conv_kernel", 64);
    c.head_k_dim = positive_int(g, p + "ssm.state_size", 4096);
    c.n_v_heads = positive_int(g, p + "ssm.time_step_rank", 4096);
    c.n_k_heads = positive_int(g, p + "ssm.group_count", 4096);
    const std::string eps_key = p + "attention.layer_norm_rms_epsilon";
    c.eps = static_cast<float>(g.require_float(eps_key));
    if (!(c.eps > 0.0f && c.eps < 1.0f))
        throw Error(g.path() + ": metadata key '" + eps_key + "' is " + std::to_string(c.eps) +
                    ", expected a small positive number");
    if (inner % c.n_v_heads != 0)
        throw Error(g.path() + ": '" + p + "ssm.inner_size' (" + std::to_string(inner) +
                    ") is not a multiple of '" + p + "ssm.time_step_rank' (" +
                    std::to_string(c.n_v_heads) + ")");
    c.head_v_dim = inner / c.n_v_heads;
    if (c.n_v_heads % c.n_k_heads != 0)
        throw Error(g.path() + ": '" + p + "ssm.time_step_rank' (" + std::to_string(c.n_v_heads) +
                    ") is not a multiple of '" + p + "ssm.group_count' (" +
                    std::to_string(c.n_k_heads) + ")");
    // llama.cpp's delta rule needs square per-head states (S_k == S_v).
    if (c.head_v_dim != c.head_k_dim)
        throw Error(g.path() + ": value head size " + std::to_string(c.head_v_dim) + " ('" + p +
                    "ssm.inner_size' / '" + p + "ssm.time_step_rank') differs from '" + p +
                    "ssm.state_size' (" + std::to_string(c.head_k_dim) + ")");
    return c;
}

std::vector<bool> read_recurrent_layers(const GgufFile& g, const std::string& arch,
                                        int64_t n_layer) {
    const std::string key = arch + ".attention.recurrent_layers";
    std::vector<bool> out(static_cast<size_t>(n_layer));
    if (const GgufValue* v = g.find(key)) {
        if (v->type == GgufType::ARRAY) {
            const std::vector<int64_t> a = *g.get_int_array(key);
            if (static_cast<int64_t>(a.size()) != n_layer)
                throw Error(g.path() + ": metadata key '" + key + "' has " +
                            std::to_string(a.size()) + " entries, expected one per layer (" +
                            std::to_string(n_layer) + ")");
            for (int64_t l = 0; l < n_layer; ++l) out[l] = a[l] != 0;
        } else {
            const bool all = v->type == GgufType::BOOL ? v->b : g.require_int(key) != 0;
            std::fill(out.begin(), out.end(), all);
        }
        return out;
    }
    const std::string interval_key = arch + ".full_attention_interval";
    const int64_t interval = g.get_int(interval_key).value_or(4);
    if (interval <= 0)
        throw Error(g.path() + ": metadata key '" + interval_key + "' is " +
                    std::to_string(interval) + ", expected a positive layer count");
    for (int64_t l = 0; l < n_layer; ++l) out[l] = (l + 1) % interval != 0;
    return out;
}

DeltaNetWeights DeltaNetWeights::bind(const GgufFile& g, int64_t layer, const DeltaNetConfig& c,
                                      int64_t n_embd) {
    const std::string p = "blk." + std::to_string(layer) + ".";
    DeltaNetWeights w;
    WeightBinder b(g);
    w.qkv = b.bind(p + "attn_qkv.weight", n_embd, c.conv_channels());
    w.gate = b.bind(p + "attn_gate.weight", n_embd, c.value_dim());
    // ggml_ssm_conv takes only F32 kernels; llama-quantize leaves them F32.
    w.conv1d = b.bind(p + "ssm_conv1d.weight", c.conv_kernel, c.conv_channels(), true);
    w.a = b.bind(p + "ssm_a", c.n_v_heads, 1, true);
    w.dt_bias = b.bind(p + "ssm_dt.bias", c.n_v_heads, 1, true);
    w.alpha = b.bind(p + "ssm_alpha.weight", n_embd, c.n_v_heads);
    w.beta = b.bind(p + "ssm_beta.weight", n_embd, c.n_v_heads);
    w.norm = b.bind(p + "ssm_norm.weight", c.head_v_dim, 1, true);
    w.out = b.bind(p + "ssm_out.weight", c.value_dim(), n_embd);
    w.bytes = b.bytes();
    return w;
}

DeltaNetState::DeltaNetState(const DeltaNetConfig& c)
    : conv_(static_cast<size_t>(c.conv_state_floats()), 0.0f),
      ssm_(static_cast<size_t>(c.ssm_state_floats()), 0.0f) {}

void DeltaNetState::reset() {
    std::fill(conv_.begin(), conv_.end(), 0.0f);
    std::fill(ssm_.begin(), ssm_.end(), 0.0f);
}

void gated_deltanet_forward(const DeltaNetConfig& c, const DeltaNetWeights& w,
                            const float* x_normed, int64_t n, DeltaNetState& state, float* out,
                            ThreadPool& pool, kernels::Precision precision) {
    if (n <= 0) return;
    const int64_t C = c.conv_channels();
    const int64_t Hk = c.n_k_heads, Hv = c.n_v_heads, dk = c.head_k_dim, dv = c.head_v_dim;
    const int64_t vd = c.value_dim();

    auto project = [&](const WeightRef& m, const float* x, float* y) {
        kernels::matmul(m.type, m.data, m.panels, m.rows, m.cols, x, n, y, pool, precision);
    };

    // Scratch reused across calls so decode does not allocate; every element is written before
    // it is read. Bound to local references so the worker lambdas below see this thread's
    // buffers (a thread_local named inside them would be the worker's own).
    static thread_local struct { std::vector<float> qkv, z, decay, beta, core; } scratch;
    auto sized = [](std::vector<float>& v, int64_t size) -> std::vector<float>& {
        if (static_cast<int64_t>(v.size()) < size) v.resize(static_cast<size_t>(size));
        return v;
    };
    // Input projections. qkv becomes the conv output in place.
    std::vector<float>& qkv = sized(scratch.qkv, n * C);
    std::vector<float>& z = sized(scratch.z, n * vd);
    std::vector<float>& decay = sized(scratch.decay, n * Hv);
    std::vector<float>& beta = sized(scratch.beta, n * Hv);
    project(w.qkv, x_normed, qkv.data());
    project(w.gate, x_normed, z.data());
    project(w.alpha, x_normed, decay.data());
    project(w.beta, x_normed, beta.data());

    // Per-head gates: decay = exp(softplus(alpha + dt_bias) * a), beta = sigmoid(beta).
    const float* a = w.a.f32();
    const float* dt_bias = w.dt_bias.f32();
    for (int64_t t = 0; t < n; ++t) {
        for (int64_t h = 0; h < Hv; ++h) {
            float& dc = decay[t * Hv + h];
            dc = std::exp(kernels::softplus(dc + dt_bias[h]) * a[h]);
            float& bt = beta[t * Hv + h];
            bt = kernels::sigmoid(bt);
        }
    }

    // Short causal conv over every channel, then silu, then l2-normalized q and k heads.
    float* conv_state = state.conv();
    const float* conv_w = w.conv1d.f32();
    pool.parallel_for(C, [&](int64_t c0, int64_t c1) {
        kernels::causal_conv1d(qkv.data(), qkv.data(), n, C, conv_w, c.conv_kernel, conv_state, c0,
                               c1);
    });
    pool.parallel_for(n, [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) {
            float* row = qkv.data() + t * C;
            kernels::silu(row, C);
            for (int64_t h = 0; h < 2 * Hk; ++h) kernels::l2_norm(row + h * dk, dk, c.eps);
        }
    });

    // The delta rule. Row j of a head's transposed state (column j of S) evolves on its own:
    //   m = decay * m;  d_j = beta * (v_j - m.k);  m += d_j * k;  o_j = (m.q) / sqrt(dk)
    // so the Hv*dv rows split across threads with no sharing, each walking all n tokens.
    std::vector<float>& core = sized(scratch.core, n * vd);
    float* ssm = state.ssm();
    const float scale = 1.0f / std::sqrt(static_cast<float>(dk));
    pool.parallel_for(Hv * dv, [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const int64_t h = r / dv, j = r % dv;
            const int64_t hk = h % Hk;  // value head h reads key head h % Hk (ggml_repeat)
            float* m = ssm + r * dk;
            for (int64_t t = 0; t < n; ++t) {
                const float* row = qkv.data() + t * C;
                const float* q = row + hk * dk;
                const float* k = row + (Hk + hk) * dk;
                const float v = row[2 * Hk * dk + h * dv + j];
                const float dc = decay[t * Hv + h];
                for (int64_t i = 0; i < dk; ++i) m[i] *= dc;
                const float d = (v - kernels::dot_f32(m, k, dk)) * beta[t * Hv + h];
                kernels::axpy_f32(m, d, k, dk);
                core[t * vd + h * dv + j] = kernels::dot_f32(m, q, dk) * scale;
            }
        }
    });

    // Gated RMSNorm per value head, then the output projection.
    const float* norm_w = w.norm.f32();
    pool.parallel_for(n * Hv, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i)
            kernels::rmsnorm_gated(core.data() + i * dv, core.data() + i * dv, norm_w,
                                   z.data() + i * dv, dv, c.eps);
    });
    project(w.out, core.data(), out);
}

}  // namespace flash
