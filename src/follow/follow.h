// Following instructions when generating: the response is planned (plan.h) so that what can
// be enforced is — grammars for JSON, bullets, fixed answers and titles; token masks for case,
// commas and word limits; forced text for start and end phrases, quotes and postscripts — and
// every instruction is then checked. When one fails, the response is generated again with
// another seed at a higher temperature, up to `retries` times, and the best try is kept. Each
// instruction is reported as "enforced", "checked (passed on try k)" or "not met".
// This is the library `flash run --instructions`, `flash eval instruct` and the server share.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/chat_template.h"
#include "follow/plan.h"
#include "grammar/compiled_grammar.h"
#include "grammar/vocabulary.h"
#include "instruct/instruction.h"
#include "runtime/session.h"
#include "turn/turn.h"

namespace flash::follow {

struct FollowOptions {
    // max_tokens is the budget of the whole response (all segments); sampling is used for the
    // first try; stop strings are kept. The hooks are the follower's own.
    GenerateOptions generation;
    bool enforce = true;             // off: the model's own response, only checked
    int retries = 2;                 // further tries when an instruction fails its check
    float retry_temperature = 0.8f;  // at least this on retries (greedy would repeat itself)
};

struct InstructionReport {
    instruct::Instruction instruction;
    bool enforced = false;  // the plan enforced it while generating
    bool passed = false;    // the kept response passes its strict check
    int passed_on_try = 0;  // the kept try, when passed
    std::string how;        // how it was enforced, or why it could not be
    std::string reason;     // the checker's verdict on the kept response

    // "enforced", "checked (passed on try 1)", "checked and retried (passed on try 3)" or
    // "not met".
    std::string status() const;
};

struct InstructedGeneration {
    std::string response;
    int tries = 0;                 // generations made
    int kept_try = 0;              // which one `response` is
    int64_t generated_tokens = 0;  // over all tries
    std::vector<InstructionReport> instructions;

    bool all_met() const;
    nlohmann::json to_json() const;
};

// Generates one segment: the response so far is the continuation the model sees after the
// prompt; returns the text generated.
using SegmentGenerator =
    std::function<std::string(const std::string& prompt, const std::string& response_so_far,
                              const GenerateOptions& options, GenerationStats& stats)>;

class InstructionFollower {
  public:
    // Through a session: `prompt` is the user message, rendered with the chat template.
    InstructionFollower(Session& session, ChatTemplate chat_template);
    InstructionFollower(Session& session, turn::Turn turn);
    // Through any generator (tests drive a fake model over a small vocabulary).
    InstructionFollower(SegmentGenerator generator,
                        std::shared_ptr<const grammar::TokenVocabulary> vocab,
                        const Tokenizer* tokenizer = nullptr);

    // Throws flash::Error naming the instruction when one is unknown or has bad args.
    InstructedGeneration follow(const std::string& prompt,
                                const std::vector<instruct::Instruction>& instructions,
                                const FollowOptions& options);

  private:
    struct Try {
        std::string response;
        int64_t tokens = 0;
        std::vector<bool> passed;
        size_t n_passed = 0;
    };
    Try generate(const std::string& prompt, const ResponsePlan& plan,
                 const std::vector<instruct::Instruction>& instructions,
                 const GenerateOptions& generation);
    std::shared_ptr<const grammar::CompiledGrammar> compiled(const Segment& segment);
    const std::vector<bool>* banned(const TextRules& rules);

    SegmentGenerator generator_;
    std::shared_ptr<const grammar::TokenVocabulary> vocab_;
    const Tokenizer* tokenizer_ = nullptr;
    // Compiled once per follower: grammars by key (a matcher's masks are cached with them),
    // banned-token tables by rule set.
    std::map<std::string, std::shared_ptr<const grammar::CompiledGrammar>> grammars_;
    std::map<int, std::vector<bool>> banned_;
};

// One call for callers with a single prompt: a follower over `session` for this response.
InstructedGeneration follow_instructions(Session& session, const ChatTemplate& chat_template,
                                         const std::string& prompt,
                                         const std::vector<instruct::Instruction>& instructions,
                                         const FollowOptions& options = {});

}  // namespace flash::follow
