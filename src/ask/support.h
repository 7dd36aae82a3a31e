// Does a sentence of the answer say only what the sentences it cites say? A lexical check:
// every number in the claim must appear in the cited sentences, and enough of its content
// words (stems) must. Cheap and transparent, and on our suite it removes most unsupported
// claims (docs/EVALUATION.md has the figures with verification off and on).
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
    double coverage = 0;         // share of the claim's content words found in the citations
    bool numbers_found = false;  // every number in the claim is in the citations
    bool supported = false;
    std::string missing;         // the first number or word not found (for messages)
};

Support support_of(std::string_view claim, const std::vector<std::string_view>& cited,
                   const SupportOptions& options = {});

}  // namespace flash::ask
