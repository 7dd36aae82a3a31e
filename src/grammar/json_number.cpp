// Digit-range construction for bounded integers and decimals (see json_number.h).
#include "grammar/json_number.h"
#include "grammar/json_lexical.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>

#include "core/error.h"

namespace flash::grammar::detail {

namespace {

Element digit_range(char lo, char hi) {
    return GrammarBuilder::chars({{static_cast<uint32_t>(lo), static_cast<uint32_t>(hi)}});
}
Element any_digit() {
    return digit_range('0', '9');
}
Element digit(char c) {
    return digit_range(c, c);
}

Sequence concat(Sequence a, const Sequence& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

bool all_of_char(const std::string& s, size_t from, char c) {
    return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(from), s.end(),
                       [c](char x) { return x == c; });
}

class DigitRanges {
  public:
    DigitRanges(GrammarBuilder& b, RuleNamer& names) : b_(b), names_(names) {}

    // Strings of digits of a.size() == b.size() digits, between a and b inclusive.
    void fixed(const Sequence& prefix, const std::string& a, const std::string& z,
               std::vector<Sequence>& out) {
        size_t k = 0;
        while (k < a.size() && a[k] == z[k]) ++k;
        Sequence pre = prefix;
        for (size_t j = 0; j < k; ++j) pre.push_back(digit(a[j]));
        if (k == a.size()) {
            out.push_back(pre);
            return;
        }
        const size_t rest = a.size() - k - 1;
        auto tail = [&](Sequence s) {
            for (size_t j = 0; j < rest; ++j) s.push_back(any_digit());
            return s;
        };
        const bool a_low = all_of_char(a, k + 1, '0');
        const bool z_high = all_of_char(z, k + 1, '9');
        char mid_lo = a[k], mid_hi = z[k];
        if (!a_low) {
            Sequence s = pre;
            s.push_back(digit(a[k]));
            fixed(s, a.substr(k + 1), std::string(rest, '9'), out);
            ++mid_lo;
        }
        if (!z_high) --mid_hi;
        if (mid_lo <= mid_hi) {
            Sequence s = pre;
            s.push_back(digit_range(mid_lo, mid_hi));
            out.push_back(tail(std::move(s)));
        }
        if (!z_high) {
            Sequence s = pre;
            s.push_back(digit(z[k]));
            fixed(s, std::string(rest, '0'), z.substr(k + 1), out);
        }
    }

    // Non-negative integers without leading zeros in [lo, hi]; hi empty = unbounded.
    void unsigned_range(const Sequence& prefix, const std::string& lo,
                        const std::optional<std::string>& hi, std::vector<Sequence>& out) {
        const size_t l0 = lo.size();
        const size_t l1 = hi ? hi->size() : l0;
        for (size_t len = l0; len <= l1; ++len) {
            std::string a = lo;
            if (len != l0) a.assign(len, '0'), a[0] = '1';
            const std::string z = hi && len == l1 ? *hi : std::string(len, '9');
            if (a <= z) fixed(prefix, a, z, out);
        }
        if (!hi) {  // every longer number
            Sequence s = prefix;
            s.push_back(digit_range('1', '9'));
            for (size_t j = 0; j < l0; ++j) s.push_back(any_digit());
            s.push_back(GrammarBuilder::ref(digit_star()));
            out.push_back(std::move(s));
        }
    }

    uint32_t digit_star() {
        if (!digit_star_) digit_star_ = repeat_rule(b_, names_, "digits", {any_digit()}, 0, kMaxMoreDigits);
        return *digit_star_;
    }
    uint32_t zero_star() {
        if (!zero_star_) zero_star_ = star_rule(b_, names_, "zeros", {digit('0')});
        return *zero_star_;
    }

    // ge[i]: digit strings t with F[0..i) + t >= F as fractions (F without trailing zeros).
    std::vector<uint32_t> fraction_ge(const std::string& f) {
        std::vector<uint32_t> ge(f.size() + 1);
        ge[f.size()] = digit_star();
        for (size_t i = f.size(); i-- > 0;) {
            std::vector<Sequence> alts;
            if (f[i] < '9')
                alts.push_back({digit_range(f[i] + 1, '9'), GrammarBuilder::ref(digit_star())});
            alts.push_back({digit(f[i]), GrammarBuilder::ref(ge[i + 1])});
            ge[i] = b_.add(names_("frac-ge"), std::move(alts));
        }
        return ge;
    }

