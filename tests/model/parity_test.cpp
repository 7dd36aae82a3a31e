// Logits parity with llama.cpp on the tiny reference models (testdata/models), by the bar in
// testdata/README.md: NMSE to exact math within max(1e-5, 2 x llama.cpp's own), top-1
// agreement >= 0.9, and for float files the greedy continuation of one of the references.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "common/prompt_logits.h"
#include "common/reference.h"
#include "common/testdata.h"
#include "model/model.h"
#include "runtime/sampler.h"
#include "runtime/session.h"

namespace flash {
namespace {

using testing::nmse;
using testing::read_logits;
using testing::testdata_path;

struct Case {
    std::string arch;
    std::string type;
    kernels::Precision precision;
};

// How ctest and failure messages show a case (instead of its bytes).
void PrintTo(const Case& c, std::ostream* os) {
    *os << c.arch << "-" << c.type
        << (c.precision == kernels::Precision::Exact ? " exact" : " fast");
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
    return info.param.arch + "_" + info.param.type +
           (info.param.precision == kernels::Precision::Exact ? "_exact" : "_fast");
}

class LogitsParity : public ::testing::TestWithParam<Case> {
  protected:
    std::string base() const { return "models/" + GetParam().arch + "-" + GetParam().type; }
};

TEST_P(LogitsParity, MatchesLlamaCppWithinTheParityBar) {
    const auto tokens = testing::read_tokens(testdata_path("models/tokens.txt"));
    const auto model = Model::load(testdata_path(base() + ".gguf"));
    const std::vector<float> ours = testing::prompt_logits(*model, tokens, 2, GetParam().precision);

    const std::string native_path = testdata_path(base() + ".logits.bin");
    const std::string exact_path =
        GetParam().type == "F32" ? native_path : testdata_path(base() + ".exact.logits.bin");
    const auto native = read_logits(native_path);
    const auto exact = read_logits(exact_path);
    ASSERT_EQ(exact.n_tokens, static_cast<int>(tokens.size()));
    ASSERT_EQ(exact.n_vocab, model->config().n_vocab);

    const double ours_err = nmse(ours, exact.values);
    const double native_err = nmse(native.values, exact.values);
    const double bar = std::max(1e-5, 2 * native_err);
    const double top1 = testing::top1_agreement(ours, exact.values, exact.n_tokens, exact.n_vocab);
    std::printf(
        "[ parity ] %-14s %-5s NMSE(ours, exact) %.3g  NMSE(llama.cpp, exact) %.3g  bar %.3g  "
        "top-1 %.3f\n",
        base().c_str() + 7, GetParam().precision == kernels::Precision::Exact ? "exact" : "fast",
        ours_err, native_err, bar, top1);
    EXPECT_LE(ours_err, bar);
    EXPECT_GE(top1, 0.9);
    // Exact precision is the dequantized model's arithmetic: only float rounding remains.
    if (GetParam().precision == kernels::Precision::Exact) {
        EXPECT_LE(ours_err, 1e-5);
    }
}

// Greedy equality is required of the float files (F32, F16, BF16) only.
class GreedyParity : public LogitsParity {};

TEST_P(GreedyParity, ContinuationMatchesAReference) {
    const auto tokens = testing::read_tokens(testdata_path("models/tokens.txt"));
    const auto model = Model::load(testdata_path(base() + ".gguf"));
    Session s(*model, nullptr,
              {.n_ctx = 256, .n_threads = 2, .n_batch = 32, .precision = GetParam().precision});
    std::vector<int32_t> greedy;
    std::span<float> logits = s.eval(tokens);
    for (int i = 0; i < 16; ++i) {
        const int32_t id = argmax(logits);
        greedy.push_back(id);
        const int32_t one[1] = {id};
        logits = s.eval(one);
    }
    const auto native = testing::read_greedy(testdata_path(base() + ".json"));
    const std::string exact_json =
        GetParam().type == "F32" ? base() + ".json" : base() + ".exact.json";
    const auto exact = testing::read_greedy(testdata_path(exact_json));
    EXPECT_TRUE(greedy == native || greedy == exact);
}

TEST_P(LogitsParity, PrefillAtOnceEqualsTokenByToken) {
    const auto tokens = testing::read_tokens(testdata_path("models/tokens.txt"));
    const auto model = Model::load(testdata_path(base() + ".gguf"));
    const std::vector<float> at_once =
        testing::prompt_logits(*model, tokens, 2, GetParam().precision);

    const int64_t n_vocab = model->config().n_vocab;
    Session s(*model, nullptr,
              {.n_ctx = 256, .n_threads = 1, .n_batch = 1, .precision = GetParam().precision});
    std::vector<float> one_by_one(at_once.size());
    for (size_t t = 0; t < tokens.size(); ++t) {
        const int32_t one[1] = {tokens[t]};
        const std::span<float> l = s.eval(one);
        std::copy(l.begin(), l.end(),
                  one_by_one.begin() + static_cast<std::ptrdiff_t>(t * n_vocab));
    }
    if (GetParam().precision == kernels::Precision::Exact) {
        // Two summation orders (the GEMM for a batch, dot products for one token), each exact
        // up to float rounding, compounded over the layers: far below the 1e-5 bar.
        EXPECT_LT(nmse(one_by_one, at_once), 1e-7);
    } else {
        // Fast reads a batch in f32 and rounds one token's activations to 8 bits: the two
        // differ by that rounding, no more than llama.cpp's own output differs from exact math.
        const std::string exact_path = testdata_path(
            base() + (GetParam().type == "F32" ? ".logits.bin" : ".exact.logits.bin"));
        const double rounding = nmse(read_logits(testdata_path(base() + ".logits.bin")).values,
                                     read_logits(exact_path).values);
        EXPECT_LE(nmse(one_by_one, at_once), std::max(1e-7, 2 * rounding));
    }
    // Exact: the same top token everywhere; fast: as often as the parity test asks of it.
    const double top1 = testing::top1_agreement(
        one_by_one, at_once, static_cast<int>(tokens.size()), static_cast<int>(n_vocab));
    EXPECT_GE(top1, GetParam().precision == kernels::Precision::Exact ? 1.0 : 0.9);
}

std::vector<Case> llama_cases() {
    std::vector<Case> cases;
    for (const char* t : {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K",
                          "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K"})
        for (auto p : {kernels::Precision::Exact, kernels::Precision::Fast})
            cases.push_back({"llama", t, p});
    return cases;
}

std::vector<Case> other_arch_cases() {
    std::vector<Case> cases;
    for (const char* arch : {"qwen2", "qwen3", "gemma3", "qwen35"})
        for (const char* t : {"F32", "F16", "Q8_0", "Q4_K_M"})
            for (auto p : {kernels::Precision::Exact, kernels::Precision::Fast})
                cases.push_back({arch, t, p});
    return cases;
}

std::vector<Case> float_cases(const std::vector<Case>& all) {
    std::vector<Case> out;
    for (const Case& c : all)
        if (c.type == "F32" || c.type == "F16" || c.type == "BF16") out.push_back(c);
    return out;
}

INSTANTIATE_TEST_SUITE_P(Llama, LogitsParity, ::testing::ValuesIn(llama_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(Llama, GreedyParity, ::testing::ValuesIn(float_cases(llama_cases())),
                         case_name);
INSTANTIATE_TEST_SUITE_P(Families, LogitsParity, ::testing::ValuesIn(other_arch_cases()),
                         case_name);
INSTANTIATE_TEST_SUITE_P(Families, GreedyParity,
                         ::testing::ValuesIn(float_cases(other_arch_cases())), case_name);

}  // namespace
}  // namespace flash
