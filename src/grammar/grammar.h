// Grammar: the intermediate form every constraint compiles to — a context-free grammar over
// Unicode code points, as rules of alternatives of sequences. JSON Schema, GBNF and regular
// expressions are front ends that build one with GrammarBuilder; the matcher (matcher.h)
// compiles it to bytes and computes token masks. Depends on core/ only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace flash::grammar {

// Inclusive range of Unicode code points.
struct CodeRange {
    uint32_t lo = 0;
    uint32_t hi = 0;
};

// One element of a sequence: a single code point from a set, or a reference to a rule.
struct Element {
    enum class Kind : uint8_t { Chars, Rule };
    Kind kind = Kind::Chars;
    std::vector<CodeRange> ranges;  // Chars: allowed code points (sorted, merged by the builder)
    bool negated = false;           // Chars: any valid code point NOT in ranges
    uint32_t rule = 0;              // Rule: index into Grammar::rules
};

using Sequence = std::vector<Element>;  // empty sequence = matches the empty string

struct Rule {
    std::string name;                    // for messages and debugging
    std::vector<Sequence> alternatives;  // at least one
};

struct Grammar {
    std::vector<Rule> rules;
    uint32_t root = 0;

    // Human-readable GBNF-like text, for debugging and `flash grammar --print`.
    std::string to_string() const;
};

// Builds grammars. Front ends call these; rules may be created before they are defined
// (for recursion) with declare() and filled in with define().
class GrammarBuilder {
public:
    uint32_t declare(std::string_view name);                     // a new, empty rule
    void define(uint32_t rule, std::vector<Sequence> alternatives);
    uint32_t add(std::string_view name, std::vector<Sequence> alternatives);  // declare + define

    // Elements.
    static Element chars(std::vector<CodeRange> ranges, bool negated = false);
    static Element ref(uint32_t rule);
    // A sequence matching exactly this UTF-8 text.
    static Sequence literal(std::string_view utf8);

    // Common shapes, each made of new helper rules (names derived from `name`):
    uint32_t optional(std::string_view name, Sequence body);            // body?
    uint32_t star(std::string_view name, Sequence body);                // body*
    uint32_t plus(std::string_view name, Sequence body);                // body+
    // body{min,max}; max < 0 means unbounded. Bounded repetition expands without blowing up
    // (nested optionals), so {0,1000} costs O(1000) rules at most.
    uint32_t repeat(std::string_view name, Sequence body, int64_t min, int64_t max);

    // A name not used yet, derived from `base` ("item", "item-1", ...).
    std::string unique_name(std::string_view base);

    // Finishes: checks every rule is defined and has an alternative, every reference is in
    // range, and no rule is left-recursive (which a top-down matcher cannot run); throws
    // flash::Error naming the rule otherwise.
    Grammar build(uint32_t root);

    size_t rule_count() const { return rules_.size(); }

private:
    std::vector<Rule> rules_;
    std::vector<bool> defined_;
    std::unordered_set<std::string> names_;  // declared or handed out by unique_name()
    std::unordered_map<std::string, uint64_t> next_suffix_;  // per base: first suffix to try
};

}  // namespace flash::grammar