    // le[i]: digit strings t with F[0..i) + t <= F; t may be empty only when i >= 1 (a
    // fraction has at least one digit).
    std::vector<uint32_t> fraction_le(const std::string& f) {
        std::vector<uint32_t> le(f.size() + 1);
        le[f.size()] = f.empty() ? b_.add(names_("frac-zeros"),
                                          {{digit('0'), GrammarBuilder::ref(zero_star())}})
                                 : zero_star();
        for (size_t i = f.size(); i-- > 0;) {
            std::vector<Sequence> alts;
            if (f[i] > '0')
                alts.push_back({digit_range('0', f[i] - 1), GrammarBuilder::ref(digit_star())});
            alts.push_back({digit(f[i]), GrammarBuilder::ref(le[i + 1])});
            if (i >= 1) alts.push_back({});
            le[i] = b_.add(names_("frac-le"), std::move(alts));
        }
        return le;
    }

    // Fractions t with lo <= t <= hi (both without trailing zeros, lo <= hi).
    uint32_t fraction_between(const std::string& lo, const std::string& hi) {
        const std::vector<uint32_t> ge = fraction_ge(lo);
        const std::vector<uint32_t> le = fraction_le(hi);
        size_t k = 0;
        Sequence pre;
        while (k < lo.size() && k < hi.size() && lo[k] == hi[k]) pre.push_back(digit(lo[k])), ++k;
        if (k == lo.size()) {  // lo is a prefix of hi: only the upper bound is left
            pre.push_back(GrammarBuilder::ref(le[k]));
            return b_.add(names_("frac-range"), {pre});
        }
        // lo[k] < hi[k] here, since lo <= hi.
        std::vector<Sequence> alts;
        alts.push_back(concat(pre, {digit(lo[k]), GrammarBuilder::ref(ge[k + 1])}));
        if (lo[k] + 1 <= hi[k] - 1) {
            alts.push_back(concat(
                pre, {digit_range(lo[k] + 1, hi[k] - 1), GrammarBuilder::ref(digit_star())}));
        }
        alts.push_back(concat(pre, {digit(hi[k]), GrammarBuilder::ref(le[k + 1])}));
        return b_.add(names_("frac-range"), std::move(alts));
    }

