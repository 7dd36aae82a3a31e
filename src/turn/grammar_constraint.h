// GrammarConstraint: plugs a compiled grammar into a Session's generation through its hooks —
// masks the logits of tokens that cannot continue a valid output, advances the matcher with
// each chosen token, fast-forwards text the grammar forces (tokenized and evaluated in one
// batch, no sampling), and ends generation once the output is complete and nothing may follow.
// When the token budget (max_tokens) runs low, it forces the grammar's shortest completion
// instead of letting the limit cut the output open (a tool call without its closing brace).
// The adapter between grammar/ (which knows nothing of generation) and runtime/ (which knows
// nothing of grammars), so it lives in turn/, above both.
#pragma once

#include <memory>
#include <string>

#include "grammar/matcher.h"
#include "runtime/session.h"

namespace flash::turn {

class GrammarConstraint {
  public:
    // With a tokenizer, forced text is fast-forwarded; without one, every token is sampled.
    GrammarConstraint(std::shared_ptr<const grammar::CompiledGrammar> grammar,
                      std::shared_ptr<const grammar::TokenVocabulary> vocab,
                      const Tokenizer* tokenizer = nullptr);

    // Installs the hooks on `options` (replacing any constrain/accepted/finished/forced there),
    // with options.max_tokens as the budget the output must close within. The constraint must
    // outlive the generation.
    void attach(GenerateOptions& options);

    bool complete() const { return matcher_.is_complete(); }
    const grammar::Matcher& matcher() const { return matcher_; }
    void reset() { matcher_.reset(); }

  private:
    std::vector<int32_t> forced_tokens();
    // The tokens of the shortest completion, when the tokens left are no more than it needs.
    std::vector<int32_t> closing_tokens();
    std::vector<int32_t> accepted_prefix(const std::vector<int32_t>& ids);

    grammar::Matcher matcher_;
    grammar::TokenMask mask_;
    const Tokenizer* tokenizer_;
    int budget_ = 0;  // tokens this generation may use
    int used_ = 0;    // tokens taken so far (sampled and forced)
};

}  // namespace flash::turn
