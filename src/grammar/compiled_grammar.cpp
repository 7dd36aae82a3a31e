// Lowering a code-point Grammar to the byte-level CompiledGrammar: UTF-8 sequences for every
// set (helper rules where a set needs more than one byte), pruning of unproductive
// alternatives and unreachable rules, byte-set interning and byte classes.
#include "grammar/compiled_grammar.h"

#include <map>
#include <unordered_map>

#include "core/error.h"
#include "grammar/grammar_checks.h"

namespace flash::grammar {

namespace {

using Elem = CompiledGrammar::Elem;
using Op = CompiledGrammar::Op;

// What one code-point set lowers to: nothing (empty set), one byte set, or a helper rule.
struct Lowered {
    enum Kind : uint8_t { Empty, Single, Helper } kind = Empty;
    uint32_t arg = 0;  // Single: set index; Helper: index into helpers
};

class Lowering {
  public:
    explicit Lowering(CompiledGrammar& out) : out_(out) {}

    Lowered lower(const Element& e) {
        std::vector<std::pair<uint32_t, uint32_t>> key_ranges;
        key_ranges.reserve(e.ranges.size());
        for (const CodeRange& r : e.ranges) key_ranges.emplace_back(r.lo, r.hi);
        auto key = std::make_pair(e.negated, std::move(key_ranges));
        auto it = cache_.find(key);
        if (it != cache_.end()) return it->second;
        const std::vector<ByteSequence> seqs = utf8_sequences(e.ranges, e.negated);
        Lowered l;
        if (seqs.size() == 1 && seqs[0].size() == 1) {
            l = {Lowered::Single, set_index(seqs[0][0])};
        } else if (!seqs.empty()) {
            l = {Lowered::Helper, static_cast<uint32_t>(helpers.size())};
            std::vector<std::vector<uint32_t>> alts;
            for (const ByteSequence& seq : seqs) {
                std::vector<uint32_t> alt;
                for (const ByteSet& bs : seq) alt.push_back(set_index(bs));
                alts.push_back(std::move(alt));
            }
            helpers.push_back(std::move(alts));
        }
        cache_.emplace(std::move(key), l);
        return l;
    }

    uint32_t set_index(const ByteSet& s) {
        auto [it, fresh] = set_ids_.try_emplace(s, static_cast<uint32_t>(out_.sets.size()));
        if (fresh) out_.sets.push_back(s);
        return it->second;
    }

    std::vector<std::vector<std::vector<uint32_t>>> helpers;  // helper -> alts -> set indices

