// Expression trees for the regex and GBNF front ends, and their lowering into builder rules.
#include "grammar/expr.h"

#include <algorithm>
#include <cstddef>

namespace flash::grammar::detail {

namespace {

constexpr uint32_t kSurrogateLo = 0xD800;
constexpr uint32_t kSurrogateHi = 0xDFFF;

}  // namespace

// ---- naming and repetition ----

std::string RuleNamer::operator()(std::string_view base) {
    auto it = next_.find(base);
    if (it == next_.end()) it = next_.emplace(std::string(base), 1).first;
    const uint64_t n = it->second++;
    std::string name(base);
    if (n > 1) {
        name += '-';
        name += std::to_string(n);
    }
    return name;
}

uint32_t star_rule(GrammarBuilder& b, RuleNamer& names, std::string_view base, Sequence unit) {
    // Right recursion: the matcher's tail calls keep its stacks flat however long the run.
    const uint32_t star = b.declare(names(base));
    unit.push_back(GrammarBuilder::ref(star));
    b.define(star, {std::move(unit), {}});
    return star;
}

uint32_t optional_rule(GrammarBuilder& b, RuleNamer& names, std::string_view base, Sequence unit) {
    return b.add(names(base), {std::move(unit), {}});
}

uint32_t repeat_rule(GrammarBuilder& b, RuleNamer& names, std::string_view base, Sequence unit,
                     int64_t min, int64_t max) {
    const std::string name(base);
    if (unit.size() != 1) unit = {GrammarBuilder::ref(b.add(names(name + "-item"), {unit}))};
    Sequence seq(static_cast<size_t>(min), unit[0]);
    if (max < 0) {
        seq.push_back(GrammarBuilder::ref(star_rule(b, names, name + "-star", unit)));
    } else if (max > min) {
        // opt_k ::= unit opt_{k-1} | "" — nested, so {0,n} costs n rules, not n^2 elements.
        uint32_t opt = b.add(names(name + "-opt"), {unit, {}});
        for (int64_t k = 1; k < max - min; ++k) {
            opt = b.add(names(name + "-opt"), {{unit[0], GrammarBuilder::ref(opt)}, {}});
        }
        seq.push_back(GrammarBuilder::ref(opt));
    }
    return b.add(names(name), {std::move(seq)});
}

// ---- CharSet ----

CharSet CharSet::range(uint32_t lo, uint32_t hi) {
    CharSet s;
    s.add(lo, hi);
    return s;
}

CharSet CharSet::all() {
    return range(0, kMaxCodePoint);
}

void CharSet::add(uint32_t lo, uint32_t hi) {
    hi = std::min(hi, kMaxCodePoint);
    if (lo > hi) return;
    ranges_.push_back({lo, hi});
    normalize();
}

void CharSet::add(const CharSet& other) {
    ranges_.insert(ranges_.end(), other.ranges_.begin(), other.ranges_.end());
    normalize();
}

void CharSet::subtract(const CharSet& other) {
    CharSet keep = other.complement();
    std::vector<CodeRange> out;
    size_t j = 0;
    for (const CodeRange& r : ranges_) {
        while (j < keep.ranges_.size() && keep.ranges_[j].hi < r.lo) ++j;
        for (size_t k = j; k < keep.ranges_.size() && keep.ranges_[k].lo <= r.hi; ++k) {
            out.push_back({std::max(r.lo, keep.ranges_[k].lo), std::min(r.hi, keep.ranges_[k].hi)});
        }
    }
    ranges_ = std::move(out);
    normalize();
}

CharSet CharSet::complement() const {
    CharSet out;
    uint32_t next = 0;
    for (const CodeRange& r : ranges_) {
        if (r.lo > next) out.ranges_.push_back({next, r.lo - 1});
        next = r.hi + 1;
    }
    if (next <= kMaxCodePoint) out.ranges_.push_back({next, kMaxCodePoint});
    out.normalize();
    return out;
}

bool CharSet::contains(uint32_t cp) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), cp,
                               [](uint32_t v, const CodeRange& r) { return v < r.lo; });
    return it != ranges_.begin() && std::prev(it)->hi >= cp;
}

