// Gated DeltaNet (qwen35 recurrent layer) against three things: itself token by token (state
// carried across calls), a naive double-precision recurrence written here from the formulas,
// and values from an independent NumPy model of llama.cpp's qwen35 graph that reproduces
// llama.cpp's logits on qwen35-F32.gguf to NMSE 4e-8. Plus config and shape errors.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "common/gguf_builder.h"
#include "common/reference.h"
#include "common/testdata.h"
#include "core/error.h"
#include "core/gguf.h"
#include "kernels/kernels.h"
#include "model/deltanet.h"
#include "model/gated_attention.h"

namespace flash {
namespace {

using testing::testdata_path;

const float* f32_tensor(const GgufFile& g, const std::string& name) {
    const GgufTensor& t = g.require_tensor(name);
    EXPECT_EQ(t.type, DType::F32) << name;
    return reinterpret_cast<const float*>(t.data);
}

// Layer 0's real input: the tokens' embeddings, attn_norm-ed.
std::vector<float> layer0_input(const GgufFile& g, int64_t n_embd, float eps) {
    const std::vector<int32_t> tokens = testing::read_tokens(testdata_path("models/tokens.txt"));
    const float* embd = f32_tensor(g, "token_embd.weight");
    const float* norm = f32_tensor(g, "blk.0.attn_norm.weight");
    std::vector<float> x(tokens.size() * n_embd);
    for (size_t t = 0; t < tokens.size(); ++t)
        kernels::rmsnorm(x.data() + t * n_embd, embd + tokens[t] * n_embd, norm, n_embd, eps);
    return x;
}

struct Tiny {
    GgufFile g{testdata_path("models/qwen35-F32.gguf")};
    DeltaNetConfig c = DeltaNetConfig::from_gguf(g, "qwen35");
    int64_t n_embd = g.require_int("qwen35.embedding_length");
    DeltaNetWeights w = DeltaNetWeights::bind(g, 0, c, n_embd);
    std::vector<float> x = layer0_input(g, n_embd, c.eps);
    int64_t n = static_cast<int64_t>(x.size()) / n_embd;
};

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    double m = 0;
    for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(double(a[i]) - b[i]));
    return m;
}

TEST(DeltaNet, ReadsTheTinyModelsConfigAndLayerKinds) {
    Tiny m;
    EXPECT_EQ(m.c.n_k_heads, 2);
    EXPECT_EQ(m.c.n_v_heads, 2);
    EXPECT_EQ(m.c.head_k_dim, 128);
    EXPECT_EQ(m.c.head_v_dim, 128);
    EXPECT_EQ(m.c.conv_kernel, 4);
    EXPECT_EQ(m.c.conv_channels(), 768);
    EXPECT_EQ(read_recurrent_layers(m.g, "qwen35", 2), (std::vector<bool>{true, false}));
    DeltaNetState s(m.c);
    EXPECT_EQ(s.bytes(), (768u * 3 + 2u * 128 * 128) * 4);
    EXPECT_EQ(read_rope_sections(m.g, "qwen35"), (std::array<int64_t, 4>{32, 32, 32, 32}));
    EXPECT_TRUE(imrope_text_is_neox(128, {32, 32, 32, 32}));
    EXPECT_TRUE(imrope_text_is_neox(64, {11, 11, 10, 0}));  // Qwen3.5 release models
}

