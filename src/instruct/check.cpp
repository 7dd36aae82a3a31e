#include "instruct/check.h"

#include "core/error.h"
#include "instruct/loose_variants.h"
#include "instruct/paragraphs.h"
#include "instruct/registry.h"
#include "instruct/utf8_repair.h"

namespace flash::instruct {

namespace {

Checker make_checker(const Instruction& instruction) {
    const CheckerFactory* factory = registry().find(instruction.type);
    if (!factory) throw Error("unknown instruction type '" + instruction.type + "'");
    ArgReader args(instruction.type, instruction.args);
    Checker checker = (*factory)(args);
    args.finish();
    return checker;
}

CheckResult run(const Checker& checker, const std::string& response) {
    if (trim(response).empty()) return failed("empty response");
    return checker(response);
}

}  // namespace

void validate(const Instruction& instruction) {
    make_checker(instruction);
}

CheckResult check(const Instruction& instruction, std::string_view response) {
    return run(make_checker(instruction), repair_utf8(response));
}

CheckResult check_loose(const Instruction& instruction, std::string_view response) {
    const Checker checker = make_checker(instruction);
    const std::string text = repair_utf8(response);
    const CheckResult strict = run(checker, text);
    if (strict.passed) return strict;
    const auto variants = loose_variants(text);
    for (size_t i = 1; i < variants.size(); ++i) {  // variants[0] is the response as it is
        const ResponseVariant& variant = variants[i];
        const CheckResult result = run(checker, variant.text);
        if (result.passed) return {true, result.reason + " (" + variant.name + ")"};
    }
    return strict;
}

std::vector<std::string> instruction_types() {
    return registry().types();
}

std::vector<InstructionDoc> describe_instructions() {
    std::vector<InstructionDoc> docs;
    for (const std::string& type : registry().types()) {
        InstructionDoc doc{type, {}, {type, *registry().example_args(type)}};
        ArgReader recorder(type, doc.args);
        (*registry().find(type))(recorder);
        validate(doc.example);
        docs.push_back(std::move(doc));
    }
    return docs;
}

}  // namespace flash::instruct
