#include "follow/segment_constraint.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "follow/text_rules.h"

namespace flash::follow {

namespace {

constexpr float kBlocked = -std::numeric_limits<float>::infinity();
// Tokens allowed after the word limit is reached (closing punctuation) before the segment ends.
constexpr int kStepsAfterWordLimit = 4;
// What those tokens may be made of.
constexpr std::string_view kAfterLastWord = " \n.!?";
// Tokens left in the budget when a grammar's open structures start being closed.
constexpr int kClosingTokens = 24;

bool is_space_only(std::string_view s) {
    return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

bool made_of(std::string_view piece, std::string_view chars) {
    return !piece.empty() && piece.find_first_not_of(chars) == std::string_view::npos;
}

bool any_allowed(std::span<const float> logits) {
    for (const float x : logits)
        if (x != kBlocked) return true;
    return false;
}

}  // namespace

SegmentConstraint::SegmentConstraint(std::shared_ptr<const grammar::TokenVocabulary> vocab,
                                     std::shared_ptr<const grammar::CompiledGrammar> grammar,
                                     const Tokenizer* tokenizer, SegmentRules rules,
                                     std::string text_before)
    : vocab_(std::move(vocab)), rules_(rules), text_(std::move(text_before)) {
    if (grammar) {
        grammar_ = std::make_unique<turn::GrammarConstraint>(std::move(grammar), vocab_, tokenizer);
        grammar_->attach(grammar_hooks_);
    }
    words_ = words_in(text_);
}

void SegmentConstraint::attach(GenerateOptions& options) {
    budget_ = options.max_tokens;
    options.constrain = [this](std::span<float> logits) { constrain(logits); };
    options.accepted = [this](int32_t id) {
        if (grammar_) grammar_hooks_.accepted(id);
        took(id);
        ++taken_;
    };
    options.forced = [this] {
        std::vector<int32_t> ids;
        if (grammar_) ids = grammar_hooks_.forced();
        for (const int32_t id : ids) took(id);
        taken_ += static_cast<int>(ids.size());
        return ids;
    };
    options.finished = [this] {
        if (grammar_) return grammar_hooks_.finished();
        return steps_at_limit_ > kStepsAfterWordLimit;
    };
}

void SegmentConstraint::constrain(std::span<float> logits) {
    if (grammar_) grammar_hooks_.constrain(logits);
    const bool wait_for_text = rules_.require_text && !has_text_;
    const bool at_limit = word_limit_reached();
    const bool close = closing();
    if (!rules_.banned && !wait_for_text && !at_limit && !close) return;
    saved_.assign(logits.begin(), logits.end());
    const auto n = static_cast<int32_t>(std::min<size_t>(logits.size(), vocab_->size()));
    if (rules_.banned) {
        for (int32_t id = 0; id < n; ++id)
            if ((*rules_.banned)[static_cast<size_t>(id)]) logits[id] = kBlocked;
    }
    if (wait_for_text) {
        for (const int32_t id : vocab_->end_of_generation_ids())
            if (id >= 0 && static_cast<size_t>(id) < logits.size()) logits[id] = kBlocked;
    }
    if (at_limit) {
        // Only what closes a sentence may follow the last word. Any piece without a word
        // let the model pad with symbols ("to the \u00a0\u00f7") or stop inside a character
        // (a lone 0xC3 byte token), which the forced text after it would have left invalid.
        ++steps_at_limit_;
        for (int32_t id = 0; id < n; ++id) {
            if (logits[id] == kBlocked || !vocab_->is_text(id)) continue;
            if (!made_of(vocab_->piece(id), kAfterLastWord)) logits[id] = kBlocked;
        }
    }
    if (close) {
        std::vector<float> before_closing(logits.begin(), logits.end());
        for (int32_t id = 0; id < n; ++id)
            if (vocab_->is_text(id) && !made_of(vocab_->piece(id), rules_.closing_chars))
                logits[id] = kBlocked;
        if (!any_allowed(logits))
            std::copy(before_closing.begin(), before_closing.end(), logits.begin());
    }
    if (!any_allowed(logits)) std::copy(saved_.begin(), saved_.end(), logits.begin());
}

bool SegmentConstraint::closing() const {
    return grammar_ && !rules_.closing_chars.empty() && !grammar_->complete() &&
           budget_ - taken_ <= kClosingTokens;
}

void SegmentConstraint::took(int32_t id) {
    if (id < 0 || id >= vocab_->size() || !vocab_->is_text(id)) return;
    const std::string& piece = vocab_->piece(id);
    if (rules_.max_words) words_ += words_added(text_, piece);
    text_ += piece;
    if (!is_space_only(piece)) has_text_ = true;
}

}  // namespace flash::follow
