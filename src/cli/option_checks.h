// CLI11 validators for numeric flags: a value outside its range (or NaN, or infinite) is
// refused before anything runs, with CLI11's "--flag: ..." prefix naming the option and the
// message naming the value and the range. Ranges of sampling settings come from the one table
// in runtime/sampler.h that the server checks too.
#pragma once

#include <CLI/CLI.hpp>

#include "runtime/sampler.h"

namespace flash::cli {

// A finite number in [lo, hi]; with `integer`, also a whole number.
CLI::Validator in_range(ValueRange range, bool integer = false);

// Ranges of the engine's own settings, shared by every command that takes them.
namespace option_range {
inline constexpr ValueRange kThreads{0, 1024};  // 0: all cores
inline constexpr ValueRange kContext{1, 1 << 24};
inline constexpr ValueRange kBatch{1, 1 << 16};
inline constexpr ValueRange kPort{1, 65535};
}  // namespace option_range

}  // namespace flash::cli
