// Turn: one assistant turn on a session, the recipe every caller shares — render the
// conversation through the chat template, encode it, compile the output's grammar (prepare),
// then generate with the template's end-of-turn stop and the grammar attached, and say whether
// a constrained output was finished (run).
//
// prepare() needs no session, so a server can prepare a request once, choose the slot whose
// cache shares most of the prepared tokens, check the context, and run what it prepared.
// Depends on chat/, grammar/, runtime/ and tokenizer/.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/chat_template.h"
#include "grammar/compiled_grammar.h"
#include "grammar/vocabulary.h"
#include "runtime/session.h"
#include "tokenizer/tokenizer.h"

namespace flash::turn {

using Json = nlohmann::ordered_json;

// What the model is shown: OpenAI-shaped messages, ending where the assistant's reply begins.
struct Prompt {
    Json messages = Json::array();
    Json tools;                       // null: none rendered by the template
    Json variables = Json::object();  // further template variables (enable_thinking, ...)
    std::string continuation;         // text the reply already starts with

    static Prompt from(const std::vector<ChatMessage>& messages);
};

// A turn ready to run: computed once, read-only afterwards (shareable across threads).
struct PreparedTurn {
    std::string text;             // the rendered prompt, continuation included
    std::vector<int32_t> tokens;  // `text`, encoded as a prompt
    // The grammar the output must follow; null: free generation (hooks the caller put on the
    // options, such as the instruction follower's, are kept).
    std::shared_ptr<const grammar::CompiledGrammar> grammar;
};

struct TurnOutput {
    std::string text;  // as generated (stop strings excluded)
    GenerationStats stats;
    bool constrained = false;
    // A constrained output reached a complete sentence of its grammar; always true without one.
    bool complete = true;
};

class Turn {
  public:
    // `vocabulary`, when given, is the tokenizer's grammar vocabulary built elsewhere; otherwise
    // it is built on first need and shared by copies of this Turn.
    Turn(ChatTemplate chat_template, const Tokenizer& tokenizer,
         std::shared_ptr<const grammar::TokenVocabulary> vocabulary = nullptr);

    const ChatTemplate& chat_template() const { return template_; }
    const Tokenizer& tokenizer() const { return *tokenizer_; }
    // The grammar vocabulary of the tokenizer (built once, thread-safe).
    std::shared_ptr<const grammar::TokenVocabulary> vocabulary() const;

    // The prompt text: the messages through the template, then the continuation. Template
    // errors (raise_exception) come back as flash::Error.
    std::string render(const Prompt& prompt) const;
    // Renders and encodes `prompt`; `grammar` (null: unconstrained) goes with it.
    PreparedTurn prepare(const Prompt& prompt,
                         std::shared_ptr<const grammar::CompiledGrammar> grammar = nullptr) const;

    // Generates the reply on `session`: the template's end-of-turn text is added to the stop
    // strings and the prepared grammar's hooks to `options` (replacing constrain/accepted/
    // finished/forced there); other hooks are kept.
    TurnOutput run(Session& session, const PreparedTurn& prepared, GenerateOptions options,
                   const std::function<bool(std::string_view)>& on_text = {}) const;

  private:
    struct VocabularySlot;

    ChatTemplate template_;
    const Tokenizer* tokenizer_;
    std::shared_ptr<VocabularySlot> vocabulary_;
};

}  // namespace flash::turn
