// Fetches a catalog model through the user's own `python -m pip` (so their index, proxy and
// certificate configuration applies), then verifies and installs it. Depends on core/ only.
#pragma once

#include <string>

#include "store/catalog.h"
#include "store/progress.h"

namespace flash {

struct PipFetchOptions {
    std::string python = "python3";  // interpreter whose pip is used
    bool show_output = false;        // pass pip's output through to stderr instead of capturing
};

// Writes entry's GGUF to dest_path: pip works in a scratch folder beside dest_path (removed
// afterwards), the file is produced as dest_path + ".part", its sha256 is checked against
// entry.sha256 and only then renamed. Throws flash::Error with pip's last lines on failure.
// `progress` hears the bytes pip has written so far against entry.size, a few times a second.
void pip_fetch(const CatalogEntry& entry, const std::string& dest_path,
               const PipFetchOptions& options = {}, const MessageFn& message = {},
               const ProgressFn& progress = {});

}  // namespace flash
