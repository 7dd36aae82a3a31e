// Fidelity measures on hand-computed rows and on the testdata models: a model against itself
// is exact (KL 0, every top token agrees, perplexity ratio 1), and more bits mean less
// divergence from the F32 original (Q8_0 < Q4_K_M < Q2_K).
#include <gtest/gtest.h>

#include <cmath>

#include "common/testdata.h"
#include "core/error.h"
#include "eval/fidelity.h"
#include "model/model.h"

namespace flash::eval {
namespace {

TEST(Fidelity, RowKlByHand) {
    const float p[3] = {0.f, 0.f, 0.f}, q[3] = {std::log(2.f), 0.f, 0.f};
    double lp = 0, lq = 0;
    bool same = true;
    // p uniform (1/3 each), q = (1/2, 1/4, 1/4): KL = Σ 1/3 ln((1/3)/q_i).
    const double expected = (std::log((1 / 3.0) / 0.5) + 2 * std::log((1 / 3.0) / 0.25)) / 3;
    EXPECT_NEAR(row_kl(p, q, 3, 1, &lp, &lq, &same), expected, 1e-6);
    EXPECT_NEAR(lp, std::log(1 / 3.0), 1e-6);
    EXPECT_NEAR(lq, std::log(0.25), 1e-6);
    EXPECT_EQ(row_kl(q, q, 3, 0, nullptr, nullptr, &same), 0.0);
    EXPECT_TRUE(same);
}

struct Loaded {
    std::unique_ptr<Model> model;
    std::unique_ptr<Session> session;
};

Loaded open(const std::string& type) {
    Loaded l;
    l.model = Model::load(testing::testdata_path("models/llama-" + type + ".gguf"));
    SessionOptions so;
    so.n_ctx = 64;
    so.n_batch = 64;
    so.n_threads = 1;
    l.session = std::make_unique<Session>(*l.model, nullptr, so);
    return l;
}

std::vector<int32_t> corpus(int64_t n_vocab) {
    std::vector<int32_t> t;
    for (int i = 0; i < 256; ++i) t.push_back(static_cast<int32_t>((i * 7919 + 13) % n_vocab));
    return t;
}

TEST(Fidelity, TestdataModelsOrderedByBits) {
    Loaded f32 = open("F32");
    const auto tokens = corpus(f32.model->config().n_vocab);
    FidelityOptions o;
    o.window = 32;
    o.max_tokens = 256;
    Loaded self = open("F32");
    const Fidelity same = measure_fidelity(*f32.session, *self.session, tokens, o);
    EXPECT_EQ(same.positions, 8 * 31);
    EXPECT_EQ(same.kl_mean, 0.0);
    EXPECT_EQ(same.top1_agreement, 1.0);
    EXPECT_NEAR(same.ppl_ratio(), 1.0, 1e-12);

    double last = 0;
    for (const char* type : {"Q8_0", "Q4_K_M", "Q2_K"}) {
        Loaded q = open(type);
        const Fidelity f = measure_fidelity(*f32.session, *q.session, tokens, o);
        EXPECT_GT(f.kl_mean, last) << type;
        EXPECT_GE(f.kl_p99, f.kl_mean) << type;
        EXPECT_GE(f.kl_max, f.kl_p99) << type;
        EXPECT_GT(f.top1_agreement, 0.3) << type;
        last = f.kl_mean;
    }
    EXPECT_LT(last, 1.0);  // Q2_K diverges, but it is the same model

    o.window = 512;  // longer than the corpus
    EXPECT_THROW(measure_fidelity(*f32.session, *self.session, tokens, o), Error);
}

}  // namespace
}  // namespace flash::eval