  private:
    GrammarBuilder& b_;
    RuleNamer& names_;
    std::optional<uint32_t> digit_star_, zero_star_;
};

struct Decimal {
    std::string int_part;   // no leading zeros ("0" for zero)
    std::string frac_part;  // no trailing zeros
};

// |x| as its shortest round-tripping fixed-point expansion.
Decimal to_decimal(double x) {
    char buf[1100];
    const auto res = std::to_chars(buf, buf + sizeof buf, std::fabs(x), std::chars_format::fixed);
    if (res.ec != std::errc()) throw Error("json schema: cannot format number bound");
    const std::string s(buf, res.ptr);
    Decimal d;
    const size_t dot = s.find('.');
    d.int_part = s.substr(0, dot);
    if (dot != std::string::npos) d.frac_part = s.substr(dot + 1);
    while (!d.frac_part.empty() && d.frac_part.back() == '0') d.frac_part.pop_back();
    return d;
}

Int128 parse_int(const std::string& s) {
    Int128 v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

// Magnitudes "I.F" (at least one fraction digit) in [lo, hi]; hi nullopt = unbounded.
void magnitude_range(GrammarBuilder& b, RuleNamer& names, DigitRanges& dr, const Sequence& prefix,
                     double lo, std::optional<double> hi, std::vector<Sequence>& out) {
    const Decimal l = to_decimal(lo);
    const Element dot = GrammarBuilder::chars({{'.', '.'}});
    auto literal_int = [&](const std::string& s) {
        Sequence seq = prefix;
        for (char c : s) seq.push_back(digit(c));
        seq.push_back(dot);
        return seq;
    };
    const Sequence any_fraction = {any_digit(), GrammarBuilder::ref(dr.digit_star())};
    if (hi) {
        const Decimal h = to_decimal(*hi);
        if (l.int_part == h.int_part) {
            Sequence s = literal_int(l.int_part);
            s.push_back(GrammarBuilder::ref(dr.fraction_between(l.frac_part, h.frac_part)));
            out.push_back(std::move(s));
            return;
        }
    }
    {
        Sequence s = literal_int(l.int_part);
        const std::vector<uint32_t> ge = dr.fraction_ge(l.frac_part);
        if (l.frac_part.empty()) {
            s.insert(s.end(), any_fraction.begin(), any_fraction.end());
        } else {
            s.push_back(GrammarBuilder::ref(ge[0]));
        }
        out.push_back(std::move(s));
    }
    const Int128 mid_lo = parse_int(l.int_part) + 1;
    std::vector<Sequence> mids;
    if (!hi) {
        dr.unsigned_range({}, int128_to_string(mid_lo), std::nullopt, mids);
    } else {
        const Decimal h = to_decimal(*hi);
        const Int128 mid_hi = parse_int(h.int_part) - 1;
        if (mid_lo <= mid_hi) {
            dr.unsigned_range({}, int128_to_string(mid_lo), int128_to_string(mid_hi), mids);
        }
        Sequence s = literal_int(h.int_part);
        s.push_back(GrammarBuilder::ref(dr.fraction_le(h.frac_part)[0]));
        out.push_back(std::move(s));
    }
    if (!mids.empty()) {
        const uint32_t mid = b.add(names("int-part"), std::move(mids));
        Sequence s = prefix;
        s.push_back(GrammarBuilder::ref(mid));
        s.push_back(dot);
        s.insert(s.end(), any_fraction.begin(), any_fraction.end());
        out.push_back(std::move(s));
    }
}

}  // namespace

std::string int128_to_string(Int128 v) {
    if (v == 0) return "0";
    const bool neg = v < 0;
    std::string s;
    // Work with negative values so the most negative one does not overflow.
    if (!neg) v = -v;
    while (v != 0) {
        s.push_back(static_cast<char>('0' - static_cast<int>(v % 10)));
        v /= 10;
    }
    if (neg) s.push_back('-');
    std::reverse(s.begin(), s.end());
    return s;
}

std::vector<Sequence> integer_range(GrammarBuilder& b, RuleNamer& names, std::optional<Int128> lo,
                                    std::optional<Int128> hi) {
    std::vector<Sequence> out;
    if (lo && hi && *lo > *hi) return out;
    DigitRanges dr(b, names);
    if (!hi || *hi >= 0) {
        const Int128 from = lo ? std::max<Int128>(*lo, 0) : 0;
        std::optional<std::string> to;
        if (hi) to = int128_to_string(*hi);
        dr.unsigned_range({}, int128_to_string(from), to, out);
    }
    if (!lo || *lo < 0) {
        const Int128 from = hi && *hi < 0 ? -*hi : 1;
        std::optional<std::string> to;
        if (lo) to = int128_to_string(-*lo);
        dr.unsigned_range({GrammarBuilder::chars({{'-', '-'}})}, int128_to_string(from), to, out);
    }
    return out;
}

std::vector<Sequence> decimal_range(GrammarBuilder& b, RuleNamer& names, std::optional<double> lo,
                                    std::optional<double> hi) {
    std::vector<Sequence> out;
    if (lo && hi && *lo > *hi) return out;
    DigitRanges dr(b, names);
    if (!hi || *hi >= 0) {
        magnitude_range(b, names, dr, {}, lo ? std::max(*lo, 0.0) : 0.0, hi, out);
    }
    if (!lo || *lo < 0) {
        // "-0.0" is zero: harmless, since zero is inside [lo, hi] whenever hi >= 0.
        const double from = hi && *hi < 0 ? -*hi : 0.0;
        std::optional<double> to;
        if (lo) to = -*lo;
        magnitude_range(b, names, dr, {GrammarBuilder::chars({{'-', '-'}})}, from, to, out);
    }
    return out;
}

}  // namespace flash::grammar::detail
