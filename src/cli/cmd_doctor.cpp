// `flash doctor`: this machine (CPU and kernels, memory, disk, GPU, read bandwidth), the model,
// and a recommendation: the quantization level and context that fit with headroom (from the
// model's ladder report when there is one), the speed to expect and the deployment recipe.
#include <cstdio>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/error.h"
#include "core/json_input.h"
#include "core/text_file.h"
#include "doctor/advice.h"
#include "doctor/hardware.h"
#include "store/store.h"

namespace flash::cli {
namespace {

namespace fs = std::filesystem;

struct DoctorOptions {
    std::string model = "default";
    std::string ladder;  // a ladder.json, or the folder holding one
    bool json = false;
    bool no_probe = false;
};

// The ladder report for `model`: --ladder, else docs/ladder/NAME/ladder.json for a catalog
// model, named or given as the path of its pulled file (in the working directory or the source
// tree flash was built from); "" when none.
std::string find_ladder(const DoctorOptions& o) {
    if (!o.ladder.empty()) {
        const fs::path p =
            fs::is_directory(o.ladder) ? fs::path(o.ladder) / "ladder.json" : fs::path(o.ladder);
        if (!fs::exists(p)) throw Error("--ladder: " + p.string() + " does not exist");
        return p.string();
    }
    const CatalogEntry* e = find_catalog_entry(o.model);
    if (!e) {
        // A path to a pulled catalog file: its file name and size identify it.
        std::error_code ec;
        const uint64_t size = fs::file_size(o.model, ec);
        for (const CatalogEntry& c : catalog()) {
            if (!ec && c.file_name == fs::path(o.model).filename() && c.size == size) e = &c;
        }
    }
    if (!e) return {};
    for (const char* root : {".", FLASH_SOURCE_DIR}) {
        const fs::path p = fs::path(root) / "docs/ladder" / e->name / "ladder.json";
        if (fs::exists(p)) return p.string();
    }
    return {};
}

std::string gb(uint64_t bytes) {
    return doctor::gigabytes(static_cast<double>(bytes));
}

void print_hardware(const doctor::Hardware& h) {
    std::printf("machine\n");
    std::printf("  %-15s %s, %s, %d logical CPUs, %s kernels\n", "cpu", h.os.c_str(),
                h.cpu.empty() ? "unknown CPU" : h.cpu.c_str(), h.cores, h.isa.c_str());
    std::printf("  %-15s %s total, %s available\n", "memory", gb(h.ram_total).c_str(),
                h.ram_available ? gb(h.ram_available).c_str() : "?");
    std::printf("  %-15s %s free at %s\n", "disk", gb(h.disk_free).c_str(), h.disk_path.c_str());
    std::printf(
        "  %-15s %s\n", "gpu",
        h.gpus.empty() ? "none used: this build has no GPU backend" : h.gpus[0].name.c_str());
    if (h.read_gb_per_s > 0)
        std::printf("  %-15s %.1f GB/s (measured just now)\n", "read bandwidth", h.read_gb_per_s);
}

std::string describe_choice(const doctor::Choice& c) {
    std::string s =
        c.level.level + " (" + gb(c.level.bytes) + (c.level.estimated ? ", estimated" : "");
    if (c.level.kl_mean) s += ", KL " + format_number("%.3f", *c.level.kl_mean);
    if (c.level.score) s += ", suites " + format_number("%.2f", *c.level.score);
    return s + ")";
}

// The commands that make and serve the chosen level from the model as pulled.
std::string run_command_for(const doctor::ModelFacts& m, const doctor::Choice& c) {
    const std::string serve_ctx = " -c " + std::to_string(c.context);
    const std::string& level = c.level.level;
    if (level == "as is" || level == m.quantization) return "flash serve -m " + m.name + serve_ctx;
    const bool float_level = level == "F16" || level == "BF16" || level == "F32";
    const bool quantized_source =
        !m.quantization.starts_with("F") && !m.quantization.starts_with("BF");
    const std::string out = m.name + "-" + level + ".gguf";
    if (!quantized_source || float_level)
        return "flash quantize " + m.name + " " + out + " " + level +
               (quantized_source ? " --allow-requant" : "") + " && flash serve -m " + out +
               serve_ctx;
    // A quantized source is dequantized first (as the ladder measured it).
    return "flash quantize " + m.name + " " + m.name +
           "-F16.gguf F16 --allow-requant && flash quantize " + m.name + "-F16.gguf " + out + " " +
           level + " && flash serve -m " + out + serve_ctx;
}

void print_advice(const doctor::ModelFacts& m, const doctor::Advice& a, const std::string& ladder) {
    std::printf("model\n  %-15s %s: %.0fM parameters, %s, trained context %lld\n", "file",
                m.name.c_str(), static_cast<double>(m.parameters) / 1e6, m.quantization.c_str(),
                static_cast<long long>(m.context_train));
    std::printf("  %-15s %s\n", "levels from",
                ladder.empty() ? "estimates (no ladder report)" : ladder.c_str());
    std::printf("recommendation (flash plans within %s)\n", gb(a.budget_bytes).c_str());
    if (!a.fits) {
        for (const std::string& n : a.notes) std::printf("  %s\n", n.c_str());
        return;
    }
    const doctor::Choice& c = a.choice;
    std::printf("  %-15s %s\n", "level", describe_choice(c).c_str());
    std::printf("  %-15s %lld tokens (KV cache %s; %s in all)\n", "context",
                static_cast<long long>(c.context), gb(c.kv_bytes).c_str(),
                gb(c.total_bytes).c_str());
    if (a.expected_tps > 0)
        std::printf("  %-15s about %.0f tokens/s generated (%s)\n", "speed", a.expected_tps,
                    a.speed_basis.c_str());
    else
        std::printf("  %-15s %s\n", "speed", a.speed_basis.c_str());
    std::printf("  %-15s %s: %s\n", "recipe", a.recipe.c_str(), a.recipe_why.c_str());
    std::printf("  %-15s %s\n", "run", run_command_for(m, c).c_str());
    if (!a.alternatives.empty()) {
        std::printf("  %-15s", "also fits");
        for (size_t i = 0; i < a.alternatives.size(); ++i)
            std::printf("%s%s", i ? ", " : " ", describe_choice(a.alternatives[i]).c_str());
        std::printf("\n");
    }
    for (const std::string& n : a.notes) std::printf("  note: %s\n", n.c_str());
}

void doctor_command(const DoctorOptions& o) {
    const doctor::Hardware hw = doctor::detect_hardware(models_dir(), !o.no_probe);
    std::string path;
    try {
        path = resolve_model(o.model);
    } catch (const Error& e) {  // the machine is still worth describing
        if (o.json) {
            std::printf("%s\n",
                        nlohmann::json{{"hardware", doctor::to_json(hw)}, {"model_error", e.what()}}
                            .dump(2)
                            .c_str());
        } else {
            print_hardware(hw);
            std::printf("model\n  %s\n", e.what());
        }
        return;
    }
    const GgufFile file(path);
    const CatalogEntry* entry = find_catalog_entry(o.model);
    const doctor::ModelFacts m =
        doctor::model_facts(file, entry ? entry->name : fs::path(path).filename().string());
    const std::string ladder = find_ladder(o);
    std::vector<doctor::LevelOption> levels;
    if (ladder.empty()) {
        levels = doctor::estimated_levels(m);
    } else {
        const auto report =
            parse_json<nlohmann::json>(read_text_file(ladder, "ladder report"), ladder);
        levels = doctor::levels_from_ladder(report, ladder);
        if (const auto source = doctor::source_level(report, m)) levels.push_back(*source);
    }
    const doctor::Advice a = doctor::advise(hw, m, levels);
    if (o.json) {
        const nlohmann::json j{{"hardware", doctor::to_json(hw)},
                               {"model",
                                {{"name", m.name},
                                 {"path", path},
                                 {"parameters", m.parameters},
                                 {"quantization", m.quantization},
                                 {"context_train", m.context_train},
                                 {"kv_bytes_per_token", m.kv_bytes_per_token}}},
                               {"ladder", ladder},
                               {"advice", doctor::to_json(a)}};
        std::printf("%s\n", j.dump(2).c_str());
        return;
    }
    print_hardware(hw);
    print_advice(m, a, ladder);
}

}  // namespace

void add_doctor_command(CLI::App& app) {
    auto o = std::make_shared<DoctorOptions>();
    CLI::App* cmd = app.add_subcommand(
        "doctor", "This machine, and the quantization level, context and recipe to use on it");
    cmd->add_option("model", o->model, "Catalog name or GGUF file")->capture_default_str();
    cmd->add_option("--ladder", o->ladder,
                    "A `flash eval ladder` report (ladder.json or its folder); default: the "
                    "catalog model's in docs/ladder/");
    cmd->add_flag("--json", o->json, "Everything as one JSON object");
    cmd->add_flag("--no-probe", o->no_probe, "Skip the half-second memory bandwidth measurement");
    cmd->callback([o] { doctor_command(*o); });
}

}  // namespace flash::cli
