#include "core/text_file.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace flash {

void write_text_file(const std::string& path, const std::string& text) {
    const std::string part = path + ".part";
    {
        std::ofstream out(part, std::ios::binary);
        out << text;
        if (!out) throw Error("cannot write " + part);
    }
    std::error_code ec;
    std::filesystem::rename(part, path, ec);
    if (ec) throw Error("cannot rename " + part + " to " + path + ": " + ec.message());
}

std::string read_text_file(const std::string& path, const std::string& what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(what + " " + path + ": cannot open");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string format_number(const char* format, double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, value);
    return buf;
}

}  // namespace flash
