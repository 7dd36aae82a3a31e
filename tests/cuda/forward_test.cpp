// The GPU forward pass (cuda/cuda_model.h) on the tiny reference models (testdata/models): the
// parity bar against llama.cpp's exact-math logits that the CPU meets, the CPU's own exact logits
// within float rounding, the CPU's greedy continuation, and positions that can be evaluated
// again. The checks that need no device (which models the GPU path takes, the memory it asks
// for) run everywhere; the rest skip without a GPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "common/prompt_logits.h"
#include "common/reference.h"
#include "common/session_script.h"
#include "common/testdata.h"
#include "core/error.h"
#include "cuda/cuda_model.h"
#include "model/kv_cache.h"
#include "runtime/batcher.h"
#include "runtime/sampler.h"
#include "runtime/session.h"

namespace flash::cuda {
namespace {

using flash::testing::nmse;
using flash::testing::read_logits;
using flash::testing::testdata_path;

std::unique_ptr<Model> load(const std::string& name) {
    return Model::load(testdata_path("models/" + name + ".gguf"));
}

TEST(CudaForwardSupport, EveryArchitectureIsTakenAndMultiSectionRopeRefusedByName) {
    for (const char* name :
         {"llama-Q4_K_M", "qwen2-Q8_0", "qwen3-F16", "gemma3-Q4_K_M", "qwen35-Q8_0"})
        EXPECT_EQ(forward_unsupported(load(name)->config()), "") << name;
    // A Qwen3.5 whose RoPE sections change the rotation (no released one does) has no kernel.
    ModelConfig sections = load("qwen35-Q8_0")->config();
    sections.rope_sections_used = true;
    EXPECT_NE(forward_unsupported(sections).find("multi-section RoPE"), std::string::npos);
}

// A recurrent layer's conv window and state are counted per slot, beside the weights.
TEST(CudaForwardSupport, RecurrentStatesAreCountedPerSlot) {
    const auto m = load("qwen35-Q8_0");
    const ModelConfig& c = m->config();
    const DeltaNetConfig& dc = *c.deltanet;
    const auto per_slot = static_cast<size_t>(
        (c.n_layer - c.attention_layers()) *
        (dc.conv_channels() * (dc.conv_kernel - 1) + dc.value_dim() * dc.head_k_dim) * 4);
    EXPECT_EQ(forward_device_memory(c, m->weights(), 64, 1).recurrent, per_slot);
    EXPECT_EQ(forward_device_memory(c, m->weights(), 64, 3).recurrent, 3 * per_slot);
    EXPECT_EQ(forward_device_memory(load("llama-Q8_0")->config(), m->weights(), 64).recurrent, 0u);
}

TEST(CudaForwardSupport, DeviceBytesHoldTheWeightsAndGrowByTheCachePerPosition) {
    for (const char* name : {"llama-Q4_K_M", "gemma3-F16", "qwen2-Q8_0"}) {
        const auto m = load(name);
        const ModelConfig& c = m->config();
        size_t matrices = 0;
        for (const LayerWeights& L : m->weights().layers)
            for (const WeightRef* w : {&L.wq, &L.wk, &L.wv, &L.wo, &L.w_gate, &L.w_up, &L.w_down})
                matrices += static_cast<size_t>(w->rows) * row_bytes(w->type, w->cols);
        EXPECT_GT(forward_device_memory(c, m->weights(), 1).total(), matrices) << name;
        // Per position: f16 keys and values of every attention layer, and an f32 score per head
        // for each token of a prompt chunk (the same chunk at both sizes here).
        ASSERT_EQ(prefill_chunk(c, 128), prefill_chunk(c, 256));
        const auto per_position =
            static_cast<size_t>(c.attention_layers() * (c.kv_dim() + c.v_dim()) * 2 +
                                prefill_chunk(c, 256) * c.n_head * 4);
        EXPECT_EQ(forward_device_memory(c, m->weights(), 256).total() -
                      forward_device_memory(c, m->weights(), 128).total(),
                  128 * per_position)
            << name;
    }
}

class CudaForward : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        if (device_count() == 0) GTEST_SKIP() << "no CUDA device: the GPU test is skipped";
    }
};

