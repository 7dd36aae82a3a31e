#include "core/executable_path.h"

#include <filesystem>

#if defined(__APPLE__)
#include <mach-o/dyld.h>

#include <cstdint>
#include <vector>
#endif

namespace flash {

std::string executable_path() {
    std::error_code ec;
#if defined(__APPLE__)
    uint32_t size = 0;
    _NSGetExecutablePath(nullptr, &size);  // sets the size it needs
    std::vector<char> buffer(size + 1, '\0');
    if (_NSGetExecutablePath(buffer.data(), &size) != 0) return {};
    const std::filesystem::path path = std::filesystem::canonical(buffer.data(), ec);
#else
    const std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", ec);
#endif
    return ec ? std::string() : path.string();
}

}  // namespace flash
