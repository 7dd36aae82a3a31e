// Expression trees shared by the regex and GBNF front ends: character sets, sequences,
// alternations, bounded repetition and references to named rules, lowered into GrammarBuilder
// rules. Lowering rewrites repetitions of expressions that can match the empty string into
// repetitions of their non-empty part, so the builder never sees a nullable loop body.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/grammar.h"

namespace flash::grammar::detail {

// Limits the text front ends (regex, GBNF) share: the largest {m,n} bound and group depth.
constexpr int64_t kMaxRepeat = 100000;
constexpr int kMaxNesting = 200;

constexpr uint32_t kMaxCodePoint = 0x10FFFF;

// A set of code points as sorted, merged, disjoint ranges; surrogates (D800-DFFF) are never
// members, since UTF-8 text cannot hold them.
class CharSet {
  public:
    static CharSet of(uint32_t cp) { return range(cp, cp); }
    static CharSet range(uint32_t lo, uint32_t hi);
    static CharSet all();

    void add(uint32_t lo, uint32_t hi);
    void add(const CharSet& other);
    void subtract(const CharSet& other);
    CharSet complement() const;
    bool contains(uint32_t cp) const;
    bool empty() const { return ranges_.empty(); }
    const std::vector<CodeRange>& ranges() const { return ranges_; }

  private:
    void normalize();
    std::vector<CodeRange> ranges_;
};

// Rule names for one compilation: "base", "base-2", ... from a counter per base, so naming
// stays O(log n) however many rules share a base. Names only label rules in messages.
class RuleNamer {
  public:
    std::string operator()(std::string_view base);

  private:
    std::map<std::string, uint64_t, std::less<>> next_;
};

// unit{min,max} (max < 0: unbounded) as `min` copies and then nested optionals, one rule per
// optional copy: {0,n} costs n rules.
uint32_t repeat_rule(GrammarBuilder& b, RuleNamer& names, std::string_view base, Sequence unit,
                     int64_t min, int64_t max);

// unit* and unit? as single rules.
uint32_t star_rule(GrammarBuilder& b, RuleNamer& names, std::string_view base, Sequence unit);
uint32_t optional_rule(GrammarBuilder& b, RuleNamer& names, std::string_view base, Sequence unit);

struct Expr {
    enum class Kind : uint8_t { Empty, Never, Chars, Seq, Alt, Repeat, Ref };
    Kind kind = Kind::Empty;
    CharSet chars;           // Chars
    std::vector<Expr> kids;  // Seq, Alt; Repeat: the body
    int64_t min = 0;         // Repeat
    int64_t max = 0;         // Repeat; -1 = unbounded
    uint32_t ref = 0;        // Ref: index of a named rule

    // Constructors simplify as they go: Never absorbs sequences and vanishes from
    // alternations, Empty vanishes from sequences, one-element groups unwrap.
    static Expr empty() { return Expr{}; }
    static Expr never();
    static Expr chars_of(CharSet set);
    static Expr seq(std::vector<Expr> parts);
    static Expr alt(std::vector<Expr> options);
    static Expr repeat(Expr body, int64_t min, int64_t max);
    static Expr rule(uint32_t index);
    static Expr text(std::u32string_view text);
};

// Lowers expressions into builder rules. Named rules (GBNF) are registered first with their
// builder ids; Expr::Ref indexes them.
class ExprLowering {
  public:
    explicit ExprLowering(GrammarBuilder& builder) : b_(builder) {}

    RuleNamer& names() { return names_; }

    // Registers a named rule whose builder rule `id` is declared but not yet defined.
    uint32_t add_named(std::string name, uint32_t id, Expr body);
    // Index of a registered rule that matches no finite string, or -1.
    int64_t first_unproductive() const;
    // Defines every registered rule (and the non-empty variants lowering creates).
    void define_named();

    // A new rule matching `e`; `e` must not be Never.
    uint32_t lower_rule(const Expr& e, std::string_view name);

  private:
    struct Named {
        std::string name;
        uint32_t id;
        Expr body;
        bool nullable = false;
        int64_t nonempty = -1;  // index of its non-empty variant, once made
        bool defined = false;
    };

    void compute_nullable();
    bool nullable(const Expr& e) const;
    bool productive(const Expr& e, const std::vector<bool>& known) const;
    Expr nonempty(const Expr& e);
    uint32_t nonempty_rule(uint32_t index);
    std::vector<Sequence> lower(const Expr& e, std::string_view name);
    Sequence lower_seq(const Expr& e, std::string_view name);

    GrammarBuilder& b_;
    RuleNamer names_;
    std::deque<Named> named_;  // deque: lowering appends while references are held
};

}  // namespace flash::grammar::detail
