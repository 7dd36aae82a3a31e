// `flash eval compare BASE TUNED`: two ladders (a base model and its fine-tune, run with the
// same suite settings) side by side, level by level, with the paired differences
// (eval/ladder_compare.h) and the fine-tune's loss curves when its run directory is given.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/error.h"
#include "core/text_file.h"
#include "eval/ladder_compare.h"

namespace flash::cli {
namespace {

namespace fs = std::filesystem;

struct CompareOptions {
    std::string base, tuned, out = "compare", run;
    std::vector<std::string> names;  // shown instead of the models' file names
};

// The <svg> element of RUN/loss.svg (or of the file given), for the HTML page.
std::string svg_element(const std::string& text, const std::string& path) {
    const size_t at = text.find("<svg");
    if (at == std::string::npos) throw Error(path + ": not an SVG file (no <svg> element)");
    return text.substr(at);
}

void eval_compare(const CompareOptions& o) {
    const eval::LadderResult base = eval::read_ladder_outputs(o.base);
    const eval::LadderResult tuned = eval::read_ladder_outputs(o.tuned);
    eval::LadderComparison c = eval::compare_ladders(base, tuned);
    if (o.names.size() == 2) c.base_model = o.names[0], c.tuned_model = o.names[1];
    fs::create_directories(o.out);
    std::string curves_svg, curves_note;
    if (!o.run.empty()) {
        const fs::path svg =
            fs::is_directory(o.run) ? fs::path(o.run) / "loss.svg" : fs::path(o.run);
        const std::string text = read_text_file(svg.string(), "loss curves");
        curves_svg = svg_element(text, svg.string());
        write_text_file((fs::path(o.out) / "loss.svg").string(), text);
        curves_note = "Loss per reply token on the training and valid splits (from `" +
                      svg.string() + "`):\n\n![loss curves](loss.svg)\n";
    }
    const fs::path out(o.out);
    write_text_file((out / "compare.json").string(), to_json(c).dump(1) + "\n");
    write_text_file((out / "compare.md").string(), eval::comparison_markdown(c, curves_note));
    write_text_file((out / "compare.html").string(), eval::comparison_html(c, curves_svg));
    for (const eval::LevelComparison& l : c.levels)
        for (const eval::MeasureComparison& m : l.measures)
            if (m.measure == "all")
                std::printf(
                    "%-7s %-9s base %5.1f%%  fine-tuned %5.1f%%  Δ %+5.1f pts [%+.1f, %+.1f]\n",
                    l.level.c_str(), m.suite.c_str(), m.n ? 100.0 * m.base_hits / m.n : 0.0,
                    m.n ? 100.0 * m.tuned_hits / m.n : 0.0, 100 * m.paired.difference,
                    100 * m.paired.ci.low, 100 * m.paired.ci.high);
    std::fprintf(stderr, "flash eval compare: wrote %s/compare.md, compare.html, compare.json\n",
                 o.out.c_str());
}

}  // namespace

void add_eval_compare_command(CLI::App& eval) {
    auto o = std::make_shared<CompareOptions>();
    CLI::App* cmd = eval.add_subcommand(
        "compare", "Two ladders side by side (a base model and its fine-tune), level by level");
    cmd->add_option("base", o->base, "The base model's ladder directory (flash eval ladder --out)")
        ->required()
        ->check(CLI::ExistingDirectory);
    cmd->add_option("tuned", o->tuned, "The fine-tuned model's ladder directory")
        ->required()
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--out", o->out, "Output directory")->capture_default_str();
    cmd->add_option("--run", o->run,
                    "The fine-tune's run directory (flash train --out) or its loss.svg, to show "
                    "the loss curves");
    cmd->add_option("--names", o->names, "Names for the two models in the reports: BASE,TUNED")
        ->delimiter(',')
        ->expected(2);
    cmd->footer(
        "Both ladders must have run their suites with the same settings (--limit, --suites,\n"
        "--no-enforce), so that the samples pair up. Writes OUT/compare.md, compare.html and\n"
        "compare.json.\n"
        "Example:\n"
        "  flash eval ladder base.gguf --levels F16,Q8_0,Q4_K_M,Q4_0 --limit 40 --out ladder-base\n"
        "  flash eval ladder run/model.gguf --levels F16,Q8_0,Q4_K_M,Q4_0 --limit 40 --out "
        "ladder-tuned\n"
        "  flash eval compare ladder-base ladder-tuned --run run --out compare");
    cmd->callback([o] { eval_compare(*o); });
}

}  // namespace flash::cli
