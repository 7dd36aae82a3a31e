// Grounded answers: a question and documents (an index) in, an answer out whose every
// sentence cites the document sentences that support it — or an abstention ("I don't know")
// when retrieval finds nothing relevant, the model says so, or no claim survives
// verification. The one function `flash ask`, the server and `flash eval grounded` share.
// Depends on ask/, chat/, grammar/, retrieval/ and runtime/.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ask/answer_format.h"
#include "ask/context.h"
#include "ask/support.h"
#include "chat/chat_template.h"
#include "retrieval/index.h"
#include "runtime/session.h"
#include "turn/turn.h"

namespace flash::ask {

using Json = nlohmann::ordered_json;

struct VerifyOptions {
    bool verify = true;  // off: claims are kept as the model cited them (in-range ids only)
    bool recite = true;  // a claim its citations do not support may take the context
                         // sentence that does, instead of being dropped
    // Share of the question's content words its citations must hold: a claim copied from
    // a sentence about something else is supported by it, but answers nothing.
    double min_relevance = 0.2;
    SupportOptions support;
};

struct AskOptions {
    RetrievalOptions retrieval;
    AnswerShape shape;
    VerifyOptions verify;
    bool constrained = true;  // grammar on (the product) or off (to measure what it buys)
    GenerateOptions generation;
    std::vector<std::string> document_order;  // see build_context
};

struct Citation {
    std::string document;  // path as stored
    size_t document_index = 0;
    size_t sentence_index = 0;
    size_t start_char = 0, end_char = 0;
    size_t start_byte = 0, end_byte = 0;
    std::string cited_text;
    int context_id = 0;  // the number the model saw
};

struct Claim {
    std::string text;
    std::vector<Citation> citations;
    double coverage = 0;   // support of the claim by its citations (0 when not verified)
    bool recited = false;  // verification replaced the model's citations
};

struct DroppedClaim {
    std::string text;
    std::string why;
};

struct AskResult {
    bool abstained = false;
    // "no relevant passages", "the model does not know", "no claim is supported", ...
    std::string abstain_reason;
    std::vector<Claim> claims;
    std::vector<DroppedClaim> dropped;
    std::vector<std::string> documents;  // document_index refers here
    std::string raw;                     // the model's output
    GenerationStats stats;

    // The answer sentences joined, without markers ("I don't know." when abstaining).
    std::string answer_text() const;
    // Readable: each sentence with [n] markers, then the numbered sources quoted.
    std::string to_text() const;
    // {"abstained", "answer", "content": [{"type": "text", "text", "citations": [
    //   {"type": "char_location", "cited_text", "document_index", "document_title",
    //    "start_char_index", "end_char_index", "sentence_index"}]}], ...} — Anthropic's
    // citation shape, plus what flash knows besides.
    Json to_json() const;
};

// Turns the model's draft into the answer: citations resolved against the context (numbers
// outside it are dropped), then — when verifying — each claim checked against its citations,
// re-cited or dropped; no claim left means an abstention.
// `question` lets verification tell what a claim adds from what it restates.
AskResult resolve_answer(const DraftAnswer& draft, const AskContext& context,
                         const VerifyOptions& options, std::string_view question = {});

// The abstention when retrieval found nothing relevant to give the model.
AskResult answer_without_context(const AskContext& context);

struct AskTrace {
    AskContext context;
    DraftAnswer draft;
    std::string prompt;  // empty when retrieval found nothing and the model was not asked
};

class GroundedAnswerer {
  public:
    // A template is needed (the instructions go in a system message); raw is refused.
    GroundedAnswerer(Session& session, ChatTemplate chat_template);
    // Sharing a Turn (and its grammar vocabulary) with other callers.
    GroundedAnswerer(Session& session, turn::Turn turn);

    const ChatTemplate& chat_template() const { return turn_.chat_template(); }

    // The messages the model sees for this question and context.
    static Json messages(std::string_view question, const AskContext& context,
                         const AnswerShape& shape = {});

    // `trace` (optional) receives the context and the model's parsed draft, so a caller can
    // resolve the same output again with other options (the evaluation does).
    AskResult ask(const retrieval::Index& index, std::string_view question,
                  const AskOptions& options, AskTrace* trace = nullptr);

  private:
    Session& session_;
    turn::Turn turn_;
};

}  // namespace flash::ask
