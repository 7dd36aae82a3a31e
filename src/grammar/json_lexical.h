// JSON text pieces for the schema compiler and json_any_grammar: strings (with escapes, by code
// point count), numbers, object keys that avoid a set of names, any JSON value, literal values,
// and the whitespace layout (compact, or pretty with exact indentation up to a depth).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "grammar/expr.h"
#include "grammar/grammar.h"

namespace flash::grammar::detail {

// Containers nested deeper than this are written compactly even when pretty, so recursive
// schemas need finitely many rules.
constexpr int kMaxPrettyDepth = 16;
// Numbers carry at most 16 integer digits (1 + this many more), 16 fraction digits and 3
// exponent digits — more than a double holds — so a model that loops on digits must still
// end the number, and generation cannot run away inside one.
constexpr int kMaxMoreDigits = 15;

class JsonLexicon {
  public:
    JsonLexicon(GrammarBuilder& b, RuleNamer& names, bool pretty, int indent);

    // Layout of a container whose brackets sit at nesting `depth`.
    bool pretty_at(int depth) const { return pretty_ && depth < kMaxPrettyDepth; }
    // Depths that share one layout share rules: the memo key for a value at `depth`.
    int layout_key(int depth) const;
    Sequence open(int depth) const;   // after '{' or '[' of a non-empty container
    Sequence close(int depth) const;  // before '}' or ']' of a non-empty container
    Sequence separator(int depth);    // between members or items
    Sequence colon(int depth);

    uint32_t string();  // any JSON string, quotes included
    // A string of min..max code points (max < 0: unbounded), quotes included.
    uint32_t string_length(int64_t min, int64_t max);
    // Quoted strings whose characters need no escapes (so the text is the value) and that
    // differ from every name in `names`: keys for additional properties.
    uint32_t key_except(const std::vector<std::string>& names);
    uint32_t number();   // any JSON number
    uint32_t integer();  // -?(0|[1-9][0-9]*), without "-0"
    uint32_t any_value(int depth);
    // The value serialized in this layout.
    Sequence literal(const nlohmann::ordered_json& value, int depth) const;
    // The content characters allowed unescaped in a string: all but '"', '\\', U+0000-U+001F.
    static std::vector<CodeRange> raw_excluded();

  private:
    uint32_t string_char();
    uint32_t optional_space();
    std::string indentation(int depth) const;

    GrammarBuilder& b_;
    RuleNamer& names_;
    bool pretty_;
    int indent_;
    std::optional<uint32_t> string_char_, string_, number_, integer_, space_, raw_star_;
    std::map<int, uint32_t> any_;
    std::map<std::pair<int64_t, int64_t>, uint32_t> lengths_;
};

}  // namespace flash::grammar::detail
