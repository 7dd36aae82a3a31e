// Does a sentence of the answer say only what the sentences it cites say? A lexical check:
// every number in the claim must appear in the cited sentences (or in the question), and
// enough of its new content words — those the question did not already say — must. A claim
// with nothing new (a restated question, "No, the warranty does not pay for labor") must
// instead be about what its citations are about: enough of all its words appear there.
// Cheap and transparent; docs/EVALUATION.md has the figures with verification off and on.
// Depends on ask/lexical.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace flash::ask {

struct SupportOptions {
    double min_coverage = 0.5;  // share of the claim's content words the citations must hold
};

struct Support {
    double coverage = 0;         // share of the claim's (new) content words in the citations
    bool numbers_found = false;  // every number in the claim is in the citations
    bool supported = false;
    std::string missing;  // the first number or word not found (for messages)
};

Support support_of(std::string_view claim, const std::vector<std::string_view>& cited,
                   const SupportOptions& options = {}, std::string_view question = {});

}  // namespace flash::ask
