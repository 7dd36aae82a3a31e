#include "eval/ladder_report.h"

#include <algorithm>
#include <cmath>
#include <vector>
#include "core/text_file.h"
#include "eval/report_table.h"

namespace flash::eval {
namespace {

std::string mib(double bytes) {
    return format_number("%.1f MiB", bytes / (1024.0 * 1024.0));
}

const char* suite_title(const std::string& s) {
    if (s == "tools") return "Tool calling";
    if (s == "grounded") return "Grounded answers";
    if (s == "instruct") return "Instruction following";
    return "Suite";
}

Table cost_table(const LadderResult& r) {
    Table t{{"level", "file", "bits/weight", "decode tok/s", "prefill tok/s", "peak memory",
             "KL mean", "KL p99", "top-1 agree", "PPL ratio"},
            {}};
    for (const LevelResult& l : r.levels) {
        const Fidelity& f = l.fidelity;
        t.rows.push_back({l.level, mib(static_cast<double>(l.bytes)),
                          format_number("%.2f", l.bits_per_weight),
                          format_number("%.1f", l.throughput.decode_tokens_per_s),
                          format_number("%.0f", l.throughput.prefill_tokens_per_s),
                          mib(static_cast<double>(l.peak_resident_bytes)),
                          format_number("%.4f", f.kl_mean), format_number("%.4f", f.kl_p99),
                          percent(f.top1_agreement), format_number("%.3f", f.ppl_ratio())});
    }
    return t;
}

Table score_table(const LadderResult& r) {
    Table t{{"level", "bits/weight"}, {}};
    const auto suites = r.suite_names();
    for (const auto& s : suites) {
        t.head.push_back(std::string(suite_title(s)) + " [95% CI]");
        t.head.push_back("vs baseline: Δ [95% CI], right→wrong / wrong→right");
    }
    for (const LevelResult& l : r.levels) {
        std::vector<std::string> row{l.level, format_number("%.2f", l.bits_per_weight)};
        for (const auto& s : suites) {
            const SuiteScore* x = l.suite(s);
            if (!x) {
                row.push_back("–");
                row.push_back("–");
                continue;
            }
            row.push_back(score_with_interval(x->hits, x->n, x->ci95));
            const BaselineComparison* c = l.comparison(s);
            if (l.level == r.baseline_level) {
                row.push_back("baseline");
            } else if (!c) {
                row.push_back("–");
            } else {
                row.push_back(paired_difference(*c));
            }
        }
        t.rows.push_back(row);
    }
    return t;
}

Table file_table(const LadderResult& r) {
    Table t{{"level", "bytes", "sha256", "tensor types (matrices)"}, {}};
    for (const LevelResult& l : r.levels) {
        std::string types;
        for (const auto& [type, n] : l.tensor_types)
            types += (types.empty() ? "" : ", ") + std::to_string(n) + " " + type;
        t.rows.push_back({l.level, std::to_string(l.bytes), l.sha256, types});
    }
    return t;
}

std::string settings_lines(const LadderResult& r) {
    const LadderSettings& st = r.settings;
    std::string s;
    s += "- Source: `" + st.source + "` (sha256 `" + st.source_sha256 + "`), weights " +
         r.source_weights + "\n";
    s += "- Baseline: " + r.baseline_level + " (`" + r.baseline_file + "`)\n";
    if (!r.baseline_note.empty()) s += "- " + r.baseline_note + "\n";
    if (st.imatrix)
        s += "- Importance matrix: `" + st.imatrix->file + "` (sha256 `" + st.imatrix->sha256 +
             "`) for every quantized level\n";
    else
        s += "- Importance matrix: none (llama.cpp's reference quantizers)\n";
    s += "- Chat template: " + st.chat_template + "; precision " + st.precision + "; threads " +
         std::to_string(st.threads) + " (0: all cores)\n";
    const SuitesOptions& su = st.suites;
    s += "- Sampling: " + suites_settings(su).value("sampling", "") + "\n";
    s += "- Tool calling: " + std::to_string(su.tools_limit) +
         " cases spread over simple/multiple/parallel (0: all), tool_choice required, grammar on, "
         "max " +
         std::to_string(su.tool_max_tokens) + " tokens\n";
    s += "- Grounded answers: " + std::to_string(su.grounded_limit) +
         " questions (0: all), verification on, max " + std::to_string(su.grounded_max_tokens) +
         " tokens\n";
    s +=
        "- Instruction following: " + std::to_string(su.instruct_limit) + " prompts (0: all), " +
        (su.instruct_enforce ? "enforcement on, " + std::to_string(su.instruct_retries) + " retries"
                             : std::string("enforcement off")) +
        ", max " + std::to_string(su.instruct_max_tokens) + " tokens\n";
    s += "- Fidelity: KL(baseline ‖ level) per position over " +
         std::to_string(st.fidelity_max_tokens) + " tokens of `" + st.fidelity_corpus +
         "` in windows of " + std::to_string(st.fidelity_window) + ", each from an empty cache\n";
    return s;
}

const char* kExplain =
    "Scores are per-sample right/wrong outcomes with Wilson 95% intervals. \"vs baseline\" pairs "
    "each level's outcomes with the baseline's on the same samples: Δ is the accuracy "
    "difference in percentage points with a paired bootstrap 95% interval (2000 resamples), "
    "then how many samples went right→wrong and wrong→right. An interval that spans 0 means "
    "the suite cannot tell the level from the baseline at this sample size. Throughput: a "
    "128-token prompt, then 64 greedy tokens. Peak memory: the process's peak resident set "
    "while the level's suites ran (weights are memory-mapped, so touched pages count).";

}  // namespace

std::string svg_chart(const std::string& title, const std::string& x_label,
                      const std::string& y_label, const std::vector<ChartPoint>& points,
                      bool y_is_share) {
    const double W = 520, H = 300, L = 60, R = 20, T = 30, B = 45;
    double x0 = 1e300, x1 = -1e300, y0 = y_is_share ? 0 : 1e300, y1 = y_is_share ? 1 : -1e300;
    for (const auto& p : points) {
        x0 = std::min(x0, p.x), x1 = std::max(x1, p.x);
        if (!y_is_share) y0 = std::min(y0, p.low), y1 = std::max(y1, p.high);
    }
    if (points.empty()) x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    if (x1 - x0 < 1e-9) x0 -= 0.5, x1 += 0.5;
    if (y1 - y0 < 1e-12) y1 = y0 + 1;
    const double pad = (x1 - x0) * 0.06;
    x0 -= pad, x1 += pad;
    auto X = [&](double x) { return L + (x - x0) / (x1 - x0) * (W - L - R); };
    auto Y = [&](double y) { return H - B - (y - y0) / (y1 - y0) * (H - T - B); };
    std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
                    format_number("%.0f", W) + " " + format_number("%.0f", H) +
                    "\" role=\"img\" aria-label=\"" + html_escape(title) + "\">";
    s += "<text x=\"" + format_number("%.0f", W / 2) +
         "\" y=\"18\" text-anchor=\"middle\" class=\"t\">" + html_escape(title) + "</text>";
    for (int i = 0; i <= 4; ++i) {  // horizontal grid with labels
        const double v = y0 + (y1 - y0) * i / 4.0;
        s += "<line x1=\"" + format_number("%.1f", L) + "\" x2=\"" + format_number("%.1f", W - R) +
             "\" y1=\"" + format_number("%.1f", Y(v)) + "\" y2=\"" + format_number("%.1f", Y(v)) +
             "\" class=\"g\"/>";
        s += "<text x=\"" + format_number("%.1f", L - 6) + "\" y=\"" +
             format_number("%.1f", Y(v) + 4) + "\" text-anchor=\"end\">" +
             (y_is_share ? format_number("%.0f%%", 100 * v) : format_number("%.3g", v)) + "</text>";
    }
    for (int i = 0; i <= 4; ++i) {
        const double v = x0 + (x1 - x0) * i / 4.0;
        s += "<text x=\"" + format_number("%.1f", X(v)) + "\" y=\"" +
             format_number("%.1f", H - B + 16) + "\" text-anchor=\"middle\">" +
             format_number("%.1f", v) + "</text>";
    }
    s += "<text x=\"" + format_number("%.0f", (L + W - R) / 2) + "\" y=\"" +
         format_number("%.0f", H - 8) + "\" text-anchor=\"middle\">" + html_escape(x_label) +
         "</text>";
    s += "<text transform=\"rotate(-90)\" x=\"" + format_number("%.0f", -(T + H - B) / 2) +
         "\" y=\"14\" text-anchor=\"middle\">" + html_escape(y_label) + "</text>";
    std::vector<ChartPoint> sorted = points;
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.x < b.x; });
    std::string path;
    for (const auto& p : sorted)
        path += (path.empty() ? "M" : " L") + format_number("%.1f", X(p.x)) + "," +
                format_number("%.1f", Y(p.y));
    if (!path.empty()) s += "<path d=\"" + path + "\" class=\"l\"/>";
    for (const auto& p : sorted) {
        s += "<line x1=\"" + format_number("%.1f", X(p.x)) + "\" x2=\"" +
             format_number("%.1f", X(p.x)) + "\" y1=\"" + format_number("%.1f", Y(p.low)) +
             "\" y2=\"" + format_number("%.1f", Y(p.high)) + "\" class=\"e\"/>";
        s += "<circle cx=\"" + format_number("%.1f", X(p.x)) + "\" cy=\"" +
             format_number("%.1f", Y(p.y)) + "\" r=\"4\" class=\"p\"><title>" +
             html_escape(p.label) + "</title></circle>";
        s += "<text x=\"" + format_number("%.1f", X(p.x) + 5) + "\" y=\"" +
             format_number("%.1f", Y(p.y) - 7) + "\" class=\"pl\">" + html_escape(p.label) +
             "</text>";
    }
    return s + "</svg>";
}

