#include "turn/grammar_constraint.h"

#include <limits>

#include "core/error.h"

namespace flash::turn {

GrammarConstraint::GrammarConstraint(std::shared_ptr<const grammar::CompiledGrammar> grammar,
                                     std::shared_ptr<const grammar::TokenVocabulary> vocab,
                                     const Tokenizer* tokenizer)
    : matcher_(std::move(grammar), std::move(vocab)), tokenizer_(tokenizer) {}

// The forced bytes, tokenized as the tokenizer would, kept as far as the matcher accepts them
// (a vocabulary that adds a space prefix, say, may tokenize them into something else).
std::vector<int32_t> GrammarConstraint::forced_tokens() {
    std::vector<int32_t> out;
    if (!tokenizer_) return out;
    const std::string bytes = matcher_.forced_bytes();
    if (bytes.empty()) return out;
    for (const int32_t id : tokenizer_->encode(bytes, /*parse_special=*/false)) {
        if (!matcher_.accept_token(id)) break;
        out.push_back(id);
    }
    return out;
}

void GrammarConstraint::attach(GenerateOptions& options) {
    options.constrain = [this](std::span<float> logits) {
        matcher_.compute_mask(mask_);
        const float blocked = -std::numeric_limits<float>::infinity();
        for (size_t id = 0; id < logits.size(); ++id)
            if (!mask_.allowed(static_cast<int32_t>(id))) logits[id] = blocked;
    };
    options.accepted = [this](int32_t id) {
        if (!matcher_.accept_token(id))
            throw Error("grammar: token " + std::to_string(id) +
                        " was sampled but the grammar does not allow it");
    };
    options.finished = [this] { return matcher_.is_complete() && !matcher_.can_continue(); };
    options.forced = [this] { return forced_tokens(); };
}

}  // namespace flash::turn