std::string case_name(const ::testing::TestParamInfo<std::string>& info) {
    std::string s = info.param;
    std::replace(s.begin(), s.end(), '-', '_');
    return s;
}

// Every token's logits through a Session whose forward calls run on the GPU.
std::vector<float> gpu_prompt_logits(const Model& m, const std::vector<int32_t>& tokens,
                                     CudaOptions options = {}) {
    CudaRunner runner(m, 256, options);
    Session s(m, nullptr,
              {.n_ctx = 256, .n_batch = static_cast<int64_t>(tokens.size()), .runner = &runner});
    std::vector<float> out(tokens.size() * static_cast<size_t>(m.config().n_vocab));
    s.eval_all(tokens, out.data());
    return out;
}

TEST_P(CudaForward, MeetsTheParityBarAndEqualsTheCpuWithinRounding) {
    const auto tokens = flash::testing::read_tokens(testdata_path("models/tokens.txt"));
    const auto m = load(GetParam());
    const std::vector<float> gpu = gpu_prompt_logits(*m, tokens);
    const std::vector<float> cpu =
        flash::testing::prompt_logits(*m, tokens, 2, kernels::Precision::Exact);

    const bool f32 = GetParam().ends_with("F32");
    const std::string base = "models/" + GetParam();
    const auto exact =
        read_logits(testdata_path(base + (f32 ? ".logits.bin" : ".exact.logits.bin")));
    const auto native = read_logits(testdata_path(base + ".logits.bin"));
    const double err = nmse(gpu, exact.values);
    const double bar = std::max(1e-5, 2 * nmse(native.values, exact.values));
    std::printf("[ gpu parity ] %-16s NMSE(gpu, exact) %.3g  bar %.3g  NMSE(gpu, cpu) %.3g\n",
                GetParam().c_str(), err, bar, nmse(gpu, cpu));
    EXPECT_LE(err, std::min(bar, 1e-5));
    EXPECT_GE(flash::testing::top1_agreement(gpu, exact.values, exact.n_tokens, exact.n_vocab),
              0.9);
    // Two exact computations with the same f16 KV cache that differ only in summation order:
    // far below the bar (at most 3.5e-9 on the host stand-in; an unrounded f32 cache gives
    // about 1.2e-7).
    EXPECT_LT(nmse(gpu, cpu), 2e-8);
}

// 80 positions: past gemma3's 32-token sliding window, so its windowed layer must drop the
// oldest keys as the CPU does; with the positions in one attention part, and in parts of 7 (a
// row's parts start at its window's first position), merged.
TEST_P(CudaForward, PastTheSlidingWindowEqualsTheCpu) {
    const auto prompt = flash::testing::read_tokens(testdata_path("models/tokens.txt"));
    std::vector<int32_t> tokens;
    while (tokens.size() < 80) tokens.push_back(prompt[tokens.size() % prompt.size()]);
    const auto m = load(GetParam());
    const std::vector<float> cpu =
        flash::testing::prompt_logits(*m, tokens, 2, kernels::Precision::Exact);
    for (int64_t part : {kAttentionPart, int64_t{7}}) {
        const std::vector<float> gpu = gpu_prompt_logits(*m, tokens, {.attention_part = part});
        EXPECT_LT(nmse(gpu, cpu), 2e-8) << "attention in parts of " << part;
        EXPECT_EQ(
            flash::testing::top1_agreement(gpu, cpu, 80, static_cast<int>(m->config().n_vocab)),
            1.0);
    }
}

