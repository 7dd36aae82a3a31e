#include "tools/python_literal.h"

#include <cmath>

#include "core/error.h"
#include "tools/format_support.h"

namespace flash::tools::detail {
namespace {

[[noreturn]] void fail(std::string_view what, size_t pos) {
    throw Error("python literal: " + std::string(what) + " at offset " + std::to_string(pos));
}

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string parse_string(std::string_view s, size_t& pos) {
    const char quote = s[pos++];
    std::string out;
    while (pos < s.size() && s[pos] != quote) {
        char c = s[pos++];
        if (c != '\\') {
            out += c;
            continue;
        }
        if (pos >= s.size()) break;
        c = s[pos++];
        switch (c) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'u': {
                if (pos + 4 > s.size()) fail("short \\u escape", pos);
                const uint32_t cp = std::stoul(std::string(s.substr(pos, 4)), nullptr, 16);
                pos += 4;
                append_utf8(out, cp);
                break;
            }
            default: out += c;  // \\ \' \" \/ and Python's keep-the-character rule
        }
    }
    if (pos >= s.size()) fail("unterminated string", pos);
    ++pos;
    return out;
}

Json parse_number(std::string_view s, size_t& pos) {
    const size_t start = pos;
    if (s[pos] == '-' || s[pos] == '+') ++pos;
    bool is_float = false;
    while (pos < s.size()) {
        const char c = s[pos];
        if (c >= '0' && c <= '9') {
            ++pos;
        } else if (c == '.' || c == 'e' || c == 'E' ||
                   ((c == '-' || c == '+') && (s[pos - 1] == 'e' || s[pos - 1] == 'E'))) {
            is_float = true;
            ++pos;
        } else {
            break;
        }
    }
    const std::string text(s.substr(start, pos - start));
    try {
        if (!is_float) return Json(std::stoll(text));
        return Json(std::stod(text));
    } catch (const std::exception&) {
        fail("bad number '" + text + "'", start);
    }
}

}  // namespace

void skip_space(std::string_view s, size_t& pos) {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r'))
        ++pos;
}

std::string read_identifier(std::string_view s, size_t& pos) {
    const size_t start = pos;
    while (pos < s.size()) {
        const char c = s[pos];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        if (!ok) break;
        ++pos;
    }
    return std::string(s.substr(start, pos - start));
}

Json parse_python_value(std::string_view s, size_t& pos) {
    skip_space(s, pos);
    if (pos >= s.size()) fail("expected a value, found the end", pos);
    const char c = s[pos];
    if (c == '"' || c == '\'') return Json(parse_string(s, pos));
    if (c == '[' || c == '(') {
        const char close = c == '[' ? ']' : ')';
        ++pos;
        Json list = Json::array();
        for (;;) {
            skip_space(s, pos);
            if (pos < s.size() && s[pos] == close) break;
            list.push_back(parse_python_value(s, pos));
            skip_space(s, pos);
            if (pos < s.size() && s[pos] == ',') ++pos;
            else if (pos >= s.size() || s[pos] != close) fail("expected ',' or a closing bracket", pos);
        }
        ++pos;
        return list;
    }
    if (c == '{') {
        ++pos;
        Json object = Json::object();
        for (;;) {
            skip_space(s, pos);
            if (pos < s.size() && s[pos] == '}') break;
            const Json key = parse_python_value(s, pos);
            if (!key.is_string()) fail("dict keys must be strings", pos);
            skip_space(s, pos);
            if (pos >= s.size() || s[pos] != ':') fail("expected ':'", pos);
            ++pos;
            object[key.get<std::string>()] = parse_python_value(s, pos);
            skip_space(s, pos);
            if (pos < s.size() && s[pos] == ',') ++pos;
            else if (pos >= s.size() || s[pos] != '}') fail("expected ',' or '}'", pos);
        }
        ++pos;
        return object;
    }
    if (c == '-' || c == '+' || (c >= '0' && c <= '9') || c == '.') return parse_number(s, pos);
    const size_t start = pos;
    const std::string word = read_identifier(s, pos);
    if (word == "True" || word == "true") return Json(true);
    if (word == "False" || word == "false") return Json(false);
    if (word == "None" || word == "null") return Json(nullptr);
    fail(word.empty() ? "unexpected character" : "unknown name '" + word + "'", start);
}

std::string python_literal(const Json& value) {
    if (value.is_boolean()) return value.get<bool>() ? "True" : "False";
    if (value.is_null()) return "None";
    if (value.is_array()) {
        std::string out = "[";
        for (size_t i = 0; i < value.size(); ++i) out += (i ? ", " : "") + python_literal(value[i]);
        return out + "]";
    }
    if (value.is_object()) {
        std::string out = "{";
        bool first = true;
        for (const auto& [k, v] : value.items()) {
            out += (first ? "" : ", ") + Json(k).dump() + ": " + python_literal(v);
            first = false;
        }
        return out + "}";
    }
    return value.dump(-1, ' ', false);
}

}  // namespace flash::tools::detail
