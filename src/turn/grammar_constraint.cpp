#include "turn/grammar_constraint.h"

#include <limits>

#include "core/error.h"

namespace flash::turn {

GrammarConstraint::GrammarConstraint(std::shared_ptr<const grammar::CompiledGrammar> grammar,
                                     std::shared_ptr<const grammar::TokenVocabulary> vocab,
                                     const Tokenizer* tokenizer)
    : matcher_(std::move(grammar), std::move(vocab)), tokenizer_(tokenizer) {}

// The tokens of some text, kept as far as the matcher accepts them (a vocabulary may tokenize
// the text into pieces the grammar does not allow at this point).
std::vector<int32_t> GrammarConstraint::accepted_prefix(const std::vector<int32_t>& ids) {
    std::vector<int32_t> out;
    for (const int32_t id : ids) {
        if (!matcher_.accept_token(id)) break;
        out.push_back(id);
    }
    return out;
}

std::vector<int32_t> GrammarConstraint::forced_tokens() {
    if (!tokenizer_) return {};
    const std::string bytes = matcher_.forced_bytes();
    return bytes.empty() ? std::vector<int32_t>{}
                         : accepted_prefix(tokenizer_->encode_continuation(bytes));
}

// Only looked at in the budget's last stretch: the search costs about as much as a few masks.
std::vector<int32_t> GrammarConstraint::closing_tokens() {
    constexpr int kWindow = 64;
    const int left = budget_ - used_;
    if (!tokenizer_ || left <= 0 || left > kWindow || matcher_.is_complete()) return {};
    const std::optional<std::string> completion = matcher_.shortest_completion();
    if (!completion || completion->empty()) return {};
    // Encoding may take more tokens than the bytes need; one left over is the margin.
    const std::vector<int32_t> ids = tokenizer_->encode_continuation(*completion);
    if (static_cast<int>(ids.size()) + 1 < left) return {};
    return accepted_prefix(ids);
}

void GrammarConstraint::attach(GenerateOptions& options) {
    options.constrain = [this](std::span<float> logits) {
        matcher_.compute_mask(mask_);
        const float blocked = -std::numeric_limits<float>::infinity();
        for (size_t id = 0; id < logits.size(); ++id)
            if (!mask_.allowed(static_cast<int32_t>(id))) logits[id] = blocked;
    };
    budget_ = options.max_tokens;
    used_ = 0;
    options.accepted = [this](int32_t id) {
        if (!matcher_.accept_token(id))
            throw Error("grammar: token " + std::to_string(id) +
                        " was sampled but the grammar does not allow it");
        ++used_;
    };
    options.finished = [this] { return matcher_.is_complete() && !matcher_.can_continue(); };
    options.forced = [this] {
        std::vector<int32_t> ids = forced_tokens();
        if (ids.empty()) ids = closing_tokens();
        used_ += static_cast<int>(ids.size());
        return ids;
    };
}

}  // namespace flash::turn