// A prompt in one pass, in passes of 7 tokens, and one token at a time: the same logits, to the
// GPU-against-CPU bar: each row count has its product (the GEMM, matvec_tokens, matvec), each
// summing in its own order.
TEST_P(CudaForward, PromptChunksAndSingleTokensAgree) {
    const auto prompt = flash::testing::read_tokens(testdata_path("models/tokens.txt"));
    std::vector<int32_t> tokens;
    while (tokens.size() < 40) tokens.push_back(prompt[tokens.size() % prompt.size()]);
    const auto m = load(GetParam());
    const auto n_vocab = static_cast<size_t>(m->config().n_vocab);
    std::vector<float> whole(tokens.size() * n_vocab), sevens(whole.size()), ones(whole.size());
    CudaModel(*m, 64).forward(tokens, 0, whole.data(), true);
    CudaModel(*m, 64, {.max_chunk = 7}).forward(tokens, 0, sevens.data(), true);
    // Chunks of 7 rows take matvec_tokens (quantized weights), the whole prompt the GEMM.
    EXPECT_LT(nmse(whole, sevens), 2e-8);
    CudaModel one_by_one(*m, 64);
    for (size_t t = 0; t < tokens.size(); ++t)
        one_by_one.forward({&tokens[t], 1}, static_cast<int64_t>(t), ones.data() + t * n_vocab,
                           false);
    // The GPU-against-CPU bar: every product of a single token sums in the matvec's order.
    EXPECT_LT(nmse(ones, whole), 2e-8);
    EXPECT_EQ(flash::testing::top1_agreement(ones, whole, 40, static_cast<int>(n_vocab)), 1.0);
}

// Continuous batching's pass: sequences in their own cache slots, joined into rows that chunks
// of 7 cut across, equal each sequence alone (bit for bit where the products take the same
// path; within float rounding otherwise: c's last row is the only one needing logits in the
// batch's last chunk, so its output product is the single-token one, where alone it shares one
// with c's other rows).
TEST_P(CudaForward, BatchedSequencesEqualEachAlone) {
    const auto prompt = flash::testing::read_tokens(testdata_path("models/tokens.txt"));
    const auto m = load(GetParam());
    const auto n_vocab = static_cast<size_t>(m->config().n_vocab);
    auto tokens = [&](size_t from, size_t n) {
        std::vector<int32_t> t;
        for (size_t i = 0; i < n; ++i) t.push_back(prompt[(from + i) % prompt.size()]);
        return t;
    };
    const auto a = tokens(0, 21), b = tokens(5, 16), c = tokens(11, 12);
    KvCache ca(m->config(), 64, 64), cb(m->config(), 64, 64), cc(m->config(), 64, 64);
    std::vector<float> scratch(64 * n_vocab);

    // Together: a and b primed (20 and 10 tokens), then a's 21st token, b's next 6 (every
    // logit) and c's first 12 in one pass.
    CudaModel together(*m, 64, {.slots = 3, .max_chunk = 7});
    const SequenceBatch prime[] = {{std::span(a).first(20), 0, &ca, scratch.data(), false},
                                   {std::span(b).first(10), 0, &cb, scratch.data(), false}};
    together.forward_batch(prime);
    std::vector<float> got_a(n_vocab), got_b(6 * n_vocab), got_c(n_vocab);
    const SequenceBatch step[] = {{std::span(a).subspan(20), 20, &ca, got_a.data(), false},
                                  {std::span(b).subspan(10), 10, &cb, got_b.data(), true},
                                  {c, 0, &cc, got_c.data(), false}};
    together.forward_batch(step);

    auto alone = [&](const std::vector<int32_t>& t, size_t first_row, bool all) {
        std::vector<float> out(t.size() * n_vocab);
        CudaModel(*m, 64, {.max_chunk = 7}).forward(t, 0, out.data(), true);
        return std::vector<float>(
            out.begin() + static_cast<std::ptrdiff_t>(first_row * n_vocab),
            all ? out.end() : out.begin() + static_cast<std::ptrdiff_t>((first_row + 1) * n_vocab));
    };
    EXPECT_LT(nmse(got_a, alone(a, 20, false)), 1e-9);
    EXPECT_EQ(got_b, alone(b, 10, true));
    EXPECT_LT(nmse(got_c, alone(c, 11, false)), 1e-9);

    // A fourth cache is beyond the three slots: refused before anything runs.
    KvCache cd(m->config(), 64, 64);
    const SequenceBatch extra[] = {{std::span(c).first(1), 0, &cd, got_c.data(), false}};
    EXPECT_THROW(together.forward_batch(extra), Error);
}

