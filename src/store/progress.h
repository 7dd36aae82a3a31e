// Callback types shared by the pull functions. Depends on the standard library only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace flash {

// Bytes of the file done so far and its expected total (0 when the server doesn't say).
// Called often during a transfer (the caller throttles drawing) and once more at the end.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

// One human-readable status line ("SmolLM2-... already present, sha256 ok"), no newline.
using MessageFn = std::function<void(const std::string& line)>;

}  // namespace flash
