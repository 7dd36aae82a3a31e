// Instruction-following examples: a task over a source document (summarize, pick out, explain)
// with one to three verifiable instructions of the families flash's checkers know, and a
// response built from the document's own sentences to meet them — kept only when every
// instruction's checker passes. The instruction ids and arguments are stored in the row (as
// Tulu 3's verifiable-IF data does), so the same rows can drive training with verifiable
// rewards. Multi-turn examples give a style instruction once, in the system prompt, and check
// it in every one of three replies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/example.h"
#include "data/sources.h"
#include "data/tally.h"
#include "instruct/instruction.h"

namespace flash::data {

struct InstructOptions {
    int variants = 1;  // examples drawn per document
    uint64_t seed = 0;
};

// The type of the first instruction `text` fails (its checker refuses the text, or its
// arguments cannot be read from it), or "" when every one passes: the check a built response
// and a teacher's reply both pass.
std::string failed_instruction(const std::vector<instruct::Instruction>& instructions,
                               const std::string& text);

std::vector<Example> instruct_examples(const std::vector<SourceDocument>& documents,
                                       const InstructOptions& options, Tally& tally);

}  // namespace flash::data