// The server's way: sessions on their own threads stepping through a Batcher whose passes run on
// the GPU give what they give alone on the CPU.
TEST_P(CudaForward, SessionsThroughABatcherOnTheGpuMatchTheCpu) {
    const auto m = load(GetParam());
    const auto prompt = flash::testing::read_tokens(testdata_path("models/tokens.txt"));
    const int64_t n_vocab = m->config().n_vocab;
    constexpr int kSessions = 4, kSteps = 6;
    auto script = [&](Session& s, int which) {
        return flash::testing::scripted_logits(s, std::span(prompt).first(7 + 5 * which), which,
                                               kSteps, n_vocab);
    };
    std::vector<std::vector<float>> alone(kSessions), batched(kSessions);
    for (int i = 0; i < kSessions; ++i) {
        Session s(*m, nullptr, {.n_ctx = 64, .n_threads = 1, .n_batch = 8});
        alone[i] = script(s, i);
    }
    CudaModel gpu(*m, 64, {.slots = kSessions});
    Batcher batcher(*m, 1, 64, kernels::Precision::Exact,
                    [&](std::span<const SequenceBatch> seqs) { gpu.forward_batch(seqs); });
    std::vector<std::thread> threads;
    for (int i = 0; i < kSessions; ++i)
        threads.emplace_back([&, i] {
            Batcher::Active active(batcher);
            Session s(*m, nullptr, {.n_ctx = 64, .n_batch = 8, .runner = &batcher});
            batched[i] = script(s, i);
        });
    for (auto& t : threads) t.join();
    for (int i = 0; i < kSessions; ++i)
        EXPECT_LT(nmse(alone[i], batched[i]), 1e-6) << "session " << i;
    const BatcherStats st = batcher.stats();
    EXPECT_GT(st.sequences, st.steps) << "no pass ever joined two sessions";
}

// Partial offload (-ngl): the first layers on the CPU, the rest and the output on the GPU, give
// the CPU's logits for a prompt in chunks then single tokens (all layers on the CPU but the
// output, one, half, all but one on the GPU), and for two sequences in one pass.
TEST_P(CudaForward, PartialOffloadEqualsTheCpu) {
    const auto prompt = flash::testing::read_tokens(testdata_path("models/tokens.txt"));
    std::vector<int32_t> tokens;
    while (tokens.size() < 24) tokens.push_back(prompt[tokens.size() % prompt.size()]);
    const auto m = load(GetParam());
    const int64_t n_layer = m->config().n_layer, n_vocab = m->config().n_vocab;
    const std::vector<float> cpu =
        flash::testing::prompt_logits(*m, tokens, 2, kernels::Precision::Exact);
    for (int64_t gpu_layers : {int64_t{0}, int64_t{1}, n_layer / 2, n_layer - 1}) {
        CudaModel gpu(*m, 64, {.max_chunk = 7, .gpu_layers = gpu_layers, .cpu_threads = 2});
        EXPECT_EQ(gpu.first_gpu_layer(), n_layer - gpu_layers);
        std::vector<float> out(cpu.size());
        gpu.forward(std::span<const int32_t>(tokens).first(20), 0, out.data(), true);
        for (int64_t t = 20; t < 24; ++t)
            gpu.forward({&tokens[t], 1}, t, out.data() + t * n_vocab, false);
        EXPECT_LT(nmse(out, cpu), 2e-8) << gpu_layers << " layers on the GPU";
    }
    // Two sequences in one pass, each with its own KvCache for the CPU's layers.
    CudaModel gpu(*m, 64, {.slots = 2, .gpu_layers = n_layer / 2});
    KvCache ca(m->config(), 64, 64), cb(m->config(), 64, 64);
    std::vector<float> a(static_cast<size_t>(n_vocab)), b(a.size());
    const SequenceBatch both[] = {
        {std::span<const int32_t>(tokens).first(24), 0, &ca, a.data(), false},
        {std::span<const int32_t>(tokens).first(11), 0, &cb, b.data(), false}};
    gpu.forward_batch(both);
    auto row = [&](int64_t t) {
        return std::vector<float>(cpu.begin() + t * n_vocab, cpu.begin() + (t + 1) * n_vocab);
    };
    EXPECT_LT(nmse(a, row(23)), 2e-8);
    EXPECT_LT(nmse(b, row(10)), 2e-8);
}

