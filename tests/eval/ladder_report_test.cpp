// The ladder's comparison and reports on a small hand-made result: flips and the paired
// difference come out of the samples, and both reports carry every level, the intervals and
// (HTML) one chart per suite plus the KL chart, with text escaped.
#include <gtest/gtest.h>

#include "eval/ladder.h"
#include "eval/ladder_report.h"

namespace flash::eval {
namespace {

Json level(const std::string& name, double bpw, const std::vector<bool>& right) {
    Json samples = Json::array();
    int hits = 0;
    for (size_t i = 0; i < right.size(); ++i) {
        std::string id(1, 'c');  // built in steps: GCC 12 warns falsely on "c" + to_string()
        id += std::to_string(i);
        samples.push_back({{"id", id}, {"right", static_cast<bool>(right[i])}});
        hits += right[i];
    }
    return Json{{"level", name},
                {"bytes", 1000},
                {"sha256", std::string(64, 'a')},
                {"bits_per_weight", bpw},
                {"tensor_types", {{"Q4_K", 3}}},
                {"fidelity",
                 {{"kl_mean", name == "F16" ? 0.0 : 0.05},
                  {"kl_p99", 0.2},
                  {"top1_agreement", 0.9},
                  {"ppl_ratio", 1.05}}},
                {"throughput", {{"decode_tokens_per_s", 80.0}, {"prefill_tokens_per_s", 300.0}}},
                {"peak_resident_bytes", 1 << 20},
                {"suites",
                 {{"tools",
                   {{"metric", "m"},
                    {"hits", hits},
                    {"n", right.size()},
                    {"accuracy", static_cast<double>(hits) / right.size()},
                    {"ci95", {0.1, 0.9}},
                    {"samples", samples}}}}}};
}

TEST(LadderReport, ComparesWithTheBaselineAndWritesEveryLevel) {
    Json r{
        {"model", "tiny <model>"},
        {"baseline_level", "F16"},
        {"settings",
         {{"source", "x.gguf"},
          {"suites",
           {{"tools", {{"limit", 4}}}, {"grounded", Json::object()}, {"instruct", Json::object()}}},
          {"fidelity", {{"window", 128}}}}},
        {"levels", Json::array({level("F16", 16, {true, true, false, false}),
                                level("Q4_K_M", 4.9, {true, false, true, false})})}};
    compare_with_baseline(r);
    const Json& c = r["levels"][1]["vs_baseline"]["tools"];
    EXPECT_EQ(c["right_to_wrong"], 1);
    EXPECT_EQ(c["wrong_to_right"], 1);
    EXPECT_EQ(c["difference"].get<double>(), 0.0);
    EXPECT_EQ(r["levels"][0]["vs_baseline"]["tools"]["right_to_wrong"], 0);

    const std::string md = ladder_markdown(r);
    EXPECT_NE(md.find("| Q4_K_M | 4.90 |"), std::string::npos) << md;
    EXPECT_NE(md.find("50.0% (2/4)"), std::string::npos);
    EXPECT_NE(md.find("baseline"), std::string::npos);
    EXPECT_NE(md.find("1 / 1"), std::string::npos);

    const std::string html = ladder_html(r);
    EXPECT_NE(html.find("tiny &lt;model&gt;"), std::string::npos);
    EXPECT_EQ(html.find("tiny <model>"), std::string::npos);
    size_t charts = 0;
    for (size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1))
        ++charts;
    EXPECT_EQ(charts, 2u);  // tools, KL
    EXPECT_NE(html.find("<circle"), std::string::npos);
}

TEST(LadderReport, ChartPlacesPointsInsideTheFrame) {
    const std::string svg =
        svg_chart("t", "x", "y", {{4, 0.5, 0.4, 0.6, "A"}, {8, 1.0, 0.9, 1.0, "B"}}, true);
    EXPECT_EQ(svg.rfind("<svg", 0), 0u);
    EXPECT_NE(svg.find(">A<"), std::string::npos);
    EXPECT_NE(svg.find("100%"), std::string::npos);
    EXPECT_NE(svg.find("<path d=\"M"), std::string::npos);
}

}  // namespace
}  // namespace flash::eval
