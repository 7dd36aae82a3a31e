// Two ladders side by side: samples pair up by id at each shared level, grounded answers split
// into answerable and unanswerable and tool calls into their categories, the counts and the
// paired difference come out of the samples, and ladders whose suites differ are refused.
// Also the ladder's files read back with their samples, and malformed ones named.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "core/text_file.h"
#include "eval/ladder_compare.h"

namespace flash::eval {
namespace {

namespace fs = std::filesystem;

SuiteScore suite(const std::vector<Sample>& samples) {
    SuiteResult r;
    r.metric = "m";
    r.samples = samples;
    return SuiteScore::of(r);
}

Sample grounded(const std::string& id, bool answerable, bool right) {
    return {id, right, Json{{"answerable", answerable}}};
}

LevelResult level(const std::string& name, const std::vector<Sample>& tools,
                  const std::vector<Sample>& grounded_samples) {
    LevelResult l;
    l.level = name;
    l.bits_per_weight = name == "F16" ? 16 : 4.5;
    l.fidelity.kl_mean = name == "F16" ? 0 : 0.04;
    l.suites = {{"tools", suite(tools)}, {"grounded", suite(grounded_samples)}};
    l.settings.source = "m.gguf";
    l.settings.suites.tools_limit = 4;
    return l;
}

LadderResult ladder(const std::string& model, std::vector<LevelResult> levels) {
    LadderResult r;
    r.model = model;
    r.baseline_level = "F16";
    r.settings = levels.front().settings;
    r.levels = std::move(levels);
    return r;
}

const MeasureComparison& measure(const LevelComparison& l, const std::string& suite,
                                 const std::string& name) {
    for (const auto& m : l.measures)
        if (m.suite == suite && m.measure == name) return m;
    throw Error("no measure " + suite + "/" + name);
}

TEST(LadderCompare, PairsSamplesByIdAndSplitsTheSuites) {
    const LadderResult base = ladder(
        "base",
        {level("F16", {{"simple_1", false, {}}, {"simple_2", true, {}}, {"parallel_1", false, {}}},
               {grounded("g1", true, false), grounded("g2", true, false),
                grounded("g3", false, true)}),
         level("Q2_K", {{"simple_1", false, {}}}, {grounded("g1", true, false)})});
    // The tuned ladder lists its samples in another order, has one the base lacks (x_9), and
    // lacks the base's Q2_K level while adding Q4_0.
    const LadderResult tuned =
        ladder("tuned", {level("F16",
                               {{"parallel_1", true, {}},
                                {"simple_2", true, {}},
                                {"simple_1", true, {}},
                                {"x_9", true, {}}},
                               {grounded("g3", false, false), grounded("g2", true, true),
                                grounded("g1", true, true)}),
                         level("Q4_0", {{"simple_1", true, {}}}, {grounded("g1", true, true)})});
    const LadderComparison c = compare_ladders(base, tuned);
    ASSERT_EQ(c.levels.size(), 1u);
    EXPECT_EQ(c.levels[0].level, "F16");
    EXPECT_EQ(c.unmatched_levels, (std::vector<std::string>{"Q2_K (base)", "Q4_0 (fine-tuned)"}));

    const auto& tools = measure(c.levels[0], "tools", "all");
    EXPECT_EQ(tools.n, 3);  // x_9 has no partner
    EXPECT_EQ(tools.base_hits, 1);
    EXPECT_EQ(tools.tuned_hits, 3);
    EXPECT_EQ(tools.paired.wrong_to_right, 2);
    EXPECT_EQ(tools.paired.right_to_wrong, 0);
    EXPECT_NEAR(tools.paired.difference, 2.0 / 3.0, 1e-12);
    EXPECT_EQ(measure(c.levels[0], "tools", "simple").n, 2);
    EXPECT_EQ(measure(c.levels[0], "tools", "parallel").tuned_hits, 1);

    const auto& answerable = measure(c.levels[0], "grounded", "answerable");
    EXPECT_EQ(answerable.n, 2);
    EXPECT_EQ(answerable.base_hits, 0);
    EXPECT_EQ(answerable.tuned_hits, 2);
    const auto& unanswerable = measure(c.levels[0], "grounded", "unanswerable");
    EXPECT_EQ(unanswerable.n, 1);
    EXPECT_EQ(unanswerable.paired.right_to_wrong, 1);
    EXPECT_LT(unanswerable.paired.difference, 0);
    EXPECT_LE(answerable.tuned_ci.low, 1.0);
    EXPECT_GT(answerable.tuned_ci.low, answerable.base_ci.low);

    const std::string md = comparison_markdown(c, "curves here");
    EXPECT_NE(md.find("Grounded, unanswerable: abstained | F16 | 100.0% (1/1)"), std::string::npos)
        << md;
    EXPECT_NE(md.find("Q4_0 (fine-tuned)"), std::string::npos);
    EXPECT_NE(md.find("curves here"), std::string::npos);
    const std::string html = comparison_html(c, "<svg id=\"curves\"></svg>");
    EXPECT_NE(html.find("<svg id=\"curves\">"), std::string::npos);
    EXPECT_EQ(to_json(c)["levels"][0]["measures"].size(), c.levels[0].measures.size());
}

TEST(LadderCompare, RefusesLaddersWhoseSuitesDiffer) {
    const LadderResult base = ladder("b", {level("F16", {{"simple_1", true, {}}}, {})});
    LadderResult tuned = base;
    tuned.settings.suites.instruct_enforce = false;
    try {
        compare_ladders(base, tuned);
        FAIL() << "compared ladders with different suite settings";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("different settings"), std::string::npos);
    }
    LadderResult other = base;
    other.levels[0].level = "Q8_0";
    EXPECT_THROW(compare_ladders(base, other), Error);  // no level in common
}

class LadderOutputs : public ::testing::Test {
  protected:
    fs::path dir =
        fs::temp_directory_path() /
        ("flash-compare-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    void SetUp() override { fs::create_directories(dir); }
    void TearDown() override { fs::remove_all(dir); }
    void write(const std::string& name, const std::string& text) {
        write_text_file((dir / name).string(), text);
    }
};

TEST_F(LadderOutputs, ReadBackWithTheirSamples) {
    const LadderResult r =
        ladder("m", {level("F16", {{"simple_1", true, {}}, {"simple_2", false, {}}},
                           {grounded("g1", false, true)})});
    write("ladder.json", to_json(r, /*with_samples=*/false).dump());
    write("samples.jsonl",
          "{\"level\":\"F16\",\"suite\":\"tools\",\"id\":\"simple_1\",\"right\":true}\n"
          "{\"level\":\"F16\",\"suite\":\"tools\",\"id\":\"simple_2\",\"right\":false}\n\n"
          "{\"level\":\"F16\",\"suite\":\"grounded\",\"id\":\"g1\",\"right\":true,"
          "\"detail\":{\"answerable\":false}}\n");
    const LadderResult back = read_ladder_outputs(dir.string());
    ASSERT_EQ(back.levels.size(), 1u);
    ASSERT_NE(back.levels[0].suite("tools"), nullptr);
    EXPECT_EQ(back.levels[0].suite("tools")->samples.size(), 2u);
    const LadderComparison c = compare_ladders(back, back);
    EXPECT_EQ(measure(c.levels[0], "grounded", "unanswerable").base_hits, 1);
}

TEST_F(LadderOutputs, MalformedFilesAreNamedWithTheLine) {
    EXPECT_THROW(read_ladder_outputs(dir.string()), Error);  // no ladder.json
    const LadderResult r = ladder("m", {level("F16", {{"simple_1", true, {}}}, {})});
    write("ladder.json", to_json(r, false).dump());
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"{\"level\":\"F16\",\"suite\":\"tools\",\"id\":\"simple_1\"}\n", ":1: a sample needs"},
        {"\n{not json\n", ":2: not valid JSON"},
        {"{\"level\":\"Q9\",\"suite\":\"tools\",\"id\":\"a\",\"right\":true}\n", "level \"Q9\""},
        {"{\"level\":\"F16\",\"suite\":\"x\",\"id\":\"a\",\"right\":true}\n", "suite \"x\""}};
    for (const auto& [text, expected] : bad) {
        write("samples.jsonl", text);
        try {
            read_ladder_outputs(dir.string());
            ADD_FAILURE() << "accepted " << text;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace flash::eval