// Passes whose layers are replayed from graphs (CudaOptions::graphs) give the logits of passes
// launched one kernel at a time, bit for bit: two prompts (two 7-row chunks), two sequences
// stepping together (2-row passes), then one alone (1-row passes), each row count launched,
// then recorded, then replayed with new tokens and positions.
TEST_P(CudaForward, DecodeStepsFromGraphsEqualLaunchedOnes) {
    const auto tokens = flash::testing::read_tokens(testdata_path("models/tokens.txt"));
    const auto m = load(GetParam());
    const auto n_vocab = static_cast<size_t>(m->config().n_vocab);
    CudaModel graphs(*m, 64, {.slots = 2, .max_chunk = 7});
    CudaModel launched(*m, 64, {.slots = 2, .max_chunk = 7, .graphs = false});
    KvCache ca(m->config(), 64, 64), cb(m->config(), 64, 64);
    std::vector<float> a(2 * n_vocab), b(2 * n_vocab);  // [graphs | launched]
    auto pass = [&](int64_t pos_a, size_t n_a, int64_t pos_b, size_t n_b) {
        for (int i = 0; i < 2; ++i) {
            std::vector<SequenceBatch> seqs;
            if (n_a)
                seqs.push_back({std::span(tokens).subspan(static_cast<size_t>(pos_a), n_a), pos_a,
                                &ca, a.data() + i * n_vocab, false});
            if (n_b)
                seqs.push_back({std::span(tokens).subspan(static_cast<size_t>(pos_b) + 3, n_b),
                                pos_b, &cb, b.data() + i * n_vocab, false});
            (i == 0 ? graphs : launched).forward_batch(seqs);
        }
        if (n_a) {
            EXPECT_TRUE(std::equal(a.begin(), a.begin() + n_vocab, a.begin() + n_vocab)) << pos_a;
        }
        if (n_b) {
            EXPECT_TRUE(std::equal(b.begin(), b.begin() + n_vocab, b.begin() + n_vocab)) << pos_b;
        }
    };
    pass(0, 9, 0, 5);
    EXPECT_EQ(graphs.graphs_recorded(), 1u);  // 7 rows: launched, then recorded
    for (int64_t step = 0; step < 4; ++step) pass(9 + step, 1, 5 + step, 1);
    for (int64_t step = 4; step < 7; ++step) pass(9 + step, 1, 0, 0);
    EXPECT_EQ(graphs.graphs_recorded(), 3u) << graphs.graphs_off_reason();  // and 2, then 1
    EXPECT_EQ(graphs.graphs_off_reason(), "");
    EXPECT_EQ(launched.graphs_recorded(), 0u);
}

// As on the CPU, greedy equality with a reference is asked of the float files only.
class CudaGreedy : public CudaForward {};

