// The shape of a grounded answer as the model writes it: one to a few lines, each starting
// with the numbers of the context sentences it rests on ("[3] Returns are accepted for 30
// days.") — or exactly "I don't know." Citation first, because a small model then copies from
// the sentence it has just named instead of inventing and citing afterwards. The grammar holds
// generation to this shape and to numbers that exist in the context, so a citation cannot
// point outside the given documents; the parser reads the shape back (leniently, for
// unconstrained output too: markers before or after the text they belong to).
// Depends on grammar/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "grammar/grammar.h"

namespace flash::ask {

inline constexpr std::string_view k_abstain_text = "I don't know.";

struct AnswerShape {
    int max_claims = 3;         // lines
    int max_claim_chars = 200;  // characters of text per claim (a line)
    int max_citations = 3;      // citations per answer sentence
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
// line is a claim citing the [n] markers on it (wherever they stand), and each sentence of a
// line is a claim of its own with the line's citations — so verification judges sentences.
DraftAnswer parse_answer(std::string_view text);

}  // namespace flash::ask
