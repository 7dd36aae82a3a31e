// Grammar IR: GrammarBuilder (elements, common shapes, bounded repetition) and build()'s
// validation — definitions, references and left recursion — plus the GBNF-like printer.
#include "grammar/grammar.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"
#include "grammar/grammar_checks.h"

namespace flash::grammar {

namespace {

constexpr uint32_t kMaxCodePoint = 0x10FFFF;

// Decodes one UTF-8 character at `i`; throws for malformed input (literals must be text).
uint32_t decode_utf8(std::string_view s, size_t& i) {
    const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
    const uint8_t b0 = byte(i);
    int len = 0;
    uint32_t cp = 0;
    if (b0 < 0x80) {
        len = 1, cp = b0;
    } else if ((b0 & 0xE0) == 0xC0) {
        len = 2, cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3, cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4, cp = b0 & 0x07;
    } else {
        throw Error("grammar: literal is not valid UTF-8 (byte " + std::to_string(i) + ")");
    }
    if (i + len > s.size()) throw Error("grammar: literal ends inside a UTF-8 character");
    for (int k = 1; k < len; ++k) {
        const uint8_t b = byte(i + k);
        if ((b & 0xC0) != 0x80) {
            throw Error("grammar: literal is not valid UTF-8 (byte " + std::to_string(i + k) + ")");
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > kMaxCodePoint || (cp >= 0xD800 && cp <= 0xDFFF)) {
        throw Error("grammar: literal is not valid UTF-8 (byte " + std::to_string(i) + ")");
    }
    i += len;
    return cp;
}

void append_escaped(std::string& out, uint32_t cp, bool in_class) {
    if (cp == '"' && !in_class) {
        out += "\\\"";
    } else if (cp == '\\' || (in_class && (cp == ']' || cp == '-' || cp == '^'))) {
        out += '\\';
        out += static_cast<char>(cp);
    } else if (cp == '\n') {
        out += "\\n";
    } else if (cp == '\t') {
        out += "\\t";
    } else if (cp == '\r') {
        out += "\\r";
    } else if (cp < 0x20 || cp == 0x7F) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02X", cp);
        out += buf;
    } else if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else {
        char buf[16];
        std::snprintf(buf, sizeof buf, cp <= 0xFFFF ? "\\u%04X" : "\\U%08X", cp);
        out += buf;
    }
}

// Nullable rules, computed in linear time with per-alternative counters (a fixpoint loop would
// be quadratic on long chains of rules).
std::vector<bool> nullable_rules(const std::vector<Rule>& rules) {
    const size_t n = rules.size();
    std::vector<bool> nullable(n, false);
    struct Alt {
        uint32_t rule;
        uint32_t pending;  // elements not yet known nullable
    };
    std::vector<Alt> alts;
    std::vector<std::vector<uint32_t>> uses(
        n);  // rule -> alternatives it occurs in, per occurrence
    std::vector<uint32_t> work;
    for (uint32_t r = 0; r < n; ++r) {
        for (const Sequence& seq : rules[r].alternatives) {
            const bool has_chars = std::any_of(seq.begin(), seq.end(), [](const Element& e) {
                return e.kind == Element::Kind::Chars;
            });
            if (has_chars) continue;
            const auto a = static_cast<uint32_t>(alts.size());
            alts.push_back({r, static_cast<uint32_t>(seq.size())});
            for (const Element& e : seq) {
                if (e.rule < n) uses[e.rule].push_back(a);
            }
            if (seq.empty() && !nullable[r]) nullable[r] = true, work.push_back(r);
        }
    }
    while (!work.empty()) {
        const uint32_t r = work.back();
        work.pop_back();
        for (uint32_t a : uses[r]) {
            if (--alts[a].pending == 0 && !nullable[alts[a].rule]) {
                nullable[alts[a].rule] = true;
                work.push_back(alts[a].rule);
            }
        }
    }
    return nullable;
}

}  // namespace

std::string Grammar::to_string() const {
    std::string out;
    for (uint32_t r = 0; r < rules.size(); ++r) {
        const Rule& rule = rules[r];
        out += rule.name;
        if (r == root) out += " (root)";
        out += " ::=";
        for (size_t a = 0; a < rule.alternatives.size(); ++a) {
            if (a > 0) out += " |";
            const Sequence& seq = rule.alternatives[a];
            if (seq.empty()) out += " \"\"";
            for (const Element& e : seq) {
                out += ' ';
                if (e.kind == Element::Kind::Rule) {
                    out += e.rule < rules.size() ? rules[e.rule].name : "<bad-ref>";
                    continue;
                }
                if (!e.negated && e.ranges.size() == 1 && e.ranges[0].lo == e.ranges[0].hi) {
                    out += '"';
                    append_escaped(out, e.ranges[0].lo, false);
                    out += '"';
                    continue;
                }
                out += e.negated ? "[^" : "[";
                for (const CodeRange& cr : e.ranges) {
                    append_escaped(out, cr.lo, true);
                    if (cr.hi != cr.lo) {
                        out += '-';
                        append_escaped(out, cr.hi, true);
                    }
                }
                out += ']';
            }
        }
        out += '\n';
    }
    return out;
}

// Iterative DFS over leftmost references: grammars may nest tens of thousands of rules deep.
void check_left_recursion(const std::vector<Rule>& rules) {
    const size_t n = rules.size();
    const std::vector<bool> nullable = nullable_rules(rules);
    std::vector<std::vector<uint32_t>> left(n);
    for (uint32_t r = 0; r < n; ++r) {
        for (const Sequence& seq : rules[r].alternatives) {
            for (const Element& e : seq) {
                if (e.kind == Element::Kind::Chars) break;
                left[r].push_back(e.rule);
                if (!nullable[e.rule]) break;
            }
        }
    }
    enum : uint8_t { kWhite, kGrey, kBlack };
    std::vector<uint8_t> color(n, kWhite);
    struct Frame {
        uint32_t rule;
        size_t next;
    };
    std::vector<Frame> path;
    for (uint32_t start = 0; start < n; ++start) {
        if (color[start] != kWhite) continue;
        path.push_back({start, 0});
        color[start] = kGrey;
        while (!path.empty()) {
            Frame& f = path.back();
            if (f.next == left[f.rule].size()) {
                color[f.rule] = kBlack;
                path.pop_back();
                continue;
            }
            const uint32_t to = left[f.rule][f.next++];
            if (color[to] == kGrey) {
                std::string cycle;
                size_t k = 0;
                while (path[k].rule != to) ++k;
                for (; k < path.size(); ++k) cycle += rules[path[k].rule].name + " -> ";
                cycle += rules[to].name;
                throw Error("grammar: rule '" + rules[to].name + "' is left-recursive (" + cycle +
                            ")");
            }
            if (color[to] == kWhite) {
                color[to] = kGrey;
                path.push_back({to, 0});
            }
        }
    }
}

uint32_t GrammarBuilder::declare(std::string_view name) {
    rules_.push_back(Rule{std::string(name), {}});
    defined_.push_back(false);
    names_.insert(std::string(name));
    return static_cast<uint32_t>(rules_.size() - 1);
}

void GrammarBuilder::define(uint32_t rule, std::vector<Sequence> alternatives) {
    if (rule >= rules_.size()) {
        throw Error("grammar: define() of undeclared rule #" + std::to_string(rule));
    }
    if (defined_[rule]) throw Error("grammar: rule '" + rules_[rule].name + "' defined twice");
    rules_[rule].alternatives = std::move(alternatives);
    defined_[rule] = true;
}

uint32_t GrammarBuilder::add(std::string_view name, std::vector<Sequence> alternatives) {
    const uint32_t r = declare(name);
    define(r, std::move(alternatives));
    return r;
}

Element GrammarBuilder::chars(std::vector<CodeRange> ranges, bool negated) {
    for (const CodeRange& r : ranges) {
        if (r.lo > r.hi || r.hi > kMaxCodePoint) {
            throw Error("grammar: bad code point range " + std::to_string(r.lo) + "-" +
                        std::to_string(r.hi));
        }
    }
    std::sort(ranges.begin(), ranges.end(),
              [](const CodeRange& a, const CodeRange& b) { return a.lo < b.lo; });
    std::vector<CodeRange> merged;
    for (const CodeRange& r : ranges) {
        if (!merged.empty() && r.lo <= merged.back().hi + 1) {
            merged.back().hi = std::max(merged.back().hi, r.hi);
        } else {
            merged.push_back(r);
        }
    }
    Element e;
    e.kind = Element::Kind::Chars;
    e.ranges = std::move(merged);
    e.negated = negated;
    return e;
}

Element GrammarBuilder::ref(uint32_t rule) {
    Element e;
    e.kind = Element::Kind::Rule;
    e.rule = rule;
    return e;
}

Sequence GrammarBuilder::literal(std::string_view utf8) {
    Sequence seq;
    for (size_t i = 0; i < utf8.size();) {
        const uint32_t cp = decode_utf8(utf8, i);
        seq.push_back(chars({{cp, cp}}));
    }
    return seq;
}

uint32_t GrammarBuilder::optional(std::string_view name, Sequence body) {
    return add(unique_name(name), {std::move(body), {}});
}

uint32_t GrammarBuilder::star(std::string_view name, Sequence body) {
    // Right recursion: the matcher's tail calls keep its stacks flat however long the run.
    const uint32_t r = declare(unique_name(name));
    body.push_back(ref(r));
    define(r, {std::move(body), {}});
    return r;
}

uint32_t GrammarBuilder::plus(std::string_view name, Sequence body) {
    const uint32_t rest = star(std::string(name) + "-rest", body);
    body.push_back(ref(rest));
    return add(unique_name(name), {std::move(body)});
}

uint32_t GrammarBuilder::repeat(std::string_view name, Sequence body, int64_t min, int64_t max) {
    if (min < 0 || (max >= 0 && max < min)) {
        throw Error("grammar: bad repetition bounds {" + std::to_string(min) + "," +
                    std::to_string(max) + "} for '" + std::string(name) + "'");
    }
    // One element per copy: a longer body becomes its own rule first.
    Sequence unit = body;
    if (body.size() != 1) unit = {ref(add(unique_name(std::string(name) + "-item"), {body}))};
    Sequence seq;
    for (int64_t i = 0; i < min; ++i) seq.push_back(unit[0]);
    if (max < 0) {
        seq.push_back(ref(star(std::string(name) + "-star", unit)));
    } else if (max > min) {
        // opt_k ::= unit opt_{k-1} | "" — nested, so {0,n} costs n rules, not n^2 elements.
        uint32_t opt = add(unique_name(std::string(name) + "-opt"), {unit, {}});
        for (int64_t k = 1; k < max - min; ++k) {
            opt = add(unique_name(std::string(name) + "-opt"), {{unit[0], ref(opt)}, {}});
        }
        seq.push_back(ref(opt));
    }
    return add(unique_name(name), {std::move(seq)});
}

std::string GrammarBuilder::unique_name(std::string_view base) {
    std::string name(base);
    if (names_.count(name) != 0) {
        // Resume where the last call for this base stopped: repeat() asks thousands of times.
        uint64_t& k = next_suffix_[name];
        do {
            name = std::string(base) + "-" + std::to_string(++k);
        } while (names_.count(name) != 0);
    }
    names_.insert(name);
    return name;
}

Grammar GrammarBuilder::build(uint32_t root) {
    const size_t n = rules_.size();
    if (root >= n) throw Error("grammar: root rule #" + std::to_string(root) + " does not exist");
    for (size_t r = 0; r < n; ++r) {
        if (!defined_[r]) throw Error("grammar: rule '" + rules_[r].name + "' is never defined");
        if (rules_[r].alternatives.empty()) {
            throw Error("grammar: rule '" + rules_[r].name + "' has no alternatives");
        }
        for (const Sequence& seq : rules_[r].alternatives) {
            for (const Element& e : seq) {
                if (e.kind == Element::Kind::Rule && e.rule >= n) {
                    throw Error("grammar: rule '" + rules_[r].name + "' refers to rule #" +
                                std::to_string(e.rule) + ", which does not exist");
                }
            }
        }
    }
    check_left_recursion(rules_);
    Grammar g;
    g.rules = rules_;
    g.root = root;
    return g;
}

}  // namespace flash::grammar
