// ConstraintSpec: the constraint a user asked for on the command line or in a request — a JSON
// Schema, a GBNF grammar, a regex or any JSON — and compile_spec, which turns it into a Grammar
// through the matching front end. Pure grammar: no generation involved (that is
// turn/grammar_constraint.h).
#pragma once

#include <string>
#include <vector>

#include "grammar/grammar.h"

namespace flash::grammar {

struct ConstraintSpec {
    std::string json_schema;  // schema text
    std::string gbnf;         // grammar text
    std::string regex;        // pattern (whole output must match)
    bool any_json = false;    // any JSON value
    bool pretty = false;      // JSON whitespace: pretty-printed instead of compact
    bool lenient = false;     // unenforceable schema keywords warn instead of failing
    bool empty() const { return json_schema.empty() && gbnf.empty() && regex.empty() && !any_json; }
};

// Compiles whichever input the spec holds (exactly one, else flash::Error); warnings from a
// lenient schema compile are appended to `warnings`.
Grammar compile_spec(const ConstraintSpec& spec, std::vector<std::string>* warnings = nullptr);

}  // namespace flash::grammar
