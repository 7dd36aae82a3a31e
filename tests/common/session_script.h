// What the batching tests have each session do: evaluate a prompt, then `steps` single tokens
// (as decoding does, token ids a function of `which` and the step); every logit seen, in order.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "runtime/session.h"

namespace flash::testing {

inline std::vector<float> scripted_logits(Session& s, std::span<const int32_t> prompt, int which,
                                          int steps, int64_t n_vocab) {
    std::vector<float> seen;
    auto l = s.eval(prompt);
    seen.insert(seen.end(), l.begin(), l.end());
    for (int step = 0; step < steps; ++step) {
        const int32_t next[1] = {static_cast<int32_t>((which * 31 + step * 7) % n_vocab)};
        l = s.eval(next);
        seen.insert(seen.end(), l.begin(), l.end());
    }
    return seen;
}

}  // namespace flash::testing
