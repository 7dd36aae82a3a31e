// The instruction-following evaluation: every prompt of data/eval/instruct through the
// instruction follower (enforcement on or off, greedy first try), each instruction checked
// strictly and loosely, summed up as IFEval's four numbers — prompt-level and
// instruction-level accuracy, strict and loose — and accuracy per instruction type.
// Depends on follow/ and instruct/.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eval/backend.h"
#include "follow/follow.h"
#include "instruct/instruction.h"

namespace flash::eval {

struct InstructCase {
    std::string id;
    std::string prompt;
    std::vector<instruct::Instruction> instructions;
};

// dir/prompts.jsonl; a bad line is a flash::Error naming the file, line and problem (an
// unknown instruction type or a bad arg included).
std::vector<InstructCase> load_instruct_suite(const std::string& dir);

struct InstructionScore {
    std::string type;
    bool strict = false;
    bool loose = false;
    std::string status;  // follow.h's: enforced / checked (passed on try k) / not met
    std::string reason;  // the strict checker's
};

struct InstructCaseResult {
    std::string id;
    std::vector<InstructionScore> scores;
    std::string response;
    int tries = 0;
    double ms = 0;
    bool strict() const;  // every instruction passes strictly
    bool loose() const;
};

struct InstructEvalReport {
    std::vector<InstructCaseResult> results;

    struct Rate {
        int hits = 0, total = 0;
        double value() const { return total ? static_cast<double>(hits) / total : 0.0; }
    };
    Rate prompt_strict() const;
    Rate instruction_strict() const;
    Rate prompt_loose() const;
    Rate instruction_loose() const;
    // type → {strict, loose}
    std::map<std::string, std::pair<Rate, Rate>> by_type() const;
    // How the instructions were met: "enforced", "checked", "retried", "not met" → count.
    std::map<std::string, int> by_status() const;

    nlohmann::ordered_json to_json() const;  // figures plus per-prompt results
    std::string summary() const;             // the table printed to the terminal
};

using InstructEvalProgress =
    std::function<void(size_t done, size_t total, const InstructCaseResult&)>;

InstructEvalReport run_instruct_eval(Backend& backend, const std::vector<InstructCase>& cases,
                                     const follow::FollowOptions& options,
                                     const InstructEvalProgress& progress = {});

}  // namespace flash::eval
