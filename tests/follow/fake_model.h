// A fake model for enforcement tests, run by the real Session::generate: the small vocabulary
// of common/fake_vocab_model.h and a ForwardRunner that returns random logits (seeded)
// instead of running the layers. Whatever the masks allow it may pick, so an
// output that passes the checkers shows the masks did the work.
#pragma once

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/fake_vocab_model.h"
#include "follow/follow.h"
#include "grammar/vocabulary.h"
#include "model/model.h"
#include "runtime/session.h"
#include "tokenizer/tokenizer.h"

namespace flash::follow::testing {

using flash::testing::fake_eos;
using flash::testing::fake_pieces;
using flash::testing::FakeModelFile;

inline std::shared_ptr<const grammar::TokenVocabulary> fake_vocab() {
    return FakeModelFile::get().vocab;
}

// Random logits for every row asked for; end of generation gets a small bias against it, so
// that outputs have some length, and pieces in `favoured` a higher logit (so JSON strings and
// containers close soon).
class RandomRunner : public ForwardRunner {
  public:
    RandomRunner(uint32_t seed, const std::vector<std::string>& favoured) : rng_(seed) {
        const auto& pieces = fake_pieces();
        for (size_t id = 0; id < pieces.size(); ++id)
            for (const std::string& f : favoured)
                if (pieces[id] == f) favoured_.push_back(static_cast<int32_t>(id));
    }

    void forward(const SequenceBatch& seq) override {
        const auto n_vocab = static_cast<int64_t>(fake_pieces().size());
        std::uniform_real_distribution<float> logit(0.0f, 1.0f);
        const int64_t n = static_cast<int64_t>(seq.tokens.size());
        for (int64_t row = seq.all_logits ? 0 : n - 1; row < n; ++row) {
            float* out = seq.logits + (seq.all_logits ? row : 0) * n_vocab;
            for (int64_t id = 0; id < n_vocab; ++id) out[id] = logit(rng_);
            out[fake_eos()] -= 0.03f;
            out[fake_eos() + 1] = -1e9f;  // BOS never follows
            for (const int32_t id : favoured_) out[id] += 0.9f;
        }
    }

  private:
    std::mt19937 rng_;
    std::vector<int32_t> favoured_;
};

// A follower on a real Session whose forward passes come from a RandomRunner seeded by `seed`.
class FakeFollower {
  public:
    FakeFollower(uint32_t seed, const std::vector<std::string>& favoured)
        : runner_(seed * 7919u + 1, favoured),
          session_(*FakeModelFile::get().model, FakeModelFile::get().tokenizer.get(),
                   options(&runner_)),
          follower_(session_, ChatTemplate::raw()) {}

    InstructedGeneration follow(const std::string& prompt,
                                const std::vector<instruct::Instruction>& instructions,
                                const FollowOptions& options) {
        return follower_.follow(prompt, instructions, options);
    }

  private:
    static SessionOptions options(ForwardRunner* runner) {
        SessionOptions o;
        o.n_ctx = 2048;
        o.runner = runner;
        return o;
    }
    RandomRunner runner_;
    Session session_;
    InstructionFollower follower_;
};

inline std::unique_ptr<FakeFollower> fake_follower(uint32_t seed,
                                                   std::vector<std::string> favoured = {}) {
    return std::make_unique<FakeFollower>(seed, favoured);
}

}  // namespace flash::follow::testing
