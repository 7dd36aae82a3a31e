#include "turn/turn.h"

#include <mutex>

#include "turn/grammar_constraint.h"

namespace flash::turn {

Prompt Prompt::from(const std::vector<ChatMessage>& messages) {
    Prompt p;
    for (const ChatMessage& m : messages)
        p.messages.push_back(Json{{"role", m.role}, {"content", m.content}});
    return p;
}

// Built on first need: a plain run without a grammar never pays for it.
struct Turn::VocabularySlot {
    std::once_flag once;
    std::shared_ptr<const grammar::TokenVocabulary> vocabulary;
};

Turn::Turn(ChatTemplate chat_template, const Tokenizer& tokenizer,
           std::shared_ptr<const grammar::TokenVocabulary> vocabulary)
    : template_(std::move(chat_template)),
      tokenizer_(&tokenizer),
      vocabulary_(std::make_shared<VocabularySlot>()) {
    if (vocabulary)
        std::call_once(vocabulary_->once, [&] { vocabulary_->vocabulary = vocabulary; });
}

std::shared_ptr<const grammar::TokenVocabulary> Turn::vocabulary() const {
    std::call_once(vocabulary_->once, [this] {
        vocabulary_->vocabulary = grammar::TokenVocabulary::from_tokenizer(*tokenizer_);
    });
    return vocabulary_->vocabulary;
}

std::string Turn::render(const Prompt& prompt) const {
    return template_.render(prompt.messages, prompt.tools, true, prompt.variables) +
           prompt.continuation;
}

PreparedTurn Turn::prepare(const Prompt& prompt,
                           std::shared_ptr<const grammar::CompiledGrammar> grammar) const {
    PreparedTurn p;
    p.text = render(prompt);
    p.tokens = tokenizer_->encode_prompt(p.text);
    p.grammar = std::move(grammar);
    return p;
}

TurnOutput Turn::run(Session& session, const PreparedTurn& prepared, GenerateOptions options,
                     const std::function<bool(std::string_view)>& on_text) const {
    if (const std::string eot = template_.end_of_turn(); !eot.empty()) options.stop.push_back(eot);
    std::unique_ptr<GrammarConstraint> constraint;
    if (prepared.grammar) {
        constraint =
            std::make_unique<GrammarConstraint>(prepared.grammar, vocabulary(), tokenizer_);
        constraint->attach(options);
    }
    TurnOutput out;
    out.text = session.generate(prepared.tokens, options, on_text, &out.stats);
    out.constrained = constraint != nullptr;
    out.complete = !constraint || constraint->complete();
    return out;
}

}  // namespace flash::turn
