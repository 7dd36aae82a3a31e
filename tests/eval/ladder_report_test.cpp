// The ladder's comparison and reports on a small hand-made result: flips and the paired
// difference come out of the samples, and both reports carry every level, the intervals and
// (HTML) one chart per suite plus the KL chart, with text escaped.
#include <gtest/gtest.h>

#include "core/error.h"
#include "eval/ladder.h"
#include "eval/ladder_report.h"
#include "eval/ladder_result.h"

namespace flash::eval {
namespace {

LevelResult level(const std::string& name, double bpw, const std::vector<bool>& right) {
    SuiteResult tools;
    tools.suite = "tools";
    tools.metric = "m";
    for (size_t i = 0; i < right.size(); ++i) {
        std::string id(1, 'c');  // built in steps: GCC 12 warns falsely on "c" + to_string()
        id += std::to_string(i);
        tools.samples.push_back({id, static_cast<bool>(right[i]), Json("out")});
    }
    LevelResult l;
    l.level = name;
    l.file = "models/x-" + name + ".gguf";
    l.bytes = 1000;
    l.sha256 = std::string(64, 'a');
    l.bits_per_weight = bpw;
    l.parameters = 500;
    l.tensor_types = {{"Q4_K", 3}};
    l.fidelity.kl_mean = name == "F16" ? 0.0 : 0.05;
    l.fidelity.kl_p99 = 0.2;
    l.fidelity.top1_agreement = 0.9;
    l.fidelity.ppl_reference = 20;
    l.fidelity.ppl = 21;  // ratio 1.05
    l.throughput.decode_tokens_per_s = 80;
    l.throughput.prefill_tokens_per_s = 300;
    l.peak_resident_bytes = 1 << 20;
    l.suites = {{"tools", SuiteScore::of(tools)}};
    l.settings.source = "x.gguf";
    l.settings.suites.tools_limit = 4;
    l.settings.fidelity_window = 128;
    return l;
}

LadderResult two_levels() {
    LadderResult r;
    r.model = "tiny <model>";
    r.baseline_level = "F16";
    r.settings = level("F16", 16, {}).settings;
    r.levels = {level("F16", 16, {true, true, false, false}),
                level("Q4_K_M", 4.9, {true, false, true, false})};
    return r;
}

TEST(LadderReport, ComparesWithTheBaselineAndWritesEveryLevel) {
    LadderResult r = two_levels();
    compare_with_baseline(r);
    const BaselineComparison* c = r.levels[1].comparison("tools");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->right_to_wrong, 1);
    EXPECT_EQ(c->wrong_to_right, 1);
    EXPECT_EQ(c->difference, 0.0);
    EXPECT_EQ(r.levels[0].comparison("tools")->right_to_wrong, 0);

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

TEST(LadderResult, JsonRoundTripsWithAndWithoutSamples) {
    LadderResult r = two_levels();
    r.settings.imatrix = LadderSettings::FileHash{"cal.imatrix", std::string(64, 'b')};
    r.command = "flash eval ladder -m x.gguf";
    compare_with_baseline(r);
    const Json full = to_json(r);
    const LadderResult back = ladder_from_json(full, "test");
    EXPECT_EQ(to_json(back), full);
    ASSERT_EQ(back.levels.size(), 2u);
    EXPECT_EQ(back.levels[1].suite("tools")->samples.size(), 4u);
    ASSERT_TRUE(back.settings.imatrix);
    EXPECT_EQ(back.settings.imatrix->file, "cal.imatrix");

    // ladder.json keeps the figures only: they read back, without samples.
    const LadderResult summary = ladder_from_json(to_json(r, false), "ladder.json");
    EXPECT_TRUE(summary.levels[1].suite("tools")->samples.empty());
    EXPECT_EQ(summary.levels[1].suite("tools")->hits, 2);
    EXPECT_EQ(ladder_markdown(summary), ladder_markdown(r));
}

TEST(LadderResult, AMissingOrMistypedKeyIsNamed) {
    Json j = to_json(two_levels().levels[0]);
    j["fidelity"].erase("kl_p99");
    try {
        level_from_json(j, "levels/F16.json");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(
            std::string(e.what()).find("levels/F16.json: level F16: fidelity: 'kl_p99' is missing"),
            std::string::npos)
            << e.what();
    }
    j = to_json(two_levels().levels[0]);
    j["bytes"] = "many";
    try {
        level_from_json(j, "levels/F16.json");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("'bytes' has the wrong type (string)"),
                  std::string::npos)
            << e.what();
    }
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
