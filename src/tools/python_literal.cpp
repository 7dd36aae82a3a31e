#include "tools/python_literal.h"

#include <cmath>

#include "core/error.h"
#include "core/utf8.h"
#include "tools/format_support.h"

namespace flash::tools::detail {
namespace {

[[noreturn]] void fail(std::string_view what, size_t pos) {
    throw Error("python literal: " + std::string(what) + " at offset " + std::to_string(pos));
}

uint32_t read_hex4(std::string_view s, size_t& pos) {
    if (pos + 4 > s.size()) fail("short \\u escape", pos);
    uint32_t cp = 0;
    for (size_t k = 0; k < 4; ++k) {
        const char c = s[pos + k];
        const int digit = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
        if (digit < 0) fail("bad \\u escape", pos);
        cp = cp * 16 + static_cast<uint32_t>(digit);
    }
    pos += 4;
    return cp;
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
            case 'n':
                out += '\n';
                break;
            case 't':
                out += '\t';
                break;
            case 'r':
                out += '\r';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'u': {
                uint32_t cp = read_hex4(s, pos);
                // A surrogate pair (as JSON writes non-BMP characters) is one character.
                if (cp >= 0xD800 && cp <= 0xDBFF && s.substr(pos, 2) == "\\u") {
                    size_t next = pos + 2;
                    const uint32_t low = read_hex4(s, next);
                    if (low >= 0xDC00 && low <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        pos = next;
                    }
                }
                append_utf8(out, cp);
                break;
            }
            default:
                out += c;  // \\ \' \" \/ and Python's keep-the-character rule
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
            if (pos < s.size() && s[pos] == ',')
                ++pos;
            else if (pos >= s.size() || s[pos] != close)
                fail("expected ',' or a closing bracket", pos);
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
            if (pos < s.size() && s[pos] == ',')
                ++pos;
            else if (pos >= s.size() || s[pos] != '}')
                fail("expected ',' or '}'", pos);
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