void CharSet::normalize() {
    std::sort(ranges_.begin(), ranges_.end(),
              [](const CodeRange& a, const CodeRange& b) { return a.lo < b.lo; });
    std::vector<CodeRange> merged;
    for (CodeRange r : ranges_) {
        // Cut surrogates out: the range may straddle them.
        if (r.lo <= kSurrogateHi && r.hi >= kSurrogateLo) {
            if (r.lo < kSurrogateLo) {
                CodeRange below{r.lo, kSurrogateLo - 1};
                if (!merged.empty() && below.lo <= merged.back().hi + 1) {
                    merged.back().hi = std::max(merged.back().hi, below.hi);
                } else {
                    merged.push_back(below);
                }
            }
            if (r.hi <= kSurrogateHi) continue;
            r.lo = kSurrogateHi + 1;
        }
        if (!merged.empty() && r.lo <= merged.back().hi + 1) {
            merged.back().hi = std::max(merged.back().hi, r.hi);
        } else {
            merged.push_back(r);
        }
    }
    ranges_ = std::move(merged);
}

// ---- Expr ----

Expr Expr::never() {
    Expr e;
    e.kind = Kind::Never;
    return e;
}

Expr Expr::chars_of(CharSet set) {
    if (set.empty()) return never();
    Expr e;
    e.kind = Kind::Chars;
    e.chars = std::move(set);
    return e;
}

Expr Expr::seq(std::vector<Expr> parts) {
    std::vector<Expr> flat;
    for (Expr& p : parts) {
        if (p.kind == Kind::Never) return never();
        if (p.kind == Kind::Empty) continue;
        if (p.kind == Kind::Seq) {
            for (Expr& k : p.kids) flat.push_back(std::move(k));
        } else {
            flat.push_back(std::move(p));
        }
    }
    if (flat.empty()) return empty();
    if (flat.size() == 1) return std::move(flat[0]);
    Expr e;
    e.kind = Kind::Seq;
    e.kids = std::move(flat);
    return e;
}

Expr Expr::alt(std::vector<Expr> options) {
    std::vector<Expr> flat;
    CharSet singles;  // single-character options merge into one class
    bool has_singles = false;
    bool has_empty = false;
    for (Expr& o : options) {
        if (o.kind == Kind::Never) continue;
        if (o.kind == Kind::Alt) {
            for (Expr& k : o.kids) {
                if (k.kind == Kind::Chars) {
                    singles.add(k.chars), has_singles = true;
                } else if (k.kind == Kind::Empty) {
                    has_empty = true;
                } else {
                    flat.push_back(std::move(k));
                }
            }
        } else if (o.kind == Kind::Chars) {
            singles.add(o.chars), has_singles = true;
        } else if (o.kind == Kind::Empty) {
            has_empty = true;
        } else {
            flat.push_back(std::move(o));
        }
    }
    if (has_singles) flat.insert(flat.begin(), chars_of(std::move(singles)));
    if (has_empty) flat.push_back(empty());
    if (flat.empty()) return never();
    if (flat.size() == 1) return std::move(flat[0]);
    Expr e;
    e.kind = Kind::Alt;
    e.kids = std::move(flat);
    return e;
}

Expr Expr::repeat(Expr body, int64_t min, int64_t max) {
    if (body.kind == Kind::Never) return min == 0 ? empty() : never();
    if (body.kind == Kind::Empty || max == 0) return empty();
    if (min == 1 && max == 1) return body;
    Expr e;
    e.kind = Kind::Repeat;
    e.kids.push_back(std::move(body));
    e.min = min;
    e.max = max;
    return e;
}

Expr Expr::rule(uint32_t index) {
    Expr e;
    e.kind = Kind::Ref;
    e.ref = index;
    return e;
}

