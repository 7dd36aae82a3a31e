// The Q8_0 KV cache (-ctk q8_0 -ctv q8_0) on the reference models of every architecture: the
// logits stay within the parity bar against exact math (NMSE within max(1e-5, 2 x llama.cpp's
// own error), top-1 agreement >= 0.9) of the file or of the same architecture's Q8_0 file,
// whichever is looser: an 8-bit cache rounds keys and values as llama.cpp's Q8_0 path rounds
// activations, so on a float file it may not be held to f16's bar. Prompts read at once
// equal token by token (both store the same rows), and the cache takes what
// ModelConfig::kv_cache_bytes plans for it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "common/reference.h"
#include "common/testdata.h"
#include "core/error.h"
#include "model/model.h"
#include "runtime/session.h"

namespace flash {
namespace {

using testing::nmse;
using testing::read_logits;
using testing::testdata_path;

constexpr KvTypes kQ8{DType::Q8_0, DType::Q8_0};

struct Case {
    std::string arch, type;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.arch << "-" << c.type;
}

class KvQ8_0 : public ::testing::TestWithParam<Case> {
  protected:
    std::string base() const { return "models/" + GetParam().arch + "-" + GetParam().type; }
};

std::vector<float> logits(const Model& m, const std::vector<int32_t>& tokens, int64_t n_batch,
                          KvTypes types) {
    Session s(m, nullptr, {.n_ctx = 256, .n_threads = 2, .n_batch = n_batch, .kv_types = types});
    std::vector<float> out(tokens.size() * static_cast<size_t>(m.config().n_vocab));
    const int64_t n_vocab = m.config().n_vocab;
    for (size_t at = 0; at < tokens.size(); at += static_cast<size_t>(n_batch)) {
        const size_t len = std::min<size_t>(static_cast<size_t>(n_batch), tokens.size() - at);
        s.eval_all(std::span<const int32_t>(tokens).subspan(at, len),
                   out.data() + static_cast<std::ptrdiff_t>(at * n_vocab));
    }
    return out;
}

TEST_P(KvQ8_0, StaysWithinTheParityBar) {
    const auto tokens = testing::read_tokens(testdata_path("models/tokens.txt"));
    const auto model = Model::load(testdata_path(base() + ".gguf"));
    const auto exact = read_logits(testdata_path(base() + ".exact.logits.bin"));
    const auto native = read_logits(testdata_path(base() + ".logits.bin"));
    const int n = static_cast<int>(tokens.size());

    const std::vector<float> f16 = logits(*model, tokens, n, {});
    const std::vector<float> q8 = logits(*model, tokens, n, kQ8);
    const double f16_err = nmse(f16, exact.values), q8_err = nmse(q8, exact.values);
    const std::string q8_file = "models/" + GetParam().arch + "-Q8_0";
    const double q8_file_err =
        nmse(read_logits(testdata_path(q8_file + ".logits.bin")).values,
             read_logits(testdata_path(q8_file + ".exact.logits.bin")).values);
    const double bar = std::max({1e-5, 2 * nmse(native.values, exact.values), 2 * q8_file_err});
    const double top1 = testing::top1_agreement(q8, exact.values, n, exact.n_vocab);
    std::printf(
        "[ kv q8_0 ] %-14s NMSE(q8_0 cache, exact) %.3g  f16 cache %.3g  bar %.3g  "
        "top-1 %.3f\n",
        base().c_str() + 7, q8_err, f16_err, bar, top1);
    EXPECT_LE(q8_err, bar);
    EXPECT_GE(top1, 0.9);
    // The 8-bit rows are coarser than f16 ones: the cache type must show in the logits.
    EXPECT_GT(q8_err, f16_err);

    // One token at a time stores the same rows the batch did (up to the summation order of the
    // projections, which can move a value across a rounding boundary now and then).
    const std::vector<float> one_by_one = logits(*model, tokens, 1, kQ8);
    EXPECT_LT(nmse(one_by_one, q8), 1e-2 * q8_err);
    EXPECT_GE(testing::top1_agreement(one_by_one, q8, n, exact.n_vocab), 0.95);
}

TEST_P(KvQ8_0, TakesThePlannedBytes) {
    const auto model = Model::load(testdata_path(base() + ".gguf"));
    const ModelConfig& c = model->config();
    const KvCache cache(c, 256, 32, kQ8);
    EXPECT_EQ(static_cast<int64_t>(cache.bytes()),
              c.kv_cache_bytes(256, 32, kQ8) + c.recurrent_state_bytes());
    // 34 bytes per 32 elements against 64.
    const KvCache f16(c, 256, 32);
    EXPECT_EQ((f16.bytes() - static_cast<size_t>(c.recurrent_state_bytes())) * 34,
              (cache.bytes() - static_cast<size_t>(c.recurrent_state_bytes())) * 64);
}

std::vector<Case> cases() {
    std::vector<Case> out;
    for (const char* arch : {"llama", "qwen2", "qwen3", "gemma3", "qwen35"})
        for (const char* type : {"F16", "Q8_0", "Q4_K_M"}) out.push_back({arch, type});
    return out;
}

INSTANTIATE_TEST_SUITE_P(Models, KvQ8_0, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.arch + "_" + info.param.type; });

TEST(KvCacheTypes, TypesTheCacheCannotHoldAreRefusedByName) {
    const auto model = Model::load(testdata_path("models/llama-F16.gguf"));
    try {
        KvCache cache(model->config(), 64, 8, {DType::Q4_0, DType::F16});
        FAIL() << "a Q4_0 cache was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("Q4_0"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace flash
