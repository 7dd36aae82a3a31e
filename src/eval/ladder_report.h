// The ladder's reports from its results: Markdown (tables) and a self-contained HTML page
// with the same tables and SVG charts of each suite's score (with its 95% interval) and of KL
// divergence against bits per weight. Depends on eval/ladder_result.h.
#pragma once

#include <string>
#include <vector>

#include "eval/ladder_result.h"

namespace flash::eval {

std::string ladder_markdown(const LadderResult& results);
std::string ladder_html(const LadderResult& results);

// One chart: points (x, y, [low, high] interval, label) on linear axes, as an <svg> element.
struct ChartPoint {
    double x = 0, y = 0, low = 0, high = 0;
    std::string label;
};
std::string svg_chart(const std::string& title, const std::string& x_label,
                      const std::string& y_label, const std::vector<ChartPoint>& points,
                      bool y_is_share);

}  // namespace flash::eval