  private:
    CompiledGrammar& out_;
    std::map<std::pair<bool, std::vector<std::pair<uint32_t, uint32_t>>>, Lowered> cache_;
    std::map<ByteSet, uint32_t> set_ids_;
};

// Rules that derive at least one finite string (linear worklist over alternatives).
std::vector<bool> productive_rules(const Grammar& g, Lowering& low) {
    const size_t n = g.rules.size();
    std::vector<bool> productive(n, false);
    struct Alt {
        uint32_t rule;
        uint32_t pending;  // references not yet known productive
    };
    std::vector<Alt> alts;
    std::vector<std::vector<uint32_t>> uses(n);
    std::vector<uint32_t> work;
    for (uint32_t r = 0; r < n; ++r) {
        for (const Sequence& seq : g.rules[r].alternatives) {
            bool dead = false;
            uint32_t refs = 0;
            for (const Element& e : seq) {
                if (e.kind == Element::Kind::Rule) {
                    ++refs;
                } else if (low.lower(e).kind == Lowered::Empty) {
                    dead = true;
                }
            }
            if (dead) continue;
            const auto a = static_cast<uint32_t>(alts.size());
            alts.push_back({r, refs});
            for (const Element& e : seq) {
                if (e.kind == Element::Kind::Rule) uses[e.rule].push_back(a);
            }
            if (refs == 0 && !productive[r]) productive[r] = true, work.push_back(r);
        }
    }
    while (!work.empty()) {
        const uint32_t r = work.back();
        work.pop_back();
        for (uint32_t a : uses[r]) {
            if (--alts[a].pending == 0 && !productive[alts[a].rule]) {
                productive[alts[a].rule] = true;
                work.push_back(alts[a].rule);
            }
        }
    }
    return productive;
}

bool alternative_alive(const Sequence& seq, const std::vector<bool>& productive, Lowering& low) {
    for (const Element& e : seq) {
        if (e.kind == Element::Kind::Rule ? !productive[e.rule]
                                          : low.lower(e).kind == Lowered::Empty) {
            return false;
        }
    }
    return true;
}

// Partition refinement: two bytes share a class iff every byte set holds both or neither.
void compute_byte_classes(CompiledGrammar& cg) {
    std::array<uint16_t, 256> cls{};
    uint16_t n = 1;
    for (const ByteSet& s : cg.sets) {
        std::map<std::pair<uint16_t, bool>, uint16_t> remap;
        for (int b = 0; b < 256; ++b) {
            const auto key = std::make_pair(cls[b], s.test(static_cast<uint8_t>(b)));
            auto [it, fresh] = remap.try_emplace(key, static_cast<uint16_t>(remap.size()));
            cls[b] = it->second;
        }
        n = static_cast<uint16_t>(remap.size());
        if (n == 256) break;
    }
    cg.class_byte.assign(n, 0);
    std::vector<bool> seen(n, false);
    for (int b = 0; b < 256; ++b) {
        cg.byte_class[b] = static_cast<uint8_t>(cls[b]);
        if (!seen[cls[b]]) seen[cls[b]] = true, cg.class_byte[cls[b]] = static_cast<uint8_t>(b);
    }
}

}  // namespace

std::shared_ptr<const CompiledGrammar> CompiledGrammar::compile(const Grammar& g) {
    const auto n = static_cast<uint32_t>(g.rules.size());
    if (g.root >= n)
        throw Error("grammar: root rule #" + std::to_string(g.root) + " does not exist");
    for (const Rule& r : g.rules) {
        for (const Sequence& seq : r.alternatives) {
            for (const Element& e : seq) {
                if (e.kind == Element::Kind::Rule && e.rule >= n) {
                    throw Error("grammar: rule '" + r.name +
                                "' refers to a rule that does not exist");
                }
            }
        }
    }
    check_left_recursion(g.rules);  // closure would not terminate on a left-recursive rule
    auto cg = std::make_shared<CompiledGrammar>();
    Lowering low(*cg);
    const std::vector<bool> productive = productive_rules(g, low);

    // Reachable rules through live alternatives, from the root.
    std::vector<bool> reachable(n, false);
    std::vector<uint32_t> work;
    if (productive[g.root]) reachable[g.root] = true, work.push_back(g.root);
    while (!work.empty()) {
        const uint32_t r = work.back();
        work.pop_back();
        for (const Sequence& seq : g.rules[r].alternatives) {
            if (!alternative_alive(seq, productive, low)) continue;
            for (const Element& e : seq) {
                if (e.kind == Element::Kind::Rule && !reachable[e.rule]) {
                    reachable[e.rule] = true;
                    work.push_back(e.rule);
                }
            }
        }
    }

    // Source rules keep their indices; helper rules for multi-byte sets follow them.
    std::vector<std::vector<std::vector<Elem>>> bodies(n);
    std::vector<uint32_t> helper_owner;  // helper -> first source rule that used it (for names)
    for (uint32_t r = 0; r < n; ++r) {
        if (!reachable[r]) continue;
        for (const Sequence& seq : g.rules[r].alternatives) {
            if (!alternative_alive(seq, productive, low)) continue;
            std::vector<Elem> body;
            body.reserve(seq.size());
            for (const Element& e : seq) {
                if (e.kind == Element::Kind::Rule) {
                    body.push_back({Op::Ref, e.rule});
                    continue;
                }
                const Lowered l = low.lower(e);
                if (l.kind == Lowered::Single) {
                    body.push_back({Op::Bytes, l.arg});
                } else {
                    if (l.arg >= helper_owner.size()) helper_owner.resize(l.arg + 1, r);
                    body.push_back({Op::Ref, n + l.arg});
                }
            }
            bodies[r].push_back(std::move(body));
        }
    }
    const auto n_helpers = static_cast<uint32_t>(low.helpers.size());
    helper_owner.resize(n_helpers, g.root);
    bodies.resize(n + n_helpers);
    for (uint32_t h = 0; h < n_helpers; ++h) {
        for (const auto& alt : low.helpers[h]) {
            std::vector<Elem> body;
            for (uint32_t s : alt) body.push_back({Op::Bytes, s});
            bodies[n + h].push_back(std::move(body));
        }
    }

    const uint32_t total = n + n_helpers;
    cg->rule_alts.reserve(total + 1);
    for (uint32_t r = 0; r < total; ++r) {
        cg->rule_alts.push_back(static_cast<uint32_t>(cg->alt_start.size()));
        for (const auto& body : bodies[r]) {
            cg->alt_start.push_back(static_cast<uint32_t>(cg->elems.size()));
            for (const Elem& e : body) {
                cg->elems.push_back(e);
                cg->elem_rule.push_back(r);
            }
            cg->elems.push_back({Op::End, 0});
            cg->elem_rule.push_back(r);
        }
        cg->rule_names.push_back(r < n ? g.rules[r].name
                                       : g.rules[helper_owner[r - n]].name + "/utf8");
    }
    cg->rule_alts.push_back(static_cast<uint32_t>(cg->alt_start.size()));
    cg->root = g.root;
    cg->empty_language = !productive[g.root];

    // A rule used by several other rules (a JSON string, a number) is where mask keys are cut:
    // its inside looks the same from every caller. Helpers are never cut points.
    cg->shared.assign(total, 0);
    std::vector<uint32_t> refs(n, 0), last(n, UINT32_MAX);
    for (uint32_t r = 0; r < n; ++r) {
        for (const auto& body : bodies[r]) {
            for (const Elem& e : body) {
                if (e.op != Op::Ref || e.arg >= n || e.arg == r || last[e.arg] == r) continue;
                last[e.arg] = r;
                ++refs[e.arg];
            }
        }
    }
    for (uint32_t r = 0; r < n; ++r) cg->shared[r] = refs[r] >= 2;

    compute_byte_classes(*cg);
    return cg;
}

}  // namespace flash::grammar