TEST(DeltaNet, OneCallOverNTokensEqualsNCallsOfOneAndChunksInBetween) {
    Tiny m;
    ThreadPool pool(2);
    const auto P = kernels::Precision::Exact;
    std::vector<float> whole(m.n * m.n_embd), single(m.n * m.n_embd), chunked(m.n * m.n_embd);
    DeltaNetState s1(m.c), s2(m.c), s3(m.c);
    gated_deltanet_forward(m.c, m.w, m.x.data(), m.n, s1, whole.data(), pool, P);
    for (int64_t t = 0; t < m.n; ++t)
        gated_deltanet_forward(m.c, m.w, m.x.data() + t * m.n_embd, 1, s2,
                               single.data() + t * m.n_embd, pool, P);
    const int64_t cuts[] = {0, 3, 4, 17, m.n};  // 3, 1, 13, 15 tokens
    for (int i = 0; i + 1 < 5; ++i)
        gated_deltanet_forward(m.c, m.w, m.x.data() + cuts[i] * m.n_embd, cuts[i + 1] - cuts[i], s3,
                               chunked.data() + cuts[i] * m.n_embd, pool, P);
    EXPECT_LT(max_abs_diff(whole, single), 1e-5);
    EXPECT_LT(max_abs_diff(whole, chunked), 1e-5);
    std::vector<float> a(s1.ssm(), s1.ssm() + 2 * 128 * 128), b(s2.ssm(), s2.ssm() + 2 * 128 * 128);
    EXPECT_LT(max_abs_diff(a, b), 1e-5);

    // reset() starts a new sequence: the first token's output comes back, bit for bit, from the
    // same one-token call (a batch takes other matmul paths, equal only within rounding).
    s1.reset();
    std::vector<float> again(m.n_embd);
    gated_deltanet_forward(m.c, m.w, m.x.data(), 1, s1, again.data(), pool, P);
    EXPECT_EQ(again, std::vector<float>(single.begin(), single.begin() + m.n_embd));
}

// The layer written out the slow, obvious way in double: S as a dk x dv matrix per value head.
std::vector<double> naive_layer(const Tiny& m) {
    const DeltaNetConfig& c = m.c;
    const int64_t n = m.n, E = m.n_embd, C = c.conv_channels(), K = c.conv_kernel;
    const int64_t Hk = c.n_k_heads, Hv = c.n_v_heads, dk = c.head_k_dim, dv = c.head_v_dim;
    auto W = [&](const char* name) { return f32_tensor(m.g, std::string("blk.0.") + name); };
    auto matvec = [&](const float* w, int64_t rows, const double* x, int64_t cols) {
        std::vector<double> y(rows, 0.0);
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t k = 0; k < cols; ++k) y[r] += double(w[r * cols + k]) * x[k];
        return y;
    };
    auto silu = [](double v) { return v / (1.0 + std::exp(-v)); };
    std::vector<std::vector<double>> qkv(n), z(n), alpha(n), beta(n);
    for (int64_t t = 0; t < n; ++t) {
        std::vector<double> x(m.x.begin() + t * E, m.x.begin() + (t + 1) * E);
        qkv[t] = matvec(W("attn_qkv.weight"), C, x.data(), E);
        z[t] = matvec(W("attn_gate.weight"), Hv * dv, x.data(), E);
        alpha[t] = matvec(W("ssm_alpha.weight"), Hv, x.data(), E);
        beta[t] = matvec(W("ssm_beta.weight"), Hv, x.data(), E);
    }
    std::vector<double> S(Hv * dk * dv, 0.0), out(n * E);
    for (int64_t t = 0; t < n; ++t) {
        std::vector<double> conv(C);
        for (int64_t ch = 0; ch < C; ++ch) {
            double sum = 0;
            for (int64_t j = 0; j < K; ++j) {
                const int64_t src = t - (K - 1) + j;  // tap K-1 is the current token
                if (src >= 0) sum += double(W("ssm_conv1d.weight")[ch * K + j]) * qkv[src][ch];
            }
            conv[ch] = silu(sum);
        }
        for (int64_t h = 0; h < 2 * Hk; ++h) {
            double ss = 0;
            for (int64_t i = 0; i < dk; ++i) ss += conv[h * dk + i] * conv[h * dk + i];
            const double norm = std::max(std::sqrt(ss), double(c.eps));
            for (int64_t i = 0; i < dk; ++i) conv[h * dk + i] /= norm;
        }
        std::vector<double> y(Hv * dv);
        for (int64_t h = 0; h < Hv; ++h) {
            const double* q = &conv[(h % Hk) * dk];
            const double* k = &conv[(Hk + h % Hk) * dk];
            const double* v = &conv[2 * Hk * dk + h * dv];
            const double a = alpha[t][h] + W("ssm_dt.bias")[h];
            const double g = std::log1p(std::exp(a)) * W("ssm_a")[h];
            const double b = 1.0 / (1.0 + std::exp(-beta[t][h]));
            double* Sh = &S[h * dk * dv];  // Sh[i * dv + j] = S[i][j]
            for (int64_t e = 0; e < dk * dv; ++e) Sh[e] *= std::exp(g);
            std::vector<double> d(dv);
            for (int64_t j = 0; j < dv; ++j) {
                double sk = 0;
                for (int64_t i = 0; i < dk; ++i) sk += Sh[i * dv + j] * k[i];
                d[j] = b * (v[j] - sk);
            }
            for (int64_t i = 0; i < dk; ++i)
                for (int64_t j = 0; j < dv; ++j) Sh[i * dv + j] += k[i] * d[j];
            double ms = 0;
            std::vector<double> o(dv);
            for (int64_t j = 0; j < dv; ++j) {
                for (int64_t i = 0; i < dk; ++i) o[j] += Sh[i * dv + j] * q[i];
                o[j] /= std::sqrt(double(dk));
                ms += o[j] * o[j];
            }
            const double inv = 1.0 / std::sqrt(ms / dv + c.eps);
            for (int64_t j = 0; j < dv; ++j)
                y[h * dv + j] = o[j] * inv * W("ssm_norm.weight")[j] * silu(z[t][h * dv + j]);
        }
        const std::vector<double> o = matvec(W("ssm_out.weight"), E, y.data(), Hv * dv);
        std::copy(o.begin(), o.end(), out.begin() + t * E);
    }
    return out;
}

