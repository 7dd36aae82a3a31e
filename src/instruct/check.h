// Checking a response against a verifiable instruction, strictly or loosely (IFEval's terms).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "instruct/instruction.h"

namespace flash::instruct {

// Throws flash::Error naming the type, or the type and the arg, when the instruction type is
// unknown or an arg is missing, ill-typed, out of range or unexpected.
void validate(const Instruction& instruction);

// The response as it is. Bytes that are not UTF-8 are read as U+FFFD; a blank response
// follows no instruction (as in IFEval).
CheckResult check(const Instruction& instruction, std::string_view response);

// Passes when check() passes on any of IFEval's eight variants of the response
// (loose_variants.h): a chatty first line, a closing remark or **bold** around a keyword is
// forgiven. The reason names the variant that passed, or is the strict reason.
CheckResult check_loose(const Instruction& instruction, std::string_view response);

// Every instruction type id, sorted.
std::vector<std::string> instruction_types();

// One instruction type as `flash run --list-instructions` shows it: the args its checker reads,
// found by running the checker's factory (so the list cannot drift from the code), and an
// example that validate() accepts.
struct InstructionDoc {
    std::string type;
    std::vector<InstructionArg> args;
    Instruction example;
};
// Every instruction type, sorted; throws flash::Error if an example does not validate.
std::vector<InstructionDoc> describe_instructions();

}  // namespace flash::instruct
