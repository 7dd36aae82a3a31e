// Exact digit-by-digit grammars for bounded JSON numbers (JSON Schema minimum/maximum): decimal
// integers in [lo, hi] and fixed-point decimals ("12.5", no exponent) in [lo, hi]. Built by
// comparing digit strings against the bounds, so every bound is enforced exactly, however
// large; no sampling, no approximation.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "grammar/expr.h"
#include "grammar/grammar.h"

namespace flash::grammar::detail {

using Int128 = __int128;

// Decimal integers without leading zeros and without "-0", value in [lo, hi] (nullopt: no
// bound). Returns alternatives; empty when no integer qualifies.
std::vector<Sequence> integer_range(GrammarBuilder& b, RuleNamer& names, std::optional<Int128> lo,
                                    std::optional<Int128> hi);

// Numbers written with a fraction part and no exponent ("0.5", "-12.250"), value in [lo, hi]
// (nullopt: no bound). The bounds are finite doubles; their exact decimal expansions (the
// shortest ones that read back as the same double) are compared, digit by digit.
std::vector<Sequence> decimal_range(GrammarBuilder& b, RuleNamer& names, std::optional<double> lo,
                                    std::optional<double> hi);

std::string int128_to_string(Int128 v);

}  // namespace flash::grammar::detail