TEST(DeltaNet, MatchesANaiveDoublePrecisionRecurrence) {
    Tiny m;
    ThreadPool pool(2);
    std::vector<float> ours(m.n * m.n_embd);
    DeltaNetState s(m.c);
    gated_deltanet_forward(m.c, m.w, m.x.data(), m.n, s, ours.data(), pool,
                           kernels::Precision::Exact);
    const std::vector<double> ref = naive_layer(m);
    double err = 0, norm = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        err += (ours[i] - ref[i]) * (ours[i] - ref[i]);
        norm += ref[i] * ref[i];
    }
    EXPECT_LT(err / norm, 1e-10) << "NMSE against the naive recurrence";
}

TEST(DeltaNet, MatchesTheNumPyModelOfLlamaCpp) {
    // Layer 0's output (ssm_out, before the residual) for tokens 0, 1, 15 and 31 at columns
    // 0, 1, 2, 100, 200, 255, from /tmp/qwen35_ref.py (NumPy, float64 recurrence), whose full
    // model matches llama.cpp's qwen35-F32 logits to NMSE 3.7e-8.
    const int64_t rows[] = {0, 1, 15, 31};
    const int64_t cols[] = {0, 1, 2, 100, 200, 255};
    const float expected[4][6] = {
        {-1.7146969e-01f, -3.0084294e-01f, -2.7414724e-01f, 2.2246101e-01f, -1.2163245e-01f,
         -6.2811717e-02f},
        {-9.3154609e-03f, 5.5113763e-01f, -1.2135680e-01f, -1.4204130e-01f, -4.5085434e-02f,
         5.5313480e-01f},
        {-2.5203118e-01f, -2.6405343e-01f, -1.2330001e-01f, -1.0042384e+00f, -4.1716251e-01f,
         1.2376665e+00f},
        {9.2080218e-01f, -7.6455349e-01f, 1.4013204e-01f, -8.1629562e-01f, 3.7299693e-03f,
         1.1465389e-01f},
    };
    Tiny m;
    ThreadPool pool(1);
    std::vector<float> ours(m.n * m.n_embd);
    DeltaNetState s(m.c);
    gated_deltanet_forward(m.c, m.w, m.x.data(), m.n, s, ours.data(), pool,
                           kernels::Precision::Exact);
    for (int r = 0; r < 4; ++r)
        for (int k = 0; k < 6; ++k)
            EXPECT_NEAR(ours[rows[r] * m.n_embd + cols[k]], expected[r][k], 2e-5)
                << "token " << rows[r] << " column " << cols[k];
}

