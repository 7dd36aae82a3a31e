#include "retrieval/html_entities.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "core/utf8.h"

namespace flash::retrieval {
namespace {

// The entities people actually write; the full HTML list has 2,231 and would add nothing a
// document here is likely to hold. Sorted by name for binary search.
constexpr std::pair<std::string_view, uint32_t> k_named[] = {
    {"AElig", 0xC6},    {"Aacute", 0xC1},   {"Acirc", 0xC2},    {"Agrave", 0xC0},
    {"Alpha", 0x391},   {"Aring", 0xC5},    {"Atilde", 0xC3},   {"Auml", 0xC4},
    {"Beta", 0x392},    {"Ccedil", 0xC7},   {"Dagger", 0x2021}, {"Delta", 0x394},
    {"ETH", 0xD0},      {"Eacute", 0xC9},   {"Ecirc", 0xCA},    {"Egrave", 0xC8},
    {"Euml", 0xCB},     {"Gamma", 0x393},   {"Iacute", 0xCD},   {"Icirc", 0xCE},
    {"Igrave", 0xCC},   {"Iuml", 0xCF},     {"Lambda", 0x39B},  {"Ntilde", 0xD1},
    {"OElig", 0x152},   {"Oacute", 0xD3},   {"Ocirc", 0xD4},    {"Ograve", 0xD2},
    {"Omega", 0x3A9},   {"Oslash", 0xD8},   {"Otilde", 0xD5},   {"Ouml", 0xD6},
    {"Phi", 0x3A6},     {"Pi", 0x3A0},      {"Prime", 0x2033},  {"Psi", 0x3A8},
    {"Scaron", 0x160},  {"Sigma", 0x3A3},   {"THORN", 0xDE},    {"Theta", 0x398},
    {"Uacute", 0xDA},   {"Ucirc", 0xDB},    {"Ugrave", 0xD9},   {"Uuml", 0xDC},
    {"Yacute", 0xDD},   {"Yuml", 0x178},    {"aacute", 0xE1},   {"acirc", 0xE2},
    {"acute", 0xB4},    {"aelig", 0xE6},    {"agrave", 0xE0},   {"alpha", 0x3B1},
    {"amp", 0x26},      {"apos", 0x27},     {"aring", 0xE5},    {"asymp", 0x2248},
    {"atilde", 0xE3},   {"auml", 0xE4},     {"bdquo", 0x201E},  {"beta", 0x3B2},
    {"brvbar", 0xA6},   {"bull", 0x2022},   {"ccedil", 0xE7},   {"cedil", 0xB8},
    {"cent", 0xA2},     {"check", 0x2713},  {"copy", 0xA9},     {"curren", 0xA4},
    {"dagger", 0x2020}, {"darr", 0x2193},   {"deg", 0xB0},      {"delta", 0x3B4},
    {"divide", 0xF7},   {"eacute", 0xE9},   {"ecirc", 0xEA},    {"egrave", 0xE8},
    {"emsp", 0x2003},   {"ensp", 0x2002},   {"epsilon", 0x3B5}, {"eta", 0x3B7},
    {"eth", 0xF0},      {"euml", 0xEB},     {"euro", 0x20AC},   {"frac12", 0xBD},
    {"frac14", 0xBC},   {"frac34", 0xBE},   {"gamma", 0x3B3},   {"ge", 0x2265},
    {"gt", 0x3E},       {"harr", 0x2194},   {"hellip", 0x2026}, {"iacute", 0xED},
    {"icirc", 0xEE},    {"iexcl", 0xA1},    {"igrave", 0xEC},   {"infin", 0x221E},
    {"iquest", 0xBF},   {"iuml", 0xEF},     {"kappa", 0x3BA},   {"lambda", 0x3BB},
    {"laquo", 0xAB},    {"larr", 0x2190},   {"ldquo", 0x201C},  {"le", 0x2264},
    {"lrm", 0x200E},    {"lsaquo", 0x2039}, {"lsquo", 0x2018},  {"lt", 0x3C},
    {"macr", 0xAF},     {"mdash", 0x2014},  {"micro", 0xB5},    {"middot", 0xB7},
    {"minus", 0x2212},  {"mu", 0x3BC},      {"nbsp", 0xA0},     {"ndash", 0x2013},
    {"ne", 0x2260},     {"not", 0xAC},      {"ntilde", 0xF1},   {"oacute", 0xF3},
    {"ocirc", 0xF4},    {"oelig", 0x153},   {"ograve", 0xF2},   {"omega", 0x3C9},
    {"ordf", 0xAA},     {"ordm", 0xBA},     {"oslash", 0xF8},   {"otilde", 0xF5},
    {"ouml", 0xF6},     {"para", 0xB6},     {"permil", 0x2030}, {"phi", 0x3C6},
    {"pi", 0x3C0},      {"plusmn", 0xB1},   {"pound", 0xA3},    {"prime", 0x2032},
    {"psi", 0x3C8},     {"quot", 0x22},     {"raquo", 0xBB},    {"rarr", 0x2192},
    {"rdquo", 0x201D},  {"reg", 0xAE},      {"rlm", 0x200F},    {"rsaquo", 0x203A},
    {"rsquo", 0x2019},  {"sbquo", 0x201A},  {"scaron", 0x161},  {"sect", 0xA7},
    {"shy", 0xAD},      {"sigma", 0x3C3},   {"sup1", 0xB9},     {"sup2", 0xB2},
    {"sup3", 0xB3},     {"szlig", 0xDF},    {"tau", 0x3C4},     {"theta", 0x3B8},
    {"thinsp", 0x2009}, {"thorn", 0xFE},    {"times", 0xD7},    {"trade", 0x2122},
    {"uacute", 0xFA},   {"uarr", 0x2191},   {"ucirc", 0xFB},    {"ugrave", 0xF9},
    {"uml", 0xA8},      {"uuml", 0xFC},     {"yacute", 0xFD},   {"yen", 0xA5},
    {"yuml", 0xFF},     {"zwj", 0x200D},    {"zwnj", 0x200C},
};

// Windows-1252 for 0x80..0x9F, which pages write as numeric references by mistake.
constexpr std::array<uint16_t, 32> k_cp1252 = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

bool decode_numeric(std::string_view s, size_t& pos, std::string& out) {
    size_t i = pos + 2;  // past "&#"
    const bool hex = i < s.size() && (s[i] == 'x' || s[i] == 'X');
    if (hex) ++i;
    const size_t digits_start = i;
    uint64_t value = 0;
    while (i < s.size() && (hex ? std::isxdigit(static_cast<unsigned char>(s[i]))
                                : std::isdigit(static_cast<unsigned char>(s[i])))) {
        const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
        value = value * (hex ? 16 : 10) + static_cast<uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
        if (value > 0x10FFFF) value = 0x110000;  // saturate: long digit runs are still invalid
        ++i;
    }
    if (i == digits_start) return false;
    if (i < s.size() && s[i] == ';') ++i;
    uint32_t cp = static_cast<uint32_t>(value);
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    if (cp >= 0x80 && cp <= 0x9F) cp = k_cp1252[cp - 0x80];
    append_utf8(out, cp);
    pos = i;
    return true;
}

}  // namespace

bool decode_entity(std::string_view s, size_t& pos, std::string& out) {
    if (pos + 1 >= s.size() || s[pos] != '&') return false;
    if (s[pos + 1] == '#') return decode_numeric(s, pos, out);
    size_t i = pos + 1;
    while (i < s.size() && i - pos <= 8 && std::isalnum(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= s.size() || s[i] != ';') return false;  // named references need their ';'
    const std::string_view name = s.substr(pos + 1, i - pos - 1);
    const auto* end = std::end(k_named);
    const auto* it =
        std::lower_bound(std::begin(k_named), end, name,
                         [](const auto& e, std::string_view n) { return e.first < n; });
    if (it == end || it->first != name) return false;
    append_utf8(out, it->second);
    pos = i + 1;
    return true;
}

}  // namespace flash::retrieval