TEST_P(CudaGreedy, ContinuationMatchesAReference) {
    const auto tokens = flash::testing::read_tokens(testdata_path("models/tokens.txt"));
    const auto m = load(GetParam());
    CudaRunner runner(*m, 256);
    Session s(*m, nullptr, {.n_ctx = 256, .n_batch = 32, .runner = &runner});
    std::vector<int32_t> greedy;
    std::span<float> logits = s.eval(tokens);
    for (int i = 0; i < 16; ++i) {
        greedy.push_back(argmax(logits));
        const int32_t one[1] = {greedy.back()};
        logits = s.eval(one);
    }
    const std::string base = "models/" + GetParam();
    const auto native = flash::testing::read_greedy(testdata_path(base + ".json"));
    const auto exact = flash::testing::read_greedy(
        testdata_path(base + (GetParam().ends_with("F32") ? ".json" : ".exact.json")));
    EXPECT_TRUE(greedy == native || greedy == exact);
}

TEST_P(CudaForward, PositionsEvaluatedAgainGiveTheSameLogits) {
    const auto tokens = flash::testing::read_tokens(testdata_path("models/tokens.txt"));
    const auto m = load(GetParam());
    const auto n_vocab = static_cast<size_t>(m->config().n_vocab);
    CudaModel gpu(*m, 64);
    std::vector<float> first(tokens.size() * n_vocab), again(8 * n_vocab);
    gpu.forward(tokens, 0, first.data(), true);
    if (m->config().has_recurrent_layers()) {
        // A recurrent state cannot go back: refused, by what it can do instead; a restart at 0
        // gives the same logits.
        try {
            gpu.forward(std::span<const int32_t>(tokens).subspan(24, 8), 24, again.data(), true);
            ADD_FAILURE() << "a recurrent sequence went back to position 24";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("restarts at 0"), std::string::npos) << e.what();
        }
        std::vector<float> restart(first.size());
        gpu.forward(tokens, 0, restart.data(), true);
        EXPECT_EQ(restart, first);
        return;
    }
    gpu.forward(std::span<const int32_t>(tokens).subspan(24, 8), 24, again.data(), true);
    // 8 rows take matvec_tokens where the whole prompt took the GEMM: the same logits to the
    // GPU-against-CPU bar (a stale or misplaced cache row is off by far more).
    const std::vector<float> was(first.begin() + 24 * n_vocab, first.begin() + 32 * n_vocab);
    EXPECT_LT(nmse(again, was), 2e-8);
    EXPECT_EQ(flash::testing::top1_agreement(again, was, 8, static_cast<int>(n_vocab)), 1.0);
    EXPECT_THROW(gpu.forward(tokens, 40, again.data(), true), Error);  // past the context
}

INSTANTIATE_TEST_SUITE_P(Models, CudaForward,
                         ::testing::Values("llama-F32", "llama-F16", "llama-BF16", "llama-Q8_0",
                                           "llama-Q4_0", "llama-Q4_1", "llama-Q5_0", "llama-Q5_1",
                                           "llama-Q2_K", "llama-Q3_K_M", "llama-Q4_K_M",
                                           "llama-Q5_K_M", "llama-Q6_K", "qwen2-F16", "qwen2-Q8_0",
                                           "qwen2-Q4_K_M", "qwen3-F16", "qwen3-Q8_0",
                                           "qwen3-Q4_K_M", "gemma3-F16", "gemma3-Q8_0",
                                           "gemma3-Q4_K_M", "qwen35-F32", "qwen35-F16",
                                           "qwen35-Q8_0", "qwen35-Q4_K_M"),
                         case_name);

INSTANTIATE_TEST_SUITE_P(FloatModels, CudaGreedy,
                         ::testing::Values("llama-F32", "llama-F16", "llama-BF16", "qwen2-F32",
                                           "qwen2-F16", "qwen3-F32", "qwen3-F16", "gemma3-F32",
                                           "gemma3-F16", "qwen35-F32", "qwen35-F16"),
                         case_name);

}  // namespace
}  // namespace flash::cuda