Expr Expr::text(std::u32string_view text) {
    std::vector<Expr> parts;
    for (char32_t c : text) parts.push_back(chars_of(CharSet::of(static_cast<uint32_t>(c))));
    return seq(std::move(parts));
}

// ---- ExprLowering ----

int64_t ExprLowering::first_unproductive() const {
    std::vector<bool> done(named_.size(), false);
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t i = 0; i < named_.size(); ++i) {
            if (!done[i] && productive(named_[i].body, done)) done[i] = changed = true;
        }
    }
    for (size_t i = 0; i < named_.size(); ++i) {
        if (!done[i]) return static_cast<int64_t>(i);
    }
    return -1;
}

bool ExprLowering::productive(const Expr& e, const std::vector<bool>& known) const {
    switch (e.kind) {
        case Expr::Kind::Empty:
            return true;
        case Expr::Kind::Never:
            return false;
        case Expr::Kind::Chars:
            return !e.chars.empty();
        case Expr::Kind::Seq:
            return std::all_of(e.kids.begin(), e.kids.end(),
                               [&](const Expr& k) { return productive(k, known); });
        case Expr::Kind::Alt:
            return std::any_of(e.kids.begin(), e.kids.end(),
                               [&](const Expr& k) { return productive(k, known); });
        case Expr::Kind::Repeat:
            return e.min == 0 || productive(e.kids[0], known);
        case Expr::Kind::Ref:
            return known[e.ref];
    }
    return false;
}

uint32_t ExprLowering::add_named(std::string name, uint32_t id, Expr body) {
    named_.push_back(Named{std::move(name), id, std::move(body)});
    return static_cast<uint32_t>(named_.size() - 1);
}

void ExprLowering::compute_nullable() {
    for (bool changed = true; changed;) {
        changed = false;
        for (Named& n : named_) {
            if (!n.nullable && nullable(n.body)) n.nullable = changed = true;
        }
    }
}

bool ExprLowering::nullable(const Expr& e) const {
    switch (e.kind) {
        case Expr::Kind::Empty:
            return true;
        case Expr::Kind::Never:
        case Expr::Kind::Chars:
            return false;
        case Expr::Kind::Seq:
            return std::all_of(e.kids.begin(), e.kids.end(),
                               [&](const Expr& k) { return nullable(k); });
        case Expr::Kind::Alt:
            return std::any_of(e.kids.begin(), e.kids.end(),
                               [&](const Expr& k) { return nullable(k); });
        case Expr::Kind::Repeat:
            return e.min == 0 || nullable(e.kids[0]);
        case Expr::Kind::Ref:
            return named_[e.ref].nullable;
    }
    return false;
}

// e minus the empty string. Never when e matches only the empty string.
Expr ExprLowering::nonempty(const Expr& e) {
    if (!nullable(e)) return e;
    switch (e.kind) {
        case Expr::Kind::Empty:
        case Expr::Kind::Never:
        case Expr::Kind::Chars:
            return Expr::never();
        case Expr::Kind::Seq: {
            // Every part is nullable: the first non-empty part is some k_i, the rest anything.
            std::vector<Expr> options;
            for (size_t i = 0; i < e.kids.size(); ++i) {
                std::vector<Expr> parts{nonempty(e.kids[i])};
                parts.insert(parts.end(), e.kids.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                             e.kids.end());
                options.push_back(Expr::seq(std::move(parts)));
            }
            return Expr::alt(std::move(options));
        }
        case Expr::Kind::Alt: {
            std::vector<Expr> options;
            for (const Expr& k : e.kids) options.push_back(nonempty(k));
            return Expr::alt(std::move(options));
        }
        case Expr::Kind::Repeat: {
            // x{m,n} with x nullable is x'{0,n}; without the empty string, x'{1,n}.
            const Expr& body = e.kids[0];
            if (nullable(body)) return Expr::repeat(nonempty(body), 1, e.max);
            return Expr::repeat(body, 1, e.max);
        }
        case Expr::Kind::Ref:
            return Expr::rule(nonempty_rule(e.ref));
    }
    return Expr::never();
}

