// Where pulled models live: $FLASH_MODELS, else $XDG_CACHE_HOME/flash/models, else
// ~/.cache/flash/models. Depends on core/ only.
#pragma once

#include <string>

namespace flash {

// The directory (not created; an unusable environment throws flash::Error).
std::string models_dir();

// Creates `dir` (and parents) when missing; throws flash::Error naming it on failure.
void ensure_dir(const std::string& dir);

}  // namespace flash
