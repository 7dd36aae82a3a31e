#include "data/build.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/sha256.h"
#include "core/text_file.h"
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
};

SizePlan plan_for(const std::string& size) {
    if (size == "small") return {12, 24, 1, 1, 2};
    if (size == "default") return {0, 0, 4, 6, 60};
    if (size == "large") return {0, 0, 8, 12, 100};
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

BuildReport build_dataset(const BuildOptions& o, const BuildProgress& progress) {
    auto say = [&](const std::string& line) {
        if (progress) progress(line);
    };
    const auto t0 = std::chrono::steady_clock::now();
    if (o.out_dir.empty()) throw Error("--out is required");
    const SizePlan plan = plan_for(o.size);
    const fs::path sources(o.sources_dir);
    const std::string documents_path = (sources / "documents.jsonl").string();
    const std::string catalog_path = (sources / "tools_catalog.jsonl").string();
    const auto documents = first(load_documents(documents_path), plan.documents);
    const auto catalog = first(load_catalog(catalog_path), plan.functions);
    say("sources: " + std::to_string(documents.size()) + " documents, " +
        std::to_string(catalog.size()) + " functions");

    BuildReport report;
    std::vector<Example> all =
        grounded_examples(documents, {plan.grounded_variants, 2, o.seed}, report.tally);
    say("grounded: " + std::to_string(report.tally.kept_in("grounded")) + " kept, " +
        std::to_string(report.tally.rejected_in("grounded")) + " rejected");
    for (Example& e : tool_examples(catalog, {plan.tool_variants, o.seed}, report.tally))
        all.push_back(std::move(e));
    say("tools: " + std::to_string(report.tally.kept_in("tools")) + " kept, " +
        std::to_string(report.tally.rejected_in("tools")) + " rejected");
    for (Example& e : instruct_examples(documents, {plan.instruct_variants, o.seed}, report.tally))
        all.push_back(std::move(e));
    say("instruct: " + std::to_string(report.tally.kept_in("instruct")) + " kept, " +
        std::to_string(report.tally.rejected_in("instruct")) + " rejected");

    const EvalNgrams eval(o.eval_dir);
    report.eval_files = eval.files();
    all = clean(std::move(all), eval, report.hygiene);
    say("hygiene: " + std::to_string(report.hygiene.duplicates) + " duplicates, " +
        std::to_string(report.hygiene.near_duplicates) + " near duplicates, " +
        std::to_string(report.hygiene.contaminated) +
        " overlapping the evaluation suites, removed");

    // Families and kinds mixed through every file (seeded): a trainer reading in order sees
    // no long runs of one kind, and a columnar loader meets every row shape in its first block.
    Rng(o.seed, "row order").shuffle(all);

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

    CardFacts facts{o,
                    report,
                    all,
                    {{"documents.jsonl", sha256_file(documents_path)},
                     {"tools_catalog.jsonl", sha256_file(catalog_path)}}};
    write_text_file((out / "README.md").string(), dataset_card(facts));
    write_text_file((out / "manifest.json").string(), manifest(facts, out).dump(1) + "\n");
    say("wrote " + out.string() + ": " + std::to_string(all.size()) + " examples (train " +
        std::to_string(report.splits.train) + ", valid " + std::to_string(report.splits.valid) +
        ", test " + std::to_string(report.splits.test) + ")");
    return report;
}

}  // namespace flash::data
