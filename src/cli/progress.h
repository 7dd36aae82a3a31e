// One progress line on stderr for work that takes more than a moment: done/total, percent,
// rate and time left, redrawn in place at most ten times a second. Drawn only when stderr is a
// terminal and -q was not given, so logs and pipes get the results and nothing else. Debian
// packages no C++ progress-bar library; this is the one shared component the commands use.
#pragma once

#include <chrono>
#include <string>

namespace flash::cli {

class ProgressLine {
  public:
    enum class Unit { Count, Bytes };

    // `label` starts every line ("quantize", "tools suite"); `unit_name` follows the rate for
    // counts ("cases/s").
    ProgressLine(std::string label, Unit unit = Unit::Count, std::string unit_name = "",
                 bool quiet = false);
    ~ProgressLine();
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

    // `done` of `total` (0: unknown); `detail` ends the line ("12 right", a tensor name).
    void update(double done, double total, const std::string& detail = "");
    // Clears the line (the results that follow start on a clean line).
    void clear();
    bool drawing() const { return enabled_; }

    // "1:05" or "1:02:03".
    static std::string duration_text(double seconds);

  private:
    using Clock = std::chrono::steady_clock;
    std::string label_;
    Unit unit_;
    std::string unit_name_;
    bool enabled_;
    bool drawn_ = false;
    Clock::time_point start_ = Clock::now();
    Clock::time_point last_{};
};

}  // namespace flash::cli
