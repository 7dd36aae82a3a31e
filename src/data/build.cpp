#include "data/build.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/gguf.h"
#include "core/sha256.h"
#include "core/text_file.h"
#include "data/build_state.h"
#include "data/card.h"
#include "data/grounded_examples.h"
#include "data/instruct_examples.h"
#include "data/random.h"
#include "data/sources.h"
#include "data/tool_examples.h"

namespace flash::data {
namespace fs = std::filesystem;
namespace {

struct SizePlan {
    size_t documents = 0, functions = 0;  // 0: all
    int grounded_variants = 1, tool_variants = 1, instruct_variants = 1;
    bool machine_documents = true;
};

SizePlan plan_for(const std::string& size) {
    if (size == "small") return {12, 24, 1, 1, 2, false};
    if (size == "default") return {0, 0, 4, 6, 60, true};
    if (size == "large") return {0, 0, 8, 12, 100, true};
    throw Error("--size must be small, default or large, not '" + size + "'");
}

template <typename T>
std::vector<T> first(std::vector<T> items, size_t n) {
    if (n && items.size() > n) items.resize(n);
    return items;
}

// Up to `per_family` examples of each family, spread evenly over its examples: what the
// repository keeps to show the data without the whole of it.
std::string sample_of(const std::vector<Example>& all, size_t per_family) {
    std::string out;
    for (const char* family : {"grounded", "tools", "instruct"}) {
        std::vector<const Example*> of;
        for (const Example& e : all)
            if (e.family == family) of.push_back(&e);
        const size_t n = std::min(per_family, of.size());
        for (size_t i = 0; i < n; ++i) out += of[i * of.size() / n]->to_json().dump() + "\n";
    }
    return out;
}

}  // namespace

std::string split_of(const std::string& group) {
    const uint64_t h = Rng(0, group).next() % 100;
    return h < 90 ? "train" : h < 95 ? "valid" : "test";
}

namespace {

std::string count_line(const std::string& family, const Tally& t, const char* how) {
    return family + ": " + std::to_string(t.kept_in(family)) + " kept, " +
           std::to_string(t.rejected_in(family)) + " rejected" + how;
}

void add(Tally& into, const Tally& from) {
    for (const auto& [k, n] : from.kept) into.kept[k] += n;
    for (const auto& [k, n] : from.rejected) into.rejected[k] += n;
}

// A stage's examples from the state when an earlier run finished it, or built and saved.
// Built examples go through the state's form either way, so a resumed build and an
// uninterrupted one continue from the same values.
void run_stage(const std::string& family, BuildState& state, std::vector<Example>& all,
               Tally& tally, const std::function<std::vector<Example>(Tally&)>& make,
               const BuildProgress& say) {
    std::optional<StageResult> saved = state.stage(family);
    const bool resumed = saved.has_value();
    if (!saved) {
        StageResult built;
        for (const Example& e : make(built.tally))
            built.examples.push_back(Example::from_state(e.to_state()));
        state.save_stage(family, built);
        saved = std::move(built);
    }
    add(tally, saved->tally);
    say(count_line(family, saved->tally, resumed ? " (saved by an earlier run)" : ""), false);
    for (Example& e : saved->examples) all.push_back(std::move(e));
}

Json teacher_settings(const TeacherOptions& t) {
    if (t.urls.empty()) return Json();
    return Json{{"model", t.model}, {"limit", t.limit}, {"max_tokens", t.max_tokens}};
}

std::string teacher_line(size_t done, size_t total, const TeacherReport& r, double seconds) {
    int64_t sent = 0, kept = 0;
    for (const auto& [f, n] : r.sent) sent += n;
    for (const auto& [f, n] : r.kept) kept += n;
    std::string line = "teacher: " + std::to_string(done) + "/" + std::to_string(total) +
                       " replies, " + std::to_string(kept) + " kept (" +
                       format_number("%.0f%%", sent ? 100.0 * kept / sent : 0.0) + ")";
    if (seconds > 0 && done > 0) {
        const double rate = static_cast<double>(done) / seconds;
        line += ", " + format_number("%.1f/s", rate) + ", ETA " +
                format_number("%.0f s", static_cast<double>(total - done) / rate);
    }
    return line;
}

}  // namespace

BuildReport build_dataset(const BuildOptions& o, const BuildProgress& progress) {
    auto say = [&](const std::string& line, bool status) {
        if (progress) progress(line, status);
    };
    const auto t0 = std::chrono::steady_clock::now();
    if (o.out_dir.empty()) throw Error("--out is required");
    const SizePlan plan = plan_for(o.size);
    check_teacher_urls(o.teacher);
    std::optional<GgufFile> tokenizer_file;  // read first: a wrong path fails before the work
    std::optional<Tokenizer> tokenizer;
    if (!o.tokenizer.empty()) {
        tokenizer_file.emplace(o.tokenizer);
        tokenizer.emplace(Tokenizer::from_gguf(*tokenizer_file));
    }
    const fs::path sources(o.sources_dir);
    const std::string documents_path = (sources / "documents.jsonl").string();
    const std::string catalog_path = (sources / "tools_catalog.jsonl").string();
    const auto documents = first(load_documents(documents_path), plan.documents);
    const auto catalog = first(load_catalog(catalog_path), plan.functions);
    std::vector<std::pair<std::string, std::string>> source_sums = {
        {"documents.jsonl", sha256_file(documents_path)},
        {"tools_catalog.jsonl", sha256_file(catalog_path)}};
    // Real texts from this machine, for the grounded family (not in the small size, which
    // stays the same on every machine).
    const std::string machine_path = (sources / "machine_documents.jsonl").string();
    MachineDocuments machine;
    if (plan.machine_documents && fs::exists(machine_path)) {
        machine = load_machine_documents(machine_path);
        source_sums.push_back({"machine_documents.jsonl", sha256_file(machine_path)});
        for (const auto& [path, sum] : machine.read_files) source_sums.push_back({path, sum});
    }
    std::vector<SourceDocument> grounded_documents = documents;
    for (const SourceDocument& d : machine.documents) grounded_documents.push_back(d);
    say("sources: " + std::to_string(documents.size()) + " documents, " +
            std::to_string(machine.documents.size()) + " read from this machine" +
            (machine.skipped.empty()
                 ? ""
                 : " (" + std::to_string(machine.skipped.size()) + " skipped)") +
            ", " + std::to_string(catalog.size()) + " functions",
        false);
    for (const std::string& why : machine.skipped) say("skipped " + why, false);

    BuildState state(o.out_dir,
                     Json{{"size", o.size},
                          {"seed", o.seed},
                          {"sources", source_sums},
                          {"teacher", teacher_settings(o.teacher)}},
                     o.restart);
    BuildReport report;
    report.resumed = state.resumed();
    report.machine_licences = machine.licences;
    report.skipped_documents = machine.skipped;
    if (report.resumed) say("resuming the build saved in " + o.out_dir, false);
    std::vector<Example> all;
    run_stage(
        "grounded", state, all, report.tally,
        [&](Tally& t) {
            return grounded_examples(grounded_documents, {plan.grounded_variants, 2, o.seed}, t);
        },
        say);
    run_stage(
        "tools", state, all, report.tally,
        [&](Tally& t) {
            return tool_examples(catalog, {plan.tool_variants, o.seed}, t);
        },
        say);
    run_stage(
        "instruct", state, all, report.tally,
        [&](Tally& t) {
            return instruct_examples(documents, {plan.instruct_variants, o.seed}, t);
        },
        say);

    const EvalNgrams eval(o.eval_dir);
    report.eval_files = eval.files();
    all = clean(std::move(all), eval, report.hygiene);
    say("hygiene: " + std::to_string(report.hygiene.duplicates) + " duplicates, " +
            std::to_string(report.hygiene.near_duplicates) + " near duplicates, " +
            std::to_string(report.hygiene.contaminated) +
            " overlapping the evaluation suites, removed",
        false);

    // Families and kinds mixed through every file (seeded): a trainer reading in order sees
    // no long runs of one kind, and a columnar loader meets every row shape in its first block.
    Rng(o.seed, "row order").shuffle(all);

    if (!o.teacher.urls.empty()) {
        const auto started = std::chrono::steady_clock::now();
        report.teacher = run_teacher(
            all, o.teacher, state,
            [&](const Example& e) {
                return eval.overlaps(example_text(e)) ? "overlaps the evaluation suites" : "";
            },
            [&](size_t done, size_t total, const TeacherReport& r) {
                const double s =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
                        .count();
                say(teacher_line(done, total, r, s), true);
            });
        int64_t sent = 0;
        for (const auto& [f, n] : report.teacher->sent) sent += n;
        say(teacher_line(static_cast<size_t>(sent), static_cast<size_t>(sent), *report.teacher, 0),
            false);
    }

    fs::create_directories(o.out_dir);
    std::string train, valid, test;
    for (const Example& e : all) {
        const std::string split = split_of(e.group);
        const std::string line = e.to_json().dump() + "\n";
        if (split == "train") {
            train += line;
            ++report.splits.train;
        } else if (split == "valid") {
            valid += line;
            ++report.splits.valid;
        } else {
            test += line;
            ++report.splits.test;
        }
    }
    const fs::path out(o.out_dir);
    write_text_file((out / "train.jsonl").string(), train);
    write_text_file((out / "valid.jsonl").string(), valid);
    write_text_file((out / "test.jsonl").string(), test);
    write_text_file((out / "sample.jsonl").string(), sample_of(all, 100));
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    CardFacts facts{o, report, all, source_sums};
    if (tokenizer) {
        say("counting tokens with " + fs::path(o.tokenizer).filename().string(), false);
        facts.tokenizer = &*tokenizer;
        facts.tokenizer_name = fs::path(o.tokenizer).filename().string();
    }
    write_text_file((out / "README.md").string(), dataset_card(facts));
    write_text_file((out / "manifest.json").string(), manifest(facts, out).dump(1) + "\n");
    say("wrote " + out.string() + ": " + std::to_string(all.size()) + " examples (train " +
            std::to_string(report.splits.train) + ", valid " + std::to_string(report.splits.valid) +
            ", test " + std::to_string(report.splits.test) + ")",
        false);
    return report;
}

}  // namespace flash::data
