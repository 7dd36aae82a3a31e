// Verifiable instructions (IFEval's kind): what a prompt asks of the response's form, and the
// verdict of checking one response against it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace flash::instruct {

// One instruction as data/eval/instruct/prompts.jsonl writes it:
// {"type": "length:words", "args": {"relation": "at least", "num_words": 100}}.
struct Instruction {
    std::string type;
    nlohmann::json args = nlohmann::json::object();
};

// One arg an instruction type reads: its name and what it takes ("positive integer",
// "one of \"at least\", \"less than\"", ...).
struct InstructionArg {
    std::string name;
    std::string kind;
};

struct CheckResult {
    bool passed = false;
    std::string reason;  // short and human: "found 6 bullets, expected exactly 3"
};

// Reads {"type", "args"}; a missing or ill-typed member is a flash::Error. The type and args
// themselves are judged by validate()/check() (check.h).
Instruction instruction_from_json(const nlohmann::json& object);

}  // namespace flash::instruct
