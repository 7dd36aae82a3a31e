// The shape of a grounded answer as the model writes it: one to a few sentences, each ending
// in the numbers of the context sentences it rests on ("Returns are accepted for 30 days. [3]"),
// one per line — or exactly "I don't know." The grammar holds generation to this shape and to
// numbers that exist in the context, so a citation cannot point outside the given documents;
// the parser reads the shape back (leniently, for unconstrained output too).
// Depends on grammar/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "grammar/grammar.h"

namespace flash::ask {

inline constexpr std::string_view k_abstain_text = "I don't know.";

struct AnswerShape {
    int max_claims = 3;        // answer sentences
    int max_claim_chars = 300; // characters per answer sentence before its citations
    int max_citations = 3;     // citations per answer sentence
};

// Grammar for answers citing sentences 1..n_sentences (n_sentences >= 1).
grammar::Grammar answer_grammar(int n_sentences, const AnswerShape& shape = {});

struct DraftClaim {
    std::string text;        // the sentence without its citation markers, trimmed
    std::vector<int> cited;  // the numbers it cites, as written (may be out of range)
};

struct DraftAnswer {
    bool abstained = false;  // the model said it does not know
    std::vector<DraftClaim> claims;
};

// Reads an answer: "I don't know" (anywhere, when nothing is cited) abstains; otherwise each
// run of text followed by [n] markers is a claim, and text after the last marker is a claim
// without citations.
DraftAnswer parse_answer(std::string_view text);

}  // namespace flash::ask
