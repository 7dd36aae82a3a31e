// A fake model for enforcement tests: a small vocabulary and random logits (seeded), driven
// through GenerateOptions' hooks as Session::generate drives them. Whatever the masks allow,
// it may pick, so an output that passes the checkers shows the masks did the work.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "follow/follow.h"
#include "grammar/vocabulary.h"

namespace flash::follow::testing {

// Every printable ASCII byte and newline, words in several cases, commas, bullets, and an
// end-of-generation token (the last id).
inline std::shared_ptr<const grammar::TokenVocabulary> fake_vocab() {
    static const auto vocab = [] {
        std::vector<std::string> pieces;
        for (int c = 32; c < 127; ++c) pieces.push_back(std::string(1, static_cast<char>(c)));
        for (const char* p :
             {"\n",   "\n\n",    "Hello", " world", " The", " the",  " Cat", " cat", ", ",
              ",",    ". ",      "* ",    "- ",     " and", " AND",  " é",   " É",   "Zoë",
              " dog", " sun",    " sea",  "{",      "}",    "\"a\"", ":",    " yes", " no",
              "My",   " answer", " is",   "<<",     ">>",   "P.S.",  "!",    " 42"})
            pieces.push_back(p);
        pieces.push_back("<eos>");
        const auto eos = static_cast<int32_t>(pieces.size() - 1);
        return grammar::TokenVocabulary::from_pieces(pieces, {eos});
    }();
    return vocab;
}

// Picks the highest random logit left by the hooks; end of generation gets a small bias
// against it, so that outputs have some length.
class FakeModel {
  public:
    // Pieces in `favoured` get a higher logit (so JSON strings and containers close soon).
    explicit FakeModel(uint32_t seed, std::vector<std::string> favoured = {})
        : rng_(seed), favoured_(std::move(favoured)) {}

    std::string generate(const GenerateOptions& o, GenerationStats& stats) {
        const auto& vocab = *fake_vocab();
        std::uniform_real_distribution<float> logit(0.0f, 1.0f);
        std::string out;
        stats.generated_tokens = 0;
        for (int i = 0; i < o.max_tokens;) {
            std::vector<int32_t> next = o.forced ? o.forced() : std::vector<int32_t>{};
            if (next.empty()) {
                std::vector<float> logits(static_cast<size_t>(vocab.size()));
                for (float& x : logits) x = logit(rng_);
                logits.back() -= 0.03f;  // end of generation: less likely
                for (int32_t id = 0; id < vocab.size(); ++id)
                    for (const std::string& f : favoured_)
                        if (vocab.piece(id) == f) logits[id] += 0.9f;
                if (o.constrain) o.constrain(logits);
                int32_t best = 0;
                for (int32_t id = 1; id < vocab.size(); ++id)
                    if (logits[id] > logits[best]) best = id;
                if (o.accepted) o.accepted(best);
                next.push_back(best);
            }
            for (const int32_t id : next) {
                ++i;
                ++stats.generated_tokens;
                if (vocab.is_end_of_generation(id)) return out;
                out += vocab.piece(id);
            }
            if (o.finished && o.finished()) return out;
        }
        return out;
    }

  private:
    std::mt19937 rng_;
    std::vector<std::string> favoured_;
};

// A follower whose every segment comes from a FakeModel seeded by `seed` (and the try's seed).
inline InstructionFollower fake_follower(uint32_t seed, std::vector<std::string> favoured = {}) {
    return InstructionFollower(
        [seed, favoured](const std::string&, const std::string&, const GenerateOptions& o,
                         GenerationStats& stats) {
            static thread_local uint32_t calls = 0;
            FakeModel model(seed * 7919u + static_cast<uint32_t>(o.sampling.seed) + ++calls,
                            favoured);
            return model.generate(o, stats);
        },
        fake_vocab());
}

}  // namespace flash::follow::testing
