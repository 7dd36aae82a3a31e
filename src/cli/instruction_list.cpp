#include "cli/instruction_list.h"

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "instruct/check.h"

namespace flash::cli {
namespace {

void print_instruction_list() {
    std::printf(
        "Instruction types for --instructions FILE, a JSON array of {\"type\", \"args\"} "
        "objects:\n");
    for (const instruct::InstructionDoc& doc : instruct::describe_instructions()) {
        std::string args;
        for (const instruct::InstructionArg& a : doc.args)
            args += (args.empty() ? "" : ", ") + a.name + " (" + a.kind + ")";
        // Written by hand so that "type" comes first, as in the files people write.
        const std::string example = "{\"type\": " + nlohmann::json(doc.example.type).dump() +
                                    ", \"args\": " + doc.example.args.dump() + "}";
        std::printf("\n%s\n  args: %s\n  example: %s\n", doc.type.c_str(),
                    args.empty() ? "none" : args.c_str(), example.c_str());
    }
}

}  // namespace

void add_list_instructions_flag(CLI::App& cmd) {
    // Runs while the command line is parsed, before required options are checked, and ends
    // there as --help does (CLI::Success exits with status 0).
    cmd.add_flag_callback(
           "--list-instructions",
           [] {
               print_instruction_list();
               throw CLI::Success();
           },
           "List the instruction types --instructions accepts, with their args and an example")
        ->group("Instructions");
}

}  // namespace flash::cli
