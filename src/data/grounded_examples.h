// Grounded-answer examples, built sentence first: a document sentence and the question it
// answers, the context assembled exactly as `flash ask` assembles it (the same in-memory
// retrieval, passage count and word budget, with distractor documents beside the source), and
// the answer in the citation format the answer grammar holds the model to — kept only when
// the supporting sentence is in the context and verification accepts the claim. Questions the
// document does not answer get "I don't know."
#pragma once

#include <cstdint>
#include <vector>

#include "ask/context.h"
#include "data/example.h"
#include "data/sources.h"
#include "data/tally.h"

namespace flash::data {

struct GroundedOptions {
    int variants = 1;     // contexts per question, each with other distractors
    int distractors = 2;  // other documents beside the source (times the variant number + 1)
    uint64_t seed = 0;
};

// A grounded example's context as the build's state keeps it (Example::context): the
// question, the documents, the numbered sentences and the supporting sentences' numbers (none:
// the question is unanswerable); and back.
Json context_json(const std::string& question, const ask::AskContext& context,
                  const std::vector<int>& support);
ask::AskContext context_from_json(const Json& json);

std::vector<Example> grounded_examples(const std::vector<SourceDocument>& documents,
                                       const GroundedOptions& options, Tally& tally);

}  // namespace flash::data
