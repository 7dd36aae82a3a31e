// ResponsePlan: how a response is built so that it follows its instructions by construction —
// forced text (a start phrase, an opening quote, "P.S."), generated segments (free text, or
// text held to a grammar: JSON, exactly N bullets, one of three answers, a title) and rules on
// every generated token (case, commas, a word limit). What a plan cannot enforce is left to
// the checkers and retries (follow.h). Depends on instruct/ and grammar/.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "follow/text_rules.h"
#include "grammar/grammar.h"
#include "instruct/instruction.h"

namespace flash::follow {

struct Segment {
    bool generated = false;
    std::string text;  // forced segments: written as is
    // Generated segments: a grammar the segment must match as a whole (null: free text), and
    // its key, so callers can cache the compiled form.
    std::shared_ptr<const grammar::Grammar> grammar;
    std::string grammar_key;
    bool require_text = false;  // end of generation refused until a non-space character came
    std::string closing_chars;  // what closes the grammar's structures (segment_constraint.h)
    int max_tokens = 0;         // 0: whatever the response's budget leaves
};

struct ResponsePlan {
    std::vector<Segment> segments;
    TextRules rules;
    // Per instruction, in the order given: enforced by this plan, and how (or why not).
    std::vector<bool> enforced;
    std::vector<std::string> how;

    bool enforces_anything() const;
};

// Validates every instruction (flash::Error naming the bad one) and plans the response. When
// two instructions would need the same place (two openings, JSON and a postscript), the first
// is enforced and the other is left to checking.
ResponsePlan plan_response(const std::vector<instruct::Instruction>& instructions);

// One free generated segment, nothing enforced: the response as the model writes it.
ResponsePlan unconstrained_plan(size_t n_instructions);

}  // namespace flash::follow
