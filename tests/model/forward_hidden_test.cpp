// Model::forward_hidden, the CPU's part of a partial GPU offload: after no layers the rows are
// the tokens' embeddings; after every layer, the output norm and matrix give forward's logits;
// a layer count outside the model is refused.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/random_tokens.h"
#include "common/testdata.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "model/model.h"

namespace flash {
namespace {

TEST(ForwardHidden, StopsAfterTheLayersAskedFor) {
    for (const char* name : {"llama-Q8_0", "gemma3-F16", "qwen35-Q4_K_M"}) {
        const auto m = Model::load(testing::testdata_path(std::string("models/") + name + ".gguf"));
        const ModelConfig& c = m->config();
        const auto tokens = testing::random_tokens(9, static_cast<int>(c.n_vocab), 3);
        ThreadPool pool(2);
        Workspace ws;
        std::vector<float> logits(static_cast<size_t>(9 * c.n_vocab));
        std::vector<float> hidden(static_cast<size_t>(9 * c.n_embd)), row(c.n_embd);

        KvCache none(c, 16, 16);
        const SequenceBatch seq{tokens, 0, &none, logits.data(), true};
        m->forward_hidden({&seq, 1}, 0, ws, pool, kernels::Precision::Exact, hidden.data());
        for (int64_t t = 0; t < 9; ++t) {
            m->embed(tokens[t], row.data());
            EXPECT_TRUE(std::equal(row.begin(), row.end(), hidden.begin() + t * c.n_embd))
                << name << " row " << t;
        }

        KvCache all(c, 16, 16), plain(c, 16, 16);
        const SequenceBatch deep{tokens, 0, &all, logits.data(), true};
        m->forward_hidden({&deep, 1}, c.n_layer, ws, pool, kernels::Precision::Exact,
                          hidden.data());
        std::vector<float> expect(logits.size());
        m->forward(tokens, 0, plain, ws, pool, expect.data(), true);
        std::vector<float> normed(hidden.size()), got(logits.size());
        for (int64_t t = 0; t < 9; ++t)
            kernels::rmsnorm(normed.data() + t * c.n_embd, hidden.data() + t * c.n_embd,
                             m->weights().output_norm.f32(), c.n_embd, c.rms_eps);
        const WeightRef& out = m->weights().output;
        kernels::matmul(out.type, out.data, out.rows, out.cols, normed.data(), 9, got.data(), pool,
                        kernels::Precision::Exact);
        double err = 0, ref = 0;
        for (size_t i = 0; i < got.size(); ++i) {
            err += (got[i] - expect[i]) * double(got[i] - expect[i]);
            ref += double(expect[i]) * expect[i];
        }
        EXPECT_LT(err / ref, 1e-12) << name;

        EXPECT_THROW(m->forward_hidden({&seq, 1}, c.n_layer + 1, ws, pool,
                                       kernels::Precision::Exact, hidden.data()),
                     Error);
    }
}

}  // namespace
}  // namespace flash