TEST(DeltaNet, RunsOnQuantizedFilesCloseToF32) {
    Tiny m;
    ThreadPool pool(2);
    std::vector<float> f32(m.n * m.n_embd), q(m.n * m.n_embd);
    DeltaNetState s(m.c);
    gated_deltanet_forward(m.c, m.w, m.x.data(), m.n, s, f32.data(), pool,
                           kernels::Precision::Exact);
    for (const char* type : {"Q8_0", "Q4_K_M"}) {
        const GgufFile g(testdata_path(std::string("models/qwen35-") + type + ".gguf"));
        const DeltaNetWeights w = DeltaNetWeights::bind(g, 0, m.c, m.n_embd);
        for (auto precision : {kernels::Precision::Exact, kernels::Precision::Fast}) {
            s.reset();
            gated_deltanet_forward(m.c, w, m.x.data(), m.n, s, q.data(), pool, precision);
            double err = 0, norm = 0;
            for (size_t i = 0; i < q.size(); ++i) {
                err += (q[i] - f32[i]) * (q[i] - f32[i]);
                norm += double(f32[i]) * f32[i];
            }
            EXPECT_LT(err / norm, 0.05) << type;  // quantization noise, not a wrong layout
        }
    }
}

void expect_error_naming(const std::function<void()>& f, const std::string& what) {
    try {
        f();
        ADD_FAILURE() << "no error; expected one naming " << what;
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
}

TEST(DeltaNet, BadShapesAndMissingTensorsAreErrorsNamingTheTensor) {
    Tiny m;
    // Wrong embedding width: the first projection no longer fits.
    expect_error_naming([&] { DeltaNetWeights::bind(m.g, 0, m.c, 512); }, "blk.0.attn_qkv.weight");
    expect_error_naming([&] { DeltaNetWeights::bind(m.g, 0, m.c, 512); }, "expected [512, 768]");
    DeltaNetConfig c = m.c;
    c.conv_kernel = 3;
    expect_error_naming([&] { DeltaNetWeights::bind(m.g, 0, c, m.n_embd); },
                        "blk.0.ssm_conv1d.weight");
    c = m.c;
    c.n_v_heads = 4;  // same widths in smaller heads: the per-head vectors no longer fit
    c.head_v_dim = 64;
    expect_error_naming([&] { DeltaNetWeights::bind(m.g, 0, c, m.n_embd); },
                        "'blk.0.ssm_a' has shape [2], expected [4]");
    // Layer 1 is an attention layer: it has no recurrent tensors.
    expect_error_naming([&] { DeltaNetWeights::bind(m.g, 1, m.c, m.n_embd); },
                        "'blk.1.attn_qkv.weight' is missing");
}

TEST(DeltaNet, InconsistentMetadataIsAnErrorNamingTheKey) {
    auto file = [](uint32_t inner, uint32_t dt_rank, uint32_t groups, uint32_t state) {
        testing::GgufBuilder b;
        b.header(0, 7).kv_str("general.architecture", "qwen35");
        b.kv_u32("qwen35.ssm.inner_size", inner).kv_u32("qwen35.ssm.conv_kernel", 4);
        b.kv_u32("qwen35.ssm.state_size", state).kv_u32("qwen35.ssm.time_step_rank", dt_rank);
        b.kv_u32("qwen35.ssm.group_count", groups);
        b.kv_f32("qwen35.attention.layer_norm_rms_epsilon", 1e-6f);
        return b.write(testing::temp_path("deltanet_cfg.gguf"));
    };
    EXPECT_NO_THROW(DeltaNetConfig::from_gguf(GgufFile(file(256, 2, 2, 128)), "qwen35"));
    expect_error_naming(
        [&] { DeltaNetConfig::from_gguf(GgufFile(file(250, 3, 1, 128)), "qwen35"); },
        "qwen35.ssm.inner_size");
    expect_error_naming(
        [&] { DeltaNetConfig::from_gguf(GgufFile(file(384, 3, 2, 128)), "qwen35"); },
        "qwen35.ssm.group_count");
    expect_error_naming([&] { DeltaNetConfig::from_gguf(GgufFile(file(256, 2, 2, 64)), "qwen35"); },
                        "qwen35.ssm.state_size");
    expect_error_naming(
        [&] { DeltaNetConfig::from_gguf(GgufFile(file(256, 0, 2, 128)), "qwen35"); },
        "qwen35.ssm.time_step_rank");
    expect_error_naming(
        [&] { DeltaNetConfig::from_gguf(GgufFile(file(256, 2, 2, 128)), "qwen3next"); },
        "qwen3next.ssm.inner_size");
}

TEST(DeltaNet, GatedAttentionHelpersSplitGateAndRotate) {
    // Two tokens, two heads of 3: per head [q q q | g g g].
    std::vector<float> qg(2 * 2 * 6);
    for (size_t i = 0; i < qg.size(); ++i) qg[i] = float(i);
    std::vector<float> q(12), gate(12);
    split_query_gate(qg.data(), 2, 2, 3, q.data(), gate.data());
    EXPECT_EQ(q, (std::vector<float>{0, 1, 2, 6, 7, 8, 12, 13, 14, 18, 19, 20}));
    EXPECT_EQ(gate, (std::vector<float>{3, 4, 5, 9, 10, 11, 15, 16, 17, 21, 22, 23}));
    std::vector<float> a = {2.0f, 2.0f, -1.0f};
    const std::vector<float> g = {0.0f, 100.0f, std::log(3.0f)};
    apply_output_gate(a.data(), g.data(), 3);
    EXPECT_FLOAT_EQ(a[0], 1.0f);
    EXPECT_FLOAT_EQ(a[1], 2.0f);
    EXPECT_FLOAT_EQ(a[2], -0.75f);

    // Text IMROPE equals NeoX RoPE when every pair takes the position...
    std::vector<float> orig(128);
    for (int i = 0; i < 128; ++i) orig[i] = std::sin(0.37f * i) + 0.1f;
    std::vector<float> x = orig, y = orig;
    rope_imrope_text(x.data(), 128, 64, 7, 10000.0f, 1.0f, {11, 11, 10, 0});
    kernels::rope(y.data(), 128, 64, 7, 10000.0f, 1.0f, kernels::RopeStyle::NeoX);
    for (int i = 0; i < 128; ++i) EXPECT_NEAR(x[i], y[i], 1e-6) << i;
    // ...and leaves section e's pairs unrotated (position 0) when it has some.
    EXPECT_FALSE(imrope_text_is_neox(64, {4, 4, 4, 20}));
    std::vector<float> e = orig;
    rope_imrope_text(e.data(), 128, 64, 7, 10000.0f, 1.0f, {4, 4, 4, 20});
    EXPECT_EQ(e[12], orig[12]);  // pair 12: sector 12 % 3 == 0 but 12 >= 3 * 4 -> e
    EXPECT_EQ(e[12 + 32], orig[12 + 32]);
    EXPECT_NEAR(e[0], y[0], 1e-6);    // pair 0 -> t: rotated by the position
    EXPECT_NEAR(e[64], orig[64], 0);  // past n_rot: untouched
}

}  // namespace
}  // namespace flash
