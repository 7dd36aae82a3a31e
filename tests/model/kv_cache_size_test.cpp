// What `flash info` and `flash doctor` plan for the KV cache (ModelConfig::kv_cache_bytes and
// kv_bytes_per_token) is what KvCache allocates, for every architecture: full layers, sliding
// rings (gemma3) and recurrent state (qwen35).
#include <gtest/gtest.h>

#include <string>

#include "common/testdata.h"
#include "model/kv_cache.h"
#include "model/model.h"

namespace flash {
namespace {

class KvCacheSize : public ::testing::TestWithParam<std::string> {};

TEST_P(KvCacheSize, PlannedBytesEqualAllocatedBytes) {
    const auto model = Model::load(testing::testdata_path("models/" + GetParam() + "-F32.gguf"));
    const ModelConfig& c = model->config();
    for (const int64_t n_ctx : {64, 512, 4096}) {
        for (const int64_t batch : {1, 256}) {
            const KvCache cache(c, n_ctx, batch);
            EXPECT_EQ(static_cast<int64_t>(cache.bytes()),
                      c.kv_cache_bytes(n_ctx, batch) + c.recurrent_state_bytes())
                << "n_ctx " << n_ctx << ", batch " << batch;
        }
    }
    // Each further token costs kv_bytes_per_token once the sliding rings are full.
    const int64_t grown = c.kv_cache_bytes(8192, 1) - c.kv_cache_bytes(4096, 1);
    EXPECT_EQ(grown, 4096 * c.kv_bytes_per_token());
}

INSTANTIATE_TEST_SUITE_P(Architectures, KvCacheSize,
                         ::testing::Values("llama", "qwen2", "qwen3", "gemma3", "qwen35"));

}  // namespace
}  // namespace flash
