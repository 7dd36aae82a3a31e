#include "cli/option_checks.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "core/json_input.h"

namespace flash::cli {
namespace {

std::string number_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.15g", v);
    return buf;
}

}  // namespace

CLI::Validator in_range(ValueRange range, bool integer) {
    const std::string shown = "[" + number_text(range.lo) + ", " + number_text(range.hi) + "]";
    return CLI::Validator(
        [range, integer, shown](std::string& text) -> std::string {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            const std::string quoted = "'" + excerpt(text, 40) + "'";
            if (text.empty() || end != text.c_str() + text.size())
                return quoted + " is not a number";
            if (!std::isfinite(v)) return quoted + " is not a finite number";
            if (integer && v != std::floor(v)) return quoted + " is not a whole number";
            if (v < range.lo || v > range.hi) return quoted + " is outside the range " + shown;
            return {};
        },
        shown);  // --help shows "INT:[lo, hi]"
}

}  // namespace flash::cli
