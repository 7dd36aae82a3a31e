// Reading an instruction's args with errors that name the instruction type and the arg.
#pragma once

#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "instruct/instruction.h"

namespace flash::instruct {

// IFEval's two relations: "at least" N (>= N) and "less than" N (< N).
enum class Relation { AtLeast, LessThan };

bool satisfies(Relation relation, size_t actual, size_t n);
std::string describe(Relation relation, size_t n);  // "at least 3", "less than 3"

class ArgReader {
  public:
    // `args` must be an object (or null, read as {}); it must outlive the reader.
    ArgReader(std::string type, const nlohmann::json& args);
    // A reader that answers every arg with a valid stand-in value and appends its name and kind
    // to `record`: running a checker factory with it lists the args that factory reads, so the
    // documentation of the args comes from the code that reads them.
    ArgReader(std::string type, std::vector<InstructionArg>& record);
    ArgReader(const ArgReader&) = delete;  // args_ may refer to this reader's own stand-ins
    ArgReader& operator=(const ArgReader&) = delete;

    // Each throws flash::Error "instruction TYPE: arg 'NAME' …" when missing or ill-typed.
    size_t positive_integer(const std::string& name);
    std::string nonempty_string(const std::string& name);
    std::string one_of(const std::string& name, std::initializer_list<const char*> choices);
    std::vector<std::string> nonempty_string_list(const std::string& name);
    Relation relation(const std::string& name = "relation");

    // Call after reading: any arg not read is an error (a misspelt name must not be ignored).
    void finish() const;

    const std::string& type() const { return type_; }

  private:
    // The arg's value; a recording reader first records it and stores `stand_in` as its value.
    const nlohmann::json& require(const std::string& name, std::string kind,
                                  nlohmann::json stand_in);
    [[noreturn]] void fail(const std::string& name, const std::string& problem) const;

    std::string type_;
    nlohmann::json stand_ins_;  // a recording reader's args
    const nlohmann::json& args_;
    std::set<std::string> read_;
    std::vector<InstructionArg>* record_ = nullptr;
};

}  // namespace flash::instruct
