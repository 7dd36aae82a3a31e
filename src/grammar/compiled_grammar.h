// CompiledGrammar: a Grammar lowered to bytes for the matcher. Every code-point set becomes
// byte sets (multi-byte characters through helper rules of UTF-8 byte-range sequences), rules
// that can derive no string are dropped, and bytes are grouped into classes that no byte set
// tells apart, so transition tables are indexed by class instead of byte. Immutable.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "grammar/grammar.h"
#include "grammar/utf8_ranges.h"

namespace flash::grammar {

class CompiledGrammar {
  public:
    static std::shared_ptr<const CompiledGrammar> compile(const Grammar& g);

    // One position in the flat element array. Each alternative is a run of elements closed by
    // an End; a rule's alternatives are listed in alt_start[rule_alts[r] .. rule_alts[r + 1]).
    enum class Op : uint8_t { Bytes, Ref, End };
    struct Elem {
        Op op = Op::End;
        uint32_t arg = 0;  // Bytes: index into sets; Ref: rule; End: unused
    };

    std::vector<Elem> elems;
    std::vector<uint32_t> elem_rule;  // the rule each position belongs to
    std::vector<uint32_t> alt_start;
    std::vector<uint32_t> rule_alts;      // size rules + 1
    std::vector<ByteSet> sets;            // distinct byte sets
    std::vector<uint8_t> shared;          // per rule: referenced from 2+ other source rules
    std::vector<std::string> rule_names;  // source names; helpers are "name/utf8"
    uint32_t root = 0;
    bool empty_language = false;  // the root derives no string at all

    std::array<uint8_t, 256> byte_class{};  // byte -> class
    std::vector<uint8_t> class_byte;        // class -> a representative byte
    int n_classes() const { return static_cast<int>(class_byte.size()); }

    bool set_has(uint32_t set, uint8_t byte) const { return sets[set].test(byte); }
};

}  // namespace flash::grammar
