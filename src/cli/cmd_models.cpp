// `flash list`, `flash show`, `flash rm`: the pulled models, as `ollama list/show/rm` present
// them. Only the GGUF header is read (a memory map), so listing many models is instant.
#include <sys/stat.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "chat/chat_template.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "core/error.h"
#include "core/gguf.h"
#include "quant/mix.h"
#include "runtime/sampling_preset.h"
#include "store/store.h"

namespace flash::cli {
namespace {

namespace fs = std::filesystem;

// What the header says about a model file.
struct ModelSummary {
    std::string name;  // catalog name when the file is a catalog model, else the file name
    std::string path;
    uint64_t bytes = 0;
    std::string architecture;
    int64_t parameters = 0;
    std::string quantization;  // general.file_type's name, else the type holding most bytes
    int64_t context_length = 0;
    bool has_chat_template = false;
    std::time_t modified = 0;
};

std::string catalog_name_of(const std::string& path) {
    for (const CatalogEntry& e : catalog())
        if (fs::path(path).filename() == e.file_name) return e.name;
    return fs::path(path).filename().string();
}

ModelSummary summarize(const std::string& path) {
    const GgufFile g(path);
    ModelSummary s;
    s.path = path;
    s.name = catalog_name_of(path);
    s.bytes = g.file_size();
    s.architecture = std::string(g.get_string("general.architecture").value_or("?"));
    for (const GgufTensor& t : g.tensors()) s.parameters += t.n_elements;
    s.quantization = quant::quantization_name(g);
    if (s.quantization.empty()) s.quantization = "-";
    if (const auto ctx = g.get_int(s.architecture + ".context_length")) s.context_length = *ctx;
    s.has_chat_template = g.find("tokenizer.chat_template") != nullptr;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) s.modified = st.st_mtime;
    return s;
}

std::string parameters_text(int64_t n) {
    char buf[32];
    if (n >= 1'000'000'000)
        std::snprintf(buf, sizeof buf, "%.1fB", static_cast<double>(n) / 1e9);
    else
        std::snprintf(buf, sizeof buf, "%.0fM", static_cast<double>(n) / 1e6);
    return buf;
}

std::string age_text(std::time_t t) {
    const double s = std::difftime(std::time(nullptr), t);
    char buf[32];
    if (s < 3600)
        std::snprintf(buf, sizeof buf, "%.0f minutes ago", s / 60);
    else if (s < 86400)
        std::snprintf(buf, sizeof buf, "%.0f hours ago", s / 3600);
    else
        std::snprintf(buf, sizeof buf, "%.0f days ago", s / 86400);
    return buf;
}

nlohmann::json to_json(const ModelSummary& s) {
    return {{"name", s.name},
            {"path", s.path},
            {"bytes", s.bytes},
            {"architecture", s.architecture},
            {"parameters", s.parameters},
            {"quantization", s.quantization},
            {"context_length", s.context_length},
            {"chat_template", s.has_chat_template},
            {"modified", static_cast<int64_t>(s.modified)}};
}

struct ListOptions {
    bool json = false;
};

void list_command(const ListOptions& o) {
    nlohmann::json all = nlohmann::json::array();
    std::vector<ModelSummary> rows;
    for (const std::string& path : list_local_models()) {
        try {
            rows.push_back(summarize(path));
        } catch (const Error& e) {  // one damaged file must not hide the others
            std::fprintf(stderr, "flash: warning: %s\n", e.what());
        }
    }
    if (o.json) {
        for (const ModelSummary& s : rows) all.push_back(to_json(s));
        std::printf("%s\n", all.dump(2).c_str());
        return;
    }
    if (rows.empty()) {
        std::fprintf(stderr, "no models in %s yet; `flash pull` fetches the default one\n",
                     models_dir().c_str());
        return;
    }
    std::printf("%-34s %-10s %-8s %-8s %-10s %s\n", "NAME", "SIZE", "PARAMS", "QUANT", "ARCH",
                "MODIFIED");
    for (const ModelSummary& s : rows)
        std::printf("%-34s %-10s %-8s %-8s %-10s %s\n", s.name.c_str(),
                    human_bytes(static_cast<double>(s.bytes)).c_str(),
                    parameters_text(s.parameters).c_str(), s.quantization.c_str(),
                    s.architecture.c_str(), age_text(s.modified).c_str());
}

struct ShowOptions {
    std::string model = "default";
    bool json = false;
    bool show_template = false;
    bool license = false;
};

void show_command(const ShowOptions& o) {
    const std::string path = resolve_model(o.model);
    const ModelSummary s = summarize(path);
    const GgufFile g(path);
    if (o.show_template) {
        const auto text = g.find("tokenizer.chat_template")
                              ? g.get_string("tokenizer.chat_template")
                              : std::nullopt;
        if (!text)
            throw Error(path + " has no chat template; " + ChatTemplate::choice_flag() +
                        " chooses one");
        std::printf("%s\n", std::string(*text).c_str());
        return;
    }
    if (o.license) {
        const auto text =
            g.find("general.license") ? g.get_string("general.license") : std::nullopt;
        std::printf("%s\n", text ? std::string(*text).c_str() : "(the file does not say)");
        return;
    }
    std::vector<std::string> warnings;
    const SamplerConfig preset = chat_sampling(g, &warnings);
    if (o.json) {
        nlohmann::json j = to_json(s);
        j["chat_sampling"] = describe(preset);
        std::printf("%s\n", j.dump(2).c_str());
        return;
    }
    std::printf("  %-16s %s\n", "name", s.name.c_str());
    std::printf("  %-16s %s\n", "architecture", s.architecture.c_str());
    std::printf("  %-16s %s\n", "parameters", parameters_text(s.parameters).c_str());
    std::printf("  %-16s %s\n", "quantization", s.quantization.c_str());
    std::printf("  %-16s %lld\n", "context length", static_cast<long long>(s.context_length));
    std::printf("  %-16s %s\n", "chat template",
                s.has_chat_template ? "the model's own (--template prints it)"
                                    : "none: pass --chat-template or --raw");
    std::printf("  %-16s %s\n", "chat sampling", describe(preset).c_str());
    std::printf("  %-16s %s\n", "size", human_bytes(static_cast<double>(s.bytes)).c_str());
    std::printf("  %-16s %s\n", "path", s.path.c_str());
    for (const std::string& w : warnings) std::fprintf(stderr, "flash: warning: %s\n", w.c_str());
}

struct RemoveOptions {
    std::vector<std::string> models;
};

// Removes pulled models (and what an interrupted pull left), never a file outside the models
// directory: `flash rm ~/work/model.gguf` is refused, as `ollama rm` only removes its own.
void remove_command(const RemoveOptions& o) {
    const fs::path dir = fs::weakly_canonical(models_dir());
    std::vector<fs::path> doomed;
    for (const std::string& name : o.models) {  // check every name before removing any
        // The folder is resolved, not the file: a model kept as a link is removed as a link.
        const fs::path given = fs::absolute(resolve_model(name));
        const fs::path path = fs::weakly_canonical(given.parent_path()) / given.filename();
        if (path.parent_path() != dir)
            throw Error(name + " is not in the models directory (" + dir.string() +
                        "); flash rm only removes pulled models");
        doomed.push_back(path);
    }
    for (const fs::path& path : doomed) {
        const uint64_t bytes = fs::is_symlink(path) ? 0 : fs::file_size(path);
        fs::remove(path);
        std::error_code ec;
        fs::remove(path.string() + ".part", ec);
        std::printf("deleted %s (%s)\n", path.filename().c_str(),
                    human_bytes(static_cast<double>(bytes)).c_str());
    }
}

}  // namespace

void add_models_commands(CLI::App& app) {
    auto list = std::make_shared<ListOptions>();
    CLI::App* ls = app.add_subcommand("list", "The pulled models: size, parameters, type");
    ls->alias("ls");
    ls->add_flag("--json", list->json, "One JSON array on stdout");
    ls->footer(
        "Models live in $FLASH_MODELS (default: ~/.cache/flash/models); `flash pull --list` "
        "shows what can be pulled by name.");
    ls->callback([list] { list_command(*list); });

    auto show = std::make_shared<ShowOptions>();
    CLI::App* sh = app.add_subcommand("show",
                                      "A model in short: architecture, size, template, "
                                      "sampling (`flash info` for everything)");
    sh->add_option("model", show->model, "Catalog name, pulled file name or path")
        ->capture_default_str();
    sh->add_flag("--json", show->json, "As JSON");
    sh->add_flag("--template", show->show_template, "Print the model's chat template");
    sh->add_flag("--license", show->license, "Print the licence the file states");
    sh->callback([show] { show_command(*show); });

    auto rm = std::make_shared<RemoveOptions>();
    CLI::App* r = app.add_subcommand("rm", "Delete pulled models from the models directory");
    r->add_option("models", rm->models, "Catalog names or file names")->required();
    r->callback([rm] { remove_command(*rm); });
}

}  // namespace flash::cli
