// Reading an instruction's args with errors that name the instruction type and the arg.
#pragma once

#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flash::instruct {

// IFEval's two relations: "at least" N (>= N) and "less than" N (< N).
enum class Relation { AtLeast, LessThan };

bool satisfies(Relation relation, size_t actual, size_t n);
std::string describe(Relation relation, size_t n);  // "at least 3", "less than 3"

class ArgReader {
  public:
    // `args` must be an object (or null, read as {}); it must outlive the reader.
    ArgReader(std::string type, const nlohmann::json& args);

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
    const nlohmann::json& require(const std::string& name);
    [[noreturn]] void fail(const std::string& name, const std::string& problem) const;

    std::string type_;
    const nlohmann::json& args_;
    std::set<std::string> read_;
};

}  // namespace flash::instruct