uint32_t ExprLowering::nonempty_rule(uint32_t index) {
    if (named_[index].nonempty >= 0) return static_cast<uint32_t>(named_[index].nonempty);
    const std::string name = named_[index].name + "-nonempty";
    const uint32_t id = b_.declare(names_(name));
    const uint32_t made = add_named(name, id, Expr::never());
    named_[index].nonempty = made;
    const Expr body = named_[index].body;  // copy: nonempty() may append to named_
    Expr ne = nonempty(body);
    // A rule that matches only the empty string has no non-empty part; a character class
    // that matches nothing keeps the (unreachable) alternative well-formed.
    if (ne.kind == Expr::Kind::Never) ne = Expr{.kind = Expr::Kind::Chars};
    named_[made].body = std::move(ne);
    return made;
}

void ExprLowering::define_named() {
    compute_nullable();
    for (size_t i = 0; i < named_.size(); ++i) {
        if (named_[i].defined) continue;
        named_[i].defined = true;
        const Expr body = named_[i].body;
        const std::string name = named_[i].name;
        const uint32_t id = named_[i].id;
        std::vector<Sequence> alts = lower(body, name);
        if (alts.empty()) alts.push_back({GrammarBuilder::chars({})});
        b_.define(id, std::move(alts));
    }
}

uint32_t ExprLowering::lower_rule(const Expr& e, std::string_view name) {
    std::vector<Sequence> alts = lower(e, name);
    if (alts.empty()) alts.push_back({GrammarBuilder::chars({})});
    return b_.add(names_(name), std::move(alts));
}

std::vector<Sequence> ExprLowering::lower(const Expr& e, std::string_view name) {
    switch (e.kind) {
        case Expr::Kind::Never:
            return {};
        case Expr::Kind::Alt: {
            std::vector<Sequence> out;
            for (const Expr& k : e.kids) out.push_back(lower_seq(k, name));
            return out;
        }
        default:
            return {lower_seq(e, name)};
    }
}

Sequence ExprLowering::lower_seq(const Expr& e, std::string_view name) {
    Sequence out;
    auto one = [&](const Expr& k) {
        switch (k.kind) {
            case Expr::Kind::Empty:
                break;
            case Expr::Kind::Never:  // constructors keep Never out of sequences
            case Expr::Kind::Chars:
                out.push_back(GrammarBuilder::chars(k.chars.ranges()));
                break;
            case Expr::Kind::Ref:
                out.push_back(GrammarBuilder::ref(named_[k.ref].id));
                break;
            case Expr::Kind::Seq:  // constructors flatten nested sequences; kept for safety
            case Expr::Kind::Alt:
                out.push_back(GrammarBuilder::ref(lower_rule(k, name)));
                break;
            case Expr::Kind::Repeat: {
                Expr body = k.kids[0];
                int64_t min = k.min;
                if (nullable(body)) body = nonempty(body), min = 0;
                if (body.kind == Expr::Kind::Never) break;  // only the empty string
                Sequence unit = body.kind == Expr::Kind::Alt
                                    ? Sequence{GrammarBuilder::ref(lower_rule(body, name))}
                                    : lower_seq(body, name);
                uint32_t r;
                if (min == 0 && k.max < 0) {
                    r = star_rule(b_, names_, std::string(name) + "-star", std::move(unit));
                } else if (min == 0 && k.max == 1) {
                    r = optional_rule(b_, names_, std::string(name) + "-opt", std::move(unit));
                } else {
                    r = repeat_rule(b_, names_, name, std::move(unit), min, k.max);
                }
                out.push_back(GrammarBuilder::ref(r));
                break;
            }
        }
    };
    if (e.kind == Expr::Kind::Seq) {
        for (const Expr& k : e.kids) one(k);
    } else {
        one(e);
    }
    return out;
}

}  // namespace flash::grammar::detail
