#include "eval/ladder.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "chat/chat_template.h"
#include "core/error.h"
#include "core/gguf.h"
#include "core/process_memory.h"
#include "core/sha256.h"
#include "core/text_file.h"
#include "eval/ladder_report.h"
#include "eval/stats.h"
#include "model/model.h"
#include "quant/quantize_model.h"
#include "tokenizer/tokenizer.h"

namespace flash::eval {
namespace fs = std::filesystem;
namespace {

bool is_float(DType t) {
    return t == DType::F32 || t == DType::F16 || t == DType::BF16;
}

// The weights' type (the most common among matrices) and the file's bits per weight.
struct FileFacts {
    std::string weights_type;
    std::string described;  // "Q4_K_M (most matrices Q5_0)"
    double bits_per_weight = 0;
    int64_t parameters = 0;
    std::vector<std::pair<std::string, int64_t>> tensor_types;  // matrices per type
    bool quantized = false;
};

FileFacts file_facts(const std::string& path) {
    const GgufFile g(path);
    FileFacts f;
    std::map<std::string, int> counts;
    uint64_t bytes = 0;
    for (const GgufTensor& t : g.tensors()) {
        bytes += t.n_bytes;
        f.parameters += t.n_elements;
        if (t.dims.size() < 2) continue;
        ++counts[std::string(dtype_name(t.type))];
        if (!is_float(t.type)) f.quantized = true;
    }
    int most = 0;
    for (const auto& [type, n] : counts) {
        f.tensor_types.emplace_back(type, n);
        if (n > most) most = n, f.weights_type = type;
    }
    // A quantized file as its type names it (Q4_K_M), with the type most matrices have.
    f.described = f.weights_type;
    if (const auto ft = g.get_int("general.file_type"); ft && f.quantized)
        for (const quant::Target& t : quant::targets())
            if (static_cast<int64_t>(t.ftype) == *ft && t.name != f.weights_type)
                f.described = t.name + " (most matrices " + f.weights_type + ")";
    f.bits_per_weight =
        f.parameters ? 8.0 * static_cast<double>(bytes) / static_cast<double>(f.parameters) : 0;
    return f;
}

// A path inside the output directory as relative to it (reports stay valid when moved).
std::string shown(const std::string& path, const fs::path& out) {
    const fs::path rel = fs::relative(path, out);
    return !rel.empty() && rel.begin()->string() != ".." ? rel.string() : path;
}

Json read_json(const fs::path& path) {
    std::ifstream in(path);
    try {
        return Json::parse(in);
    } catch (const std::exception& e) {
        throw Error(path.string() + ": not valid JSON (" + e.what() +
                    "); delete it to redo that level");
    }
}

struct Loaded {
    std::unique_ptr<Model> model;
    std::unique_ptr<Tokenizer> tokenizer;
    std::unique_ptr<Session> session;
};

Loaded load(const std::string& path, SessionOptions so, int64_t min_batch) {
    Loaded l;
    l.model = Model::load(path);
    l.tokenizer = std::make_unique<Tokenizer>(Tokenizer::from_gguf(l.model->gguf()));
    so.n_batch = std::max(so.n_batch, min_batch);
    so.n_ctx = std::max(so.n_ctx, min_batch);
    l.session = std::make_unique<Session>(*l.model, l.tokenizer.get(), so);
    return l;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Prefill of a 128-token prompt and 64 greedy tokens, end-of-generation ignored.
Throughput throughput(Session& session, const std::vector<int32_t>& corpus) {
    const std::vector<int32_t> prompt(corpus.begin(),
                                      corpus.begin() + std::min<size_t>(128, corpus.size()));
    GenerateOptions g;
    g.max_tokens = 64;
    g.sampling.temperature = 0;
    g.stop_at_end_of_generation = false;
    GenerationStats stats;
    session.reset();
    session.generate(prompt, g, {}, &stats);
    session.reset();
    return {stats.prompt_tokens, stats.generated_tokens, stats.prefill_tps(), stats.decode_tps()};
}

// A level measured earlier with these settings, if its file is there and readable.
std::optional<LevelResult> saved_level(const fs::path& record, const LadderSettings& settings,
                                       const std::string& tag, const LadderProgress& progress) {
    auto say = [&](const std::string& line) {
        if (progress) progress(line, false);
    };
    if (!fs::exists(record)) return std::nullopt;
    const Json saved = read_json(record);
    if (saved.value("settings", Json()) != to_json(settings)) {
        say(tag + ": saved result has other settings; measuring again");
        return std::nullopt;
    }
    try {
        return level_from_json(saved, record.string());
    } catch (const Error& e) {
        say(tag + ": saved result is incomplete (" + std::string(e.what()) + "); measuring again");
        return std::nullopt;
    }
}

void write_outputs(const LadderResult& results, const fs::path& out) {
    std::string jsonl;
    for (const LevelResult& l : results.levels)
        for (const auto& [suite, s] : l.suites)
            for (const Sample& x : s.samples)
                jsonl += Json{{"level", l.level},
                              {"suite", suite},
                              {"id", x.id},
                              {"right", x.right},
                              {"detail", x.detail}}
                             .dump() +
                         "\n";
    write_text_file((out / "samples.jsonl").string(), jsonl);
    // ladder.json keeps the figures; the per-sample outcomes live in samples.jsonl.
    write_text_file((out / "ladder.json").string(),
                    to_json(results, /*with_samples=*/false).dump(1) + "\n");
    write_text_file((out / "ladder.md").string(), ladder_markdown(results));
    write_text_file((out / "ladder.html").string(), ladder_html(results));
}

}  // namespace

const std::vector<std::string>& default_ladder_levels() {
    static const std::vector<std::string> levels = {"F16",  "BF16",   "Q8_0", "Q6_K",   "Q5_K_M",
                                                    "Q5_0", "Q4_K_M", "Q4_0", "Q3_K_M", "Q2_K"};
    return levels;
}

void compare_with_baseline(LadderResult& results) {
    if (results.levels.empty()) return;
    const LevelResult* base = &results.levels.front();
    for (const LevelResult& l : results.levels)
        if (l.level == results.baseline_level) base = &l;
    const LevelResult baseline = *base;
    for (LevelResult& l : results.levels) {
        l.vs_baseline.clear();
        for (const auto& [suite, s] : l.suites) {
            const SuiteScore* b = baseline.suite(suite);
            if (!b) continue;
            std::map<std::string, bool> base_right;
            for (const Sample& x : b->samples) base_right[x.id] = x.right;
            std::vector<bool> was, now;
            for (const Sample& x : s.samples) {
                const auto it = base_right.find(x.id);
                if (it == base_right.end()) continue;
                was.push_back(it->second);
                now.push_back(x.right);
            }
            l.vs_baseline.emplace_back(suite, paired_comparison(was, now));
        }
    }
}

LadderResult run_ladder(const LadderOptions& o, const LadderProgress& progress) {
    auto say = [&](const std::string& line, bool transient = false) {
        if (progress) progress(line, transient);
    };
    if (o.levels.empty()) throw Error("the ladder needs at least one level");
    std::vector<const quant::Target*> targets;
    for (const std::string& name : o.levels) {
        const quant::Target* t = &quant::find_target(name);
        if (std::find(targets.begin(), targets.end(), t) != targets.end())
            throw Error("level " + t->name + " is listed twice");
        targets.push_back(t);
    }
    const fs::path out(o.out_dir), models = out / "models", level_dir = out / "levels";
    fs::create_directories(models);
    fs::create_directories(level_dir);

    // The baseline: the model itself when its weights are floats, else dequantized to F16.
    const FileFacts source = file_facts(o.model);
    const std::string stem = fs::path(o.model).stem().string();
    std::string baseline_path = o.model, baseline_note;
    if (source.quantized) {
        baseline_path = (models / (stem + "-F16.gguf")).string();
        if (!fs::exists(baseline_path)) {
            say("dequantizing " + o.model + " (" + source.described + ") to F16 for the baseline");
            quant::quantize_model(o.model, baseline_path, quant::find_target("F16"));
        }
        baseline_note = "The source file is " + source.described +
                        "; it was dequantized to F16, which is the baseline, and every level is "
                        "quantized from that F16 file (so levels above " +
                        source.described + " cannot recover precision the source no longer has).";
    }
    const std::string baseline_level = source.quantized ? "F16" : source.weights_type;
    // Every level is compared with the baseline, so the baseline is always measured (first).
    if (std::none_of(targets.begin(), targets.end(),
                     [&](const quant::Target* t) { return t->name == baseline_level; })) {
        say("adding the baseline level " + baseline_level + " (every level is compared with it)");
        targets.insert(targets.begin(), &quant::find_target(baseline_level));
    }

    FidelityOptions fo = o.fidelity;
    std::vector<int32_t> corpus_tokens;
    {
        const Tokenizer tok = Tokenizer::from_gguf(GgufFile(baseline_path));
        corpus_tokens = tok.encode(load_corpus(o.corpus_dir), false);
        fo.bos = tok.add_bos() ? tok.bos_id() : -1;
    }

    LadderSettings settings;
    settings.source = o.model;
    settings.source_sha256 = sha256_file(o.model);
    settings.chat_template = o.chat_template.empty() ? "(the file's)" : o.chat_template;
    settings.suites = o.suites;
    settings.fidelity_corpus = o.corpus_dir;
    settings.fidelity_window = fo.window;
    settings.fidelity_max_tokens = fo.max_tokens;
    settings.threads = o.session.n_threads;
    settings.precision = o.session.precision == kernels::Precision::Fast ? "fast" : "exact";
    if (!o.imatrix.empty()) settings.imatrix = {o.imatrix, sha256_file(o.imatrix)};

    LadderResult results;
    results.model = stem;
    results.baseline_level = baseline_level;
    results.baseline_file = shown(baseline_path, out);
    results.baseline_note = baseline_note;
    results.source_weights = source.described;
    results.settings = settings;
    results.command = o.command;

    std::optional<quant::ImportanceMatrix> imatrix;
    if (!o.imatrix.empty()) imatrix = quant::ImportanceMatrix::load(o.imatrix);

    for (size_t li = 0; li < targets.size(); ++li) {
        const quant::Target& target = *targets[li];
        const fs::path record = level_dir / (target.name + ".json");
        std::string tag(1, '[');  // built in steps: GCC 12 warns falsely on "[" + to_string()
        tag += std::to_string(li + 1);
        tag += '/';
        tag += std::to_string(targets.size());
        tag += "] " + target.name;
        if (auto saved = saved_level(record, settings, tag, progress)) {
            say(tag + ": done earlier, kept (" + record.string() + ")");
            results.levels.push_back(std::move(*saved));
            continue;
        }
        const auto t0 = std::chrono::steady_clock::now();
        std::string file = (models / (stem + "-" + target.name + ".gguf")).string();
        if (target.name == baseline_level && !source.quantized)
            file = o.model;
        else if (file != baseline_path) {
            say(tag + ": quantizing", true);
            quant::quantize_model(baseline_path, file, target, {}, imatrix ? &*imatrix : nullptr);
        }
        const FileFacts facts = file_facts(file);
        LevelResult level;
        level.level = target.name;
        level.file = shown(file, out);
        level.bytes = fs::file_size(file);
        level.sha256 = sha256_file(file);
        level.bits_per_weight = facts.bits_per_weight;
        level.parameters = facts.parameters;
        level.tensor_types = facts.tensor_types;

        {  // Fidelity needs both models; the baseline is unloaded before memory is measured.
            say(tag + ": fidelity against " + baseline_level, true);
            Loaded ref = load(baseline_path, o.session, fo.window);
            Loaded cand = load(file, o.session, fo.window);
            level.fidelity = measure_fidelity(*ref.session, *cand.session, corpus_tokens, fo);
        }
        reset_peak_resident();
        Loaded cand = load(file, o.session, 0);
        say(tag + ": throughput", true);
        level.throughput = throughput(*cand.session, corpus_tokens);
        auto backend = make_in_process_backend(
            *cand.session, ChatTemplate::from_gguf(cand.model->gguf(), o.chat_template));
        for (const SuiteResult& s : run_suites(
                 *backend, o.suites, [&](const std::string&suite, size_t done, size_t total) {
                     say(tag + ": " + suite + " " + std::to_string(done) + "/" +
                             std::to_string(total),
                         true);
                 }))
            level.suites.emplace_back(s.suite, SuiteScore::of(s));
        level.peak_resident_bytes = peak_resident_bytes();
        level.seconds = seconds_since(t0);
        level.settings = settings;
        write_text_file(record.string(), to_json(level).dump(1) + "\n");
        std::string line = tag + ":";
        for (const auto& [name, s] : level.suites)
            line += " " + name + " " + std::to_string(s.hits) + "/" + std::to_string(s.n);
        char kl[64];
        std::snprintf(kl, sizeof kl, ", KL %.4f", level.fidelity.kl_mean);
        say(line + kl);
        results.levels.push_back(std::move(level));
        if (!o.keep_models && file != o.model && file != baseline_path) fs::remove(file);
    }

    compare_with_baseline(results);
    write_outputs(results, out);
    say("wrote " + (out / "ladder.md").string() + ", ladder.html, ladder.json, samples.jsonl");
    return results;
}

}  // namespace flash::eval
