#include "store/models_dir.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "core/error.h"

namespace flash {

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

std::string home_dir() {
    if (std::string h = env("HOME"); !h.empty()) return h;
    if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir && *pw->pw_dir) return pw->pw_dir;
    throw Error("models directory: HOME is not set; set FLASH_MODELS to choose where models live");
}

}  // namespace

std::string models_dir() {
    if (std::string d = env("FLASH_MODELS"); !d.empty()) return d;
    // The XDG spec says relative values are invalid and must be ignored.
    if (std::string x = env("XDG_CACHE_HOME"); !x.empty() && x.front() == '/')
        return x + "/flash/models";
    return home_dir() + "/.cache/flash/models";
}

void ensure_dir(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw Error("cannot create directory " + dir + ": " + ec.message());
    if (!std::filesystem::is_directory(dir, ec))
        throw Error(dir + " exists but is not a directory");
}

}  // namespace flash
