// GrammarConstraint: plugs a grammar into a Session's generation through its hooks — masks
// the logits of tokens that cannot continue a valid output, advances the matcher with each
// chosen token, fast-forwards text the grammar forces (tokenized and evaluated in one batch,
// no sampling), and ends generation once the output is complete and nothing may follow.
// Depends on grammar/ and runtime/ (GenerateOptions).
#pragma once

#include <memory>
#include <string>

#include "grammar/matcher.h"
#include "runtime/session.h"

namespace flash::grammar {

class GrammarConstraint {
  public:
    // With a tokenizer, forced text is fast-forwarded; without one, every token is sampled.
    GrammarConstraint(std::shared_ptr<const CompiledGrammar> grammar,
                      std::shared_ptr<const TokenVocabulary> vocab,
                      const Tokenizer* tokenizer = nullptr);

    // Installs the hooks on `options` (replacing any constrain/accepted/finished there).
    // The constraint must outlive the generation.
    void attach(GenerateOptions& options);

    bool complete() const { return matcher_.is_complete(); }
    const Matcher& matcher() const { return matcher_; }
    void reset() { matcher_.reset(); }

  private:
    std::vector<int32_t> forced_tokens();

    Matcher matcher_;
    TokenMask mask_;
    const Tokenizer* tokenizer_;
};

// The constraint a user asked for on the command line or in a request, compiled.
struct ConstraintSpec {
    std::string json_schema;  // schema text
    std::string gbnf;         // grammar text
    std::string regex;        // pattern (whole output must match)
    bool any_json = false;    // any JSON value
    bool pretty = false;      // JSON whitespace: pretty-printed instead of compact
    bool lenient = false;     // unenforceable schema keywords warn instead of failing
    bool empty() const { return json_schema.empty() && gbnf.empty() && regex.empty() && !any_json; }
};

// Compiles whichever input the spec holds (exactly one, else flash::Error); warnings from a
// lenient schema compile are appended to `warnings`.
Grammar compile_spec(const ConstraintSpec& spec, std::vector<std::string>* warnings = nullptr);

}  // namespace flash::grammar
