#include "store/finalize.h"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "core/error.h"
#include "core/sha256.h"

namespace flash {

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// The first bytes of a file, printable, for "starts with '<!DOCTYPE'" style messages.
std::string head_preview(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return "";
    char buf[16];
    size_t n = std::fread(buf, 1, sizeof buf, f);
    std::fclose(f);
    std::string out;
    for (size_t i = 0; i < n; ++i) {
        unsigned char c = static_cast<unsigned char>(buf[i]);
        out += std::isprint(c) ? static_cast<char>(c) : '.';
    }
    return out;
}

}  // namespace

bool has_gguf_magic(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    char magic[4] = {};
    size_t n = std::fread(magic, 1, 4, f);
    std::fclose(f);
    return n == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F';
}

void install_verified(const std::string& part, const std::string& dest,
                      const std::string& expected_sha256, const std::string& what) {
    std::error_code ec;
    if (!has_gguf_magic(part)) {
        std::string preview = head_preview(part);
        std::filesystem::remove(part, ec);
        throw Error(what + ": not a GGUF file (it starts with '" + preview +
                    "', expected 'GGUF'); nothing was saved");
    }
    if (!expected_sha256.empty()) {
        const std::string got = sha256_file(part);
        if (got != lower(expected_sha256)) {
            std::filesystem::remove(part, ec);
            throw Error(what + ": sha256 mismatch: expected " + lower(expected_sha256) + ", got " +
                        got + "; the download was deleted");
        }
    }
    std::filesystem::rename(part, dest, ec);
    if (ec) throw Error("cannot rename " + part + " to " + dest + ": " + ec.message());
}

}  // namespace flash
