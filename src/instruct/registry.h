// Instruction type id → a factory that reads the args (failing on bad ones) and returns the
// checker for one response. Each family file registers its types; check.h is the public face.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "instruct/args.h"
#include "instruct/instruction.h"

namespace flash::instruct {

// Judges a response that is valid UTF-8 and not blank (check.h handles the rest).
using Checker = std::function<CheckResult(std::string_view response)>;
using CheckerFactory = std::function<Checker(ArgReader& args)>;

class Registry {
  public:
    // `example_args`: args the factory accepts, shown by `flash run --list-instructions`.
    void add(std::string type, CheckerFactory factory, nlohmann::json example_args);
    const CheckerFactory* find(std::string_view type) const;
    const nlohmann::json* example_args(std::string_view type) const;
    std::vector<std::string> types() const;

  private:
    struct Entry {
        CheckerFactory factory;
        nlohmann::json example_args;
    };
    std::map<std::string, Entry, std::less<>> entries_;
};

// Every instruction type the data uses.
const Registry& registry();

void register_keyword_checkers(Registry& registry);
void register_language_checkers(Registry& registry);
void register_length_checkers(Registry& registry);
void register_content_checkers(Registry& registry);
void register_markdown_checkers(Registry& registry);
void register_structure_checkers(Registry& registry);
void register_combination_checkers(Registry& registry);
void register_startend_checkers(Registry& registry);
void register_case_checkers(Registry& registry);

inline CheckResult passed(std::string reason) {
    return {true, std::move(reason)};
}
inline CheckResult failed(std::string reason) {
    return {false, std::move(reason)};
}

// "1 bullet" / "3 bullets"
std::string count_of(size_t n, std::string_view singular, std::string_view plural);
// A short quote of the text around [begin, end) for reasons, cut at character boundaries.
std::string excerpt(std::string_view text, size_t begin, size_t end);

}  // namespace flash::instruct
