// Small text-file helpers shared by the layers that read inputs and write reports and datasets.
#pragma once

#include <string>

namespace flash {

// Writes `text` to `path` through `path + ".part"` and a rename, so the file is either whole
// or absent (an interrupted run leaves no half-written report). Throws flash::Error.
void write_text_file(const std::string& path, const std::string& text);

// The whole file; flash::Error "WHAT PATH: cannot open" when it cannot be opened.
std::string read_text_file(const std::string& path, const std::string& what);

// One number through a printf format ("%.2f", "%+.1f pts"), for tables in reports.
std::string format_number(const char* format, double value);

}  // namespace flash