std::string ladder_markdown(const LadderResult& r) {
    std::string s = "# Quantization ladder — " + r.model + "\n\n";
    if (!r.command.empty()) s += "Made with:\n\n```sh\n" + r.command + "\n```\n\n";
    s += settings_lines(r) + "\n";
    s += "## Capability\n\n" + markdown_table(score_table(r)) + "\n" + kExplain + "\n\n";
    s += "## Fidelity and cost\n\n" + markdown_table(cost_table(r)) + "\n";
    s +=
        "KL is in nats; PPL ratio is the level's perplexity on the corpus over the baseline's.\n\n";
    s += "## Files\n\n" + markdown_table(file_table(r)) + "\n";
    s += "Per-sample outcomes: `samples.jsonl` (one line per level, suite and sample); figures: "
         "`ladder.json`.\n";
    return s;
}

std::string ladder_html(const LadderResult& r) {
    std::string s = html_page_start("Quantization ladder — " + r.model);
    s += "<h1>Quantization ladder — " + html_escape(r.model) + "</h1>";
    if (!r.command.empty()) s += "<p>Made with: <code>" + html_escape(r.command) + "</code></p>";
    s += html_list_of_markdown_lines(settings_lines(r));
    s += "<h2>Capability</h2><div class=\"charts\">";
    for (const auto& suite : r.suite_names()) {
        std::vector<ChartPoint> pts;
        for (const LevelResult& l : r.levels)
            if (const SuiteScore* x = l.suite(suite))
                pts.push_back({l.bits_per_weight, x->accuracy, x->ci95.low, x->ci95.high, l.level});
        s += svg_chart(std::string(suite_title(suite)) + ": score vs bits per weight",
                       "bits per weight", "score (95% CI)", pts, true);
    }
    std::vector<ChartPoint> kl;
    for (const LevelResult& l : r.levels)
        kl.push_back({l.bits_per_weight, l.fidelity.kl_mean, l.fidelity.kl_mean, l.fidelity.kl_p99,
                      l.level});
    s += svg_chart("KL divergence from the baseline (mean; bar to p99)", "bits per weight",
                   "KL (nats)", kl, false);
    s += "</div>" + html_table(score_table(r)) + "<p>" + html_escape(kExplain) + "</p>";
    s += "<h2>Fidelity and cost</h2>" + html_table(cost_table(r));
    s += "<h2>Files</h2>" + html_table(file_table(r));
    s += "<p>Per-sample outcomes: samples.jsonl; figures: ladder.json.</p></body></html>\n";
    return s;
}

}  // namespace flash::eval
