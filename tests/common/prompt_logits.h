// The logits of every position of a prompt evaluated as one batch from an empty cache, the
// form the model tests compare (against llama.cpp, token by token, across thread counts).
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/kernels.h"
#include "model/model.h"
#include "runtime/session.h"

namespace flash::testing {

inline std::vector<float> prompt_logits(const Model& m, const std::vector<int32_t>& tokens,
                                        int threads, kernels::Precision precision) {
    Session s(m, nullptr,
              {.n_ctx = 256,
               .n_threads = threads,
               .n_batch = static_cast<int64_t>(tokens.size()),
               .precision = precision});
    std::vector<float> out(tokens.size() * static_cast<size_t>(m.config().n_vocab));
    s.eval_all(tokens, out.data());
    return out;
}

}  // namespace flash::testing
