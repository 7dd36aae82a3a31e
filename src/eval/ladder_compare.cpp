#include "eval/ladder_compare.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/error.h"
#include "core/text_file.h"
#include "eval/report_table.h"

namespace flash::eval {
namespace {

namespace fs = std::filesystem;

Json parse_file(const fs::path& path, const std::string& text, const std::string& where) {
    try {
        return Json::parse(text);
    } catch (const std::exception& e) {
        throw Error(path.string() + where + ": not valid JSON (" + e.what() + ")");
    }
}

// The measures a sample counts in: its suite's outcome, and the part of the suite it belongs to.
std::vector<std::string> measures_of(const std::string& suite, const Sample& x) {
    std::vector<std::string> m{"all"};
    if (suite == "grounded" && x.detail.is_object() && x.detail.contains("answerable"))
        m.push_back(x.detail.value("answerable", false) ? "answerable" : "unanswerable");
    if (suite == "tools") {
        const size_t cut = x.id.find('_');
        if (cut != std::string::npos && cut > 0) m.push_back(x.id.substr(0, cut));
    }
    return m;
}

const char* measure_title(const std::string& suite, const std::string& measure) {
    if (measure == "all") {
        if (suite == "tools") return "Tool calling: calls fully right";
        if (suite == "grounded") return "Grounded: answered right or rightly abstained";
        if (suite == "instruct") return "Instruction following: every instruction followed";
        return "all";
    }
    if (measure == "answerable") return "Grounded, answerable: answered right";
    if (measure == "unanswerable") return "Grounded, unanswerable: abstained";
    return nullptr;
}

std::string title(const MeasureComparison& m) {
    if (const char* t = measure_title(m.suite, m.measure)) return t;
    std::string t = "Tool calling, ";  // in steps: GCC 12 warns falsely on "literal" + string
    t += m.measure;
    t += ": calls fully right";
    return t;
}

std::vector<MeasureComparison> compare_suite(const std::string& suite, const SuiteScore& base,
                                             const SuiteScore& tuned) {
    std::map<std::string, bool> tuned_right;
    for (const Sample& x : tuned.samples) tuned_right[x.id] = x.right;
    std::vector<std::string> order;  // measures in first-seen order
    std::map<std::string, std::pair<std::vector<bool>, std::vector<bool>>> outcomes;
    for (const Sample& x : base.samples) {
        const auto it = tuned_right.find(x.id);
        if (it == tuned_right.end()) continue;
        for (const std::string& m : measures_of(suite, x)) {
            if (!outcomes.count(m)) order.push_back(m);
            outcomes[m].first.push_back(x.right);
            outcomes[m].second.push_back(it->second);
        }
    }
    std::vector<MeasureComparison> out;
    for (const std::string& m : order) {
        const auto& [was, now] = outcomes[m];
        MeasureComparison c{suite, m, 0, 0, static_cast<int64_t>(was.size()), {}, {}, {}};
        for (size_t i = 0; i < was.size(); ++i) c.base_hits += was[i], c.tuned_hits += now[i];
        c.base_ci = wilson_interval(c.base_hits, c.n);
        c.tuned_ci = wilson_interval(c.tuned_hits, c.n);
        c.paired = paired_comparison(was, now);
        out.push_back(std::move(c));
    }
    return out;
}

const LevelResult* find_level(const LadderResult& r, const std::string& level) {
    for (const LevelResult& l : r.levels)
        if (l.level == level) return &l;
    return nullptr;
}

Table comparison_table(const LadderComparison& c) {
    Table t{{"measure", "level", "base [95% CI]", "fine-tuned [95% CI]",
             "Δ [95% CI], right→wrong / wrong→right", "intervals"},
            {}};
    // Grouped by measure, so that one measure's levels read down one block.
    std::vector<std::pair<std::string, std::string>> measures;
    for (const LevelComparison& l : c.levels)
        for (const MeasureComparison& m : l.measures)
            if (std::find(measures.begin(), measures.end(), std::pair{m.suite, m.measure}) ==
                measures.end())
                measures.emplace_back(m.suite, m.measure);
    for (const auto& [suite, measure] : measures)
        for (const LevelComparison& l : c.levels)
            for (const MeasureComparison& m : l.measures) {
                if (m.suite != suite || m.measure != measure) continue;
                const bool apart_up = m.tuned_ci.low > m.base_ci.high;
                const bool apart_down = m.tuned_ci.high < m.base_ci.low;
                t.rows.push_back({title(m), l.level,
                                  score_with_interval(m.base_hits, m.n, m.base_ci),
                                  score_with_interval(m.tuned_hits, m.n, m.tuned_ci),
                                  paired_difference(m.paired),
                                  apart_up     ? "apart: better"
                                  : apart_down ? "apart: worse"
                                               : "overlap"});
            }
    return t;
}

Table level_table(const LadderComparison& c) {
    Table t{{"level", "bits/weight base / fine-tuned",
             "KL mean base / fine-tuned (each from its own baseline)"},
            {}};
    for (const LevelComparison& l : c.levels)
        t.rows.push_back({l.level,
                          format_number("%.2f", l.base_bits_per_weight) + " / " +
                              format_number("%.2f", l.tuned_bits_per_weight),
                          format_number("%.4f", l.base_kl_mean) + " / " +
                              format_number("%.4f", l.tuned_kl_mean)});
    return t;
}

std::string settings_summary(const LadderComparison& c) {
    const SuitesOptions& s = c.base_settings.suites;
    std::string out;
    out += "- Base: `" + c.base_settings.source + "` (sha256 `" + c.base_settings.source_sha256 +
           "`)\n";
    out += "- Fine-tuned: `" + c.tuned_settings.source + "` (sha256 `" +
           c.tuned_settings.source_sha256 + "`)\n";
    out += "- Suites (the same for both): tools " + std::to_string(s.tools_limit) +
           " cases (tool_choice required, grammar on), grounded " +
           std::to_string(s.grounded_limit) + " questions (verification on), instruct " +
           std::to_string(s.instruct_limit) + " prompts (enforcement " +
           (s.instruct_enforce ? "on, " + std::to_string(s.instruct_retries) + " retries)"
                               : std::string("off)")) +
           "; 0 means all; greedy\n";
    if (!c.unmatched_levels.empty()) {
        out += "- Measured by one ladder only, left out:";
        for (const auto& l : c.unmatched_levels) out += " " + l;
        out += "\n";
    }
    return out;
}

const char* kExplain =
    "Each row pairs the two models on the same samples at one quantization level. Scores are "
    "right/wrong outcomes with Wilson 95% intervals; Δ is fine-tuned minus base in percentage "
    "points with a paired bootstrap 95% interval (2000 resamples), then how many samples went "
    "right→wrong and wrong→right. \"apart\" means the two Wilson intervals do not overlap (the "
    "strict reading); a Δ interval that excludes 0 is the paired test, more sensitive because "
    "each sample's difficulty cancels.";

}  // namespace

LadderResult read_ladder_outputs(const std::string& dir) {
    const fs::path root(dir), figures = root / "ladder.json", samples = root / "samples.jsonl";
    if (!fs::exists(figures))
        throw Error(dir + ": no ladder.json — is this a `flash eval ladder --out` directory?");
    LadderResult r = ladder_from_json(
        parse_file(figures, read_text_file(figures.string(), "ladder results"), ""),
        figures.string());
    std::ifstream in(samples);
    if (!in) throw Error("ladder samples " + samples.string() + ": cannot open");
    std::string line;
    for (int line_no = 1; std::getline(in, line); ++line_no) {
        if (line.empty()) continue;
        std::string where = ":";  // in steps: GCC 12 warns falsely on "literal" + to_string()
        where += std::to_string(line_no);
        const Json j = parse_file(samples, line, where);
        if (!j.is_object() || !j.contains("level") || !j.contains("suite") || !j.contains("id") ||
            !j.contains("right") || !j["right"].is_boolean() || !j["level"].is_string() ||
            !j["suite"].is_string() || !j["id"].is_string())
            throw Error(samples.string() + where +
                        ": a sample needs level, suite and id (strings) and right (true/false)");
        LevelResult* level = nullptr;
        for (LevelResult& l : r.levels)
            if (l.level == j["level"].get<std::string>()) level = &l;
        if (!level)
            throw Error(samples.string() + where + ": level " + j["level"].dump() +
                        " is not in ladder.json");
        SuiteScore* suite = nullptr;
        for (auto& [name, s] : level->suites)
            if (name == j["suite"].get<std::string>()) suite = &s;
        if (!suite)
            throw Error(samples.string() + where + ": suite " + j["suite"].dump() + " of level " +
                        level->level + " is not in ladder.json");
        suite->samples.push_back(
            {j["id"].get<std::string>(), j["right"].get<bool>(), j.value("detail", Json())});
    }
    return r;
}

LadderComparison compare_ladders(const LadderResult& base, const LadderResult& tuned) {
    const Json a = suites_settings(base.settings.suites),
               b = suites_settings(tuned.settings.suites);
    if (a != b)
        throw Error(
            "the two ladders ran their suites with different settings, so their samples "
            "differ — base: " +
            a.dump() + "; fine-tuned: " + b.dump() +
            " — run both with the same --limit, --*-limit, --suites and --no-enforce");
    LadderComparison c;
    c.base_model = base.model;
    c.tuned_model = tuned.model;
    c.base_settings = base.settings;
    c.tuned_settings = tuned.settings;
    for (const LevelResult& l : base.levels) {
        const LevelResult* t = find_level(tuned, l.level);
        if (!t) {
            c.unmatched_levels.push_back(l.level + " (base)");
            continue;
        }
        LevelComparison lc{
            l.level, l.bits_per_weight, t->bits_per_weight, l.fidelity.kl_mean, t->fidelity.kl_mean,
            {}};
        for (const auto& [suite, s] : l.suites)
            if (const SuiteScore* other = t->suite(suite))
                for (auto& m : compare_suite(suite, s, *other)) lc.measures.push_back(std::move(m));
        c.levels.push_back(std::move(lc));
    }
    for (const LevelResult& l : tuned.levels)
        if (!find_level(base, l.level)) c.unmatched_levels.push_back(l.level + " (fine-tuned)");
    if (c.levels.empty())
        throw Error("the two ladders share no level (base: " + std::to_string(base.levels.size()) +
                    " levels, fine-tuned: " + std::to_string(tuned.levels.size()) + ")");
    return c;
}

Json to_json(const LadderComparison& c) {
    auto interval = [](const Interval& i) { return Json::array({i.low, i.high}); };
    Json levels = Json::array();
    for (const LevelComparison& l : c.levels) {
        Json measures = Json::array();
        for (const MeasureComparison& m : l.measures)
            measures.push_back(Json{{"suite", m.suite},
                                    {"measure", m.measure},
                                    {"n", m.n},
                                    {"base_hits", m.base_hits},
                                    {"tuned_hits", m.tuned_hits},
                                    {"base_ci95", interval(m.base_ci)},
                                    {"tuned_ci95", interval(m.tuned_ci)},
                                    {"difference", m.paired.difference},
                                    {"difference_ci95", interval(m.paired.ci)},
                                    {"right_to_wrong", m.paired.right_to_wrong},
                                    {"wrong_to_right", m.paired.wrong_to_right}});
        levels.push_back(Json{{"level", l.level},
                              {"base_bits_per_weight", l.base_bits_per_weight},
                              {"tuned_bits_per_weight", l.tuned_bits_per_weight},
                              {"base_kl_mean", l.base_kl_mean},
                              {"tuned_kl_mean", l.tuned_kl_mean},
                              {"measures", measures}});
    }
    return Json{{"base", {{"model", c.base_model}, {"settings", to_json(c.base_settings)}}},
                {"tuned", {{"model", c.tuned_model}, {"settings", to_json(c.tuned_settings)}}},
                {"levels", levels},
                {"unmatched_levels", c.unmatched_levels}};
}

std::string comparison_markdown(const LadderComparison& c, const std::string& curves_note) {
    std::string s = "# " + c.tuned_model + " against " + c.base_model + "\n\n";
    s += settings_summary(c) + "\n";
    s += "## Capability, level by level\n\n" + markdown_table(comparison_table(c)) + "\n" +
         kExplain + "\n\n";
    s += "## Levels\n\n" + markdown_table(level_table(c)) + "\n";
    if (!curves_note.empty()) s += "## Training\n\n" + curves_note + "\n";
    return s;
}

std::string comparison_html(const LadderComparison& c, const std::string& curves_svg) {
    const std::string heading = c.tuned_model + " against " + c.base_model;
    std::string s = html_page_start(heading) + "<h1>" + html_escape(heading) + "</h1>";
    s += html_list_of_markdown_lines(settings_summary(c));
    s += "<h2>Capability, level by level</h2>" + html_table(comparison_table(c)) + "<p>" +
         html_escape(kExplain) + "</p>";
    s += "<h2>Levels</h2>" + html_table(level_table(c));
    if (!curves_svg.empty()) s += "<h2>Training</h2>" + curves_svg;
    return s + "</body></html>\n";
}

}  // namespace flash::eval
