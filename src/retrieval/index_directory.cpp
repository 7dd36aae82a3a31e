// Index::add_directory: walks a directory tree and adds each file, reporting per-file errors.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>

#include "retrieval/index.h"

namespace flash::retrieval {
namespace fs = std::filesystem;
namespace {

// File types that are never text: passed over without a warning, so indexing a folder with
// pictures in it is not a wall of "binary file" messages.
bool known_binary(const fs::path& p) {
    std::string ext = p.extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    static constexpr std::string_view k_binary[] = {
        ".png",   ".jpg",        ".jpeg",      ".gif",   ".bmp", ".webp",  ".tif",    ".tiff",
        ".ico",   ".heic",       ".mp3",       ".mp4",   ".m4a", ".wav",   ".ogg",    ".flac",
        ".mov",   ".avi",        ".mkv",       ".webm",  ".zip", ".gz",    ".tgz",    ".bz2",
        ".xz",    ".zst",        ".7z",        ".rar",   ".tar", ".jar",   ".exe",    ".dll",
        ".so",    ".o",          ".a",         ".dylib", ".bin", ".class", ".pyc",    ".woff",
        ".woff2", ".ttf",        ".otf",       ".eot",   ".iso", ".dmg",   ".sqlite", ".db",
        ".gguf",  ".docx",       ".xlsx",      ".pptx",  ".odt", ".ods",   ".odp",    ".epub",
        ".wasm",  ".sqlite-wal", ".sqlite-shm"};
    return std::find(std::begin(k_binary), std::end(k_binary), ext) != std::end(k_binary);
}

bool hidden(const fs::path& p) {
    const std::string name = p.filename().string();
    return !name.empty() && name[0] == '.';
}

}  // namespace

DirectoryResult Index::add_directory(const std::string& dir,
                                     const std::function<void(const FileReport&)>& on_file) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw Error(dir + ": not a directory");
    DirectoryResult result;
    auto report = [&](FileReport r) {
        if (on_file) on_file(r);
    };

    // Collect first, then add in sorted order: deterministic output, and no surprises from
    // files appearing while we write.
    std::vector<fs::path> files;
    fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    if (ec) throw Error(dir + ": cannot list the directory: " + ec.message());
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) {
            report({dir, std::nullopt, "cannot list part of the directory: " + ec.message()});
            ++result.skipped;
            break;
        }
        const fs::path& p = it->path();
        if (hidden(p)) {
            if (it->is_directory(ec)) it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file(ec)) continue;
        if (known_binary(p)) {
            ++result.ignored;
            continue;
        }
        files.push_back(p);
    }
    std::sort(files.begin(), files.end());

    for (const fs::path& p : files) {
        try {
            const AddResult r = add(p.string());
            switch (r.status) {
                case AddStatus::added:
                    ++result.added;
                    break;
                case AddStatus::updated:
                    ++result.updated;
                    break;
                case AddStatus::unchanged:
                    ++result.unchanged;
                    break;
            }
            report({p.string(), r, ""});
        } catch (const DocumentError& e) {
            ++result.skipped;
            report({p.string(), std::nullopt, e.what()});
        }
    }
    return result;
}

}  // namespace flash::retrieval
