#include "cli/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "cli/common.h"

namespace flash::cli {

ProgressLine::ProgressLine(std::string label, Unit unit, std::string unit_name, bool quiet)
    : label_(std::move(label)),
      unit_(unit),
      unit_name_(std::move(unit_name)),
      enabled_(!quiet && isatty(STDERR_FILENO) != 0) {}

ProgressLine::~ProgressLine() {
    clear();
}

std::string ProgressLine::duration_text(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

void ProgressLine::update(double done, double total, const std::string& detail) {
    if (!enabled_) return;
    const auto now = Clock::now();
    const bool finished = total > 0 && done >= total;
    if (!finished && drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0.2 ? done / elapsed : 0;
    std::string line = label_ + "  ";
    if (unit_ == Unit::Bytes)
        line += human_bytes(done) + (total > 0 ? " / " + human_bytes(total) : "");
    else
        line += std::to_string(static_cast<long long>(done)) +
                (total > 0 ? "/" + std::to_string(static_cast<long long>(total)) : "");
    char buf[96];
    if (total > 0) {
        std::snprintf(buf, sizeof buf, " (%.0f%%)", 100.0 * done / total);
        line += buf;
    }
    if (rate > 0) {
        if (unit_ == Unit::Bytes) {
            line += "  " + human_bytes(rate) + "/s";
        } else {
            std::snprintf(buf, sizeof buf, "  %.*f %s/s", rate < 10 ? 1 : 0, rate,
                          unit_name_.empty() ? "items" : unit_name_.c_str());
            line += buf;
        }
        if (total > done) line += "  ETA " + duration_text((total - done) / rate);
    }
    if (!detail.empty()) line += "  " + detail;
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    drawn_ = true;
}

void ProgressLine::clear() {
    if (!drawn_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
}

}  // namespace flash::cli
