// SegmentConstraint: the hooks for generating one segment of a planned response. It combines
// a grammar (optional) with the text rules: tokens that break a character rule are masked,
// end of generation waits for some text when the segment needs it, and once the word limit is
// reached no token may start a new word (the segment then ends after a few more tokens); near
// the end of its token budget a grammar's open structures are closed. When
// the masks together leave nothing, the grammar's mask alone is used: the grammar keeps the
// output well formed, and the checkers report the rule that gave way.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/session.h"
#include "turn/grammar_constraint.h"

namespace flash::follow {

struct SegmentRules {
    const std::vector<bool>* banned = nullptr;  // per token (text_rules.h); null: none
    std::optional<size_t> max_words;  // words the response may hold when this segment ends
    bool require_text = false;
    // Characters that finish the grammar's open structures ("\"}]" for JSON, "\n" for bullet
    // lines). In the last tokens of the budget only tokens made of them are allowed (where the
    // grammar allows any), so the output closes instead of being cut off.
    std::string closing_chars;
};

class SegmentConstraint {
  public:
    // `text_before` is the response so far (words count from its start). With a tokenizer,
    // text a grammar forces is fast-forwarded.
    SegmentConstraint(std::shared_ptr<const grammar::TokenVocabulary> vocab,
                      std::shared_ptr<const grammar::CompiledGrammar> grammar,
                      const Tokenizer* tokenizer, SegmentRules rules, std::string text_before);

    // Installs constrain/accepted/finished/forced on `options`; must outlive the generation.
    void attach(GenerateOptions& options);

    // The grammar (if any) is complete: the segment may end here.
    bool complete() const { return !grammar_ || grammar_->complete(); }
    size_t words() const { return words_; }

  private:
    void constrain(std::span<float> logits);
    void took(int32_t id);
    bool word_limit_reached() const { return rules_.max_words && words_ >= *rules_.max_words; }
    bool closing() const;

    std::shared_ptr<const grammar::TokenVocabulary> vocab_;
    std::unique_ptr<turn::GrammarConstraint> grammar_;
    GenerateOptions grammar_hooks_;
    SegmentRules rules_;
    std::string text_;  // the response so far, this segment included
    size_t words_ = 0;
    bool has_text_ = false;
    int steps_at_limit_ = 0;
    int budget_ = 0;  // the generation's max_tokens
    int taken_ = 0;   // tokens so far, sampled or forced
    std::vector<float> saved_;
};

}  // namespace flash::follow
