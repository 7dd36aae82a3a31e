#include "chat/jinja/pystr.h"

#include <algorithm>

#include "chat/jinja/errors.h"
#include "chat/jinja/utf8.h"

namespace flash::jinja::py {
namespace {

bool in_set(char32_t c, const std::u32string* set) {
    return set ? set->find(c) != std::u32string::npos : utf8::is_space(c);
}

// Clamps Python-style [start, end) bounds to [0, n].
void bounds(Range r, int64_t n, int64_t& start, int64_t& end) {
    start = r.start.value_or(0);
    end = r.end.value_or(n);
    if (start < 0) start = std::max<int64_t>(0, start + n);
    if (end < 0) end = std::max<int64_t>(0, end + n);
    end = std::min(end, n);
}

}  // namespace

std::string strip(std::string_view s, const std::string* chars, bool left, bool right) {
    const std::u32string u = utf8::decode(s);
    std::u32string set;
    if (chars) set = utf8::decode(*chars);
    const std::u32string* sp = chars ? &set : nullptr;
    size_t b = 0, e = u.size();
    if (left)
        while (b < e && in_set(u[b], sp)) ++b;
    if (right)
        while (e > b && in_set(u[e - 1], sp)) --e;
    return utf8::encode(std::u32string_view(u).substr(b, e - b));
}

std::vector<std::string> split(std::string_view s, const std::string* sep, int64_t maxsplit) {
    std::vector<std::string> out;
    if (sep) {
        if (sep->empty()) throw RenderError("empty separator");
        size_t pos = 0;
        while (maxsplit < 0 || static_cast<int64_t>(out.size()) < maxsplit) {
            const size_t hit = s.find(*sep, pos);
            if (hit == std::string_view::npos) break;
            out.emplace_back(s.substr(pos, hit - pos));
            pos = hit + sep->size();
        }
        out.emplace_back(s.substr(pos));
        return out;
    }
    const std::u32string u = utf8::decode(s);
    size_t i = 0;
    while (true) {
        while (i < u.size() && utf8::is_space(u[i])) ++i;
        if (i == u.size()) break;
        if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit) {
            out.push_back(utf8::encode(std::u32string_view(u).substr(i)));
            break;
        }
        size_t j = i;
        while (j < u.size() && !utf8::is_space(u[j])) ++j;
        out.push_back(utf8::encode(std::u32string_view(u).substr(i, j - i)));
        i = j;
    }
    return out;
}

std::vector<std::string> rsplit(std::string_view s, const std::string* sep, int64_t maxsplit) {
    std::vector<std::string> out;
    if (sep) {
        if (sep->empty()) throw RenderError("empty separator");
        size_t end = s.size();
        while (maxsplit < 0 || static_cast<int64_t>(out.size()) < maxsplit) {
            if (end < sep->size()) break;
            const size_t hit = s.rfind(*sep, end - sep->size());
            if (hit == std::string_view::npos) break;
            out.emplace_back(s.substr(hit + sep->size(), end - hit - sep->size()));
            end = hit;
        }
        out.emplace_back(s.substr(0, end));
    } else {
        const std::u32string u = utf8::decode(s);
        size_t e = u.size();
        while (true) {
            while (e > 0 && utf8::is_space(u[e - 1])) --e;
            if (e == 0) break;
            if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit) {
                out.push_back(utf8::encode(std::u32string_view(u).substr(0, e)));
                break;
            }
            size_t b = e;
            while (b > 0 && !utf8::is_space(u[b - 1])) --b;
            out.push_back(utf8::encode(std::u32string_view(u).substr(b, e - b)));
            e = b;
        }
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::vector<std::string> splitlines(std::string_view s, bool keepends) {
    std::vector<std::string> out;
    const std::u32string u = utf8::decode(s);
    size_t b = 0;
    for (size_t i = 0; i < u.size(); ++i) {
        if (!utf8::is_line_break(u[i])) continue;
        size_t e = i + 1;
        if (u[i] == '\r' && e < u.size() && u[e] == '\n') ++e;
        out.push_back(utf8::encode(std::u32string_view(u).substr(b, (keepends ? e : i) - b)));
        b = e;
        i = e - 1;
    }
    if (b < u.size()) out.push_back(utf8::encode(std::u32string_view(u).substr(b)));
    return out;
}

std::string upper(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        const char32_t c = utf8::next(s, i);
        if (c == 0xDF)
            out += "SS";
        else
            utf8::append(out, utf8::to_upper(c));
    }
    return out;
}

std::string lower(std::string_view s) {
    const std::u32string u = utf8::decode(s);
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < u.size(); ++i) {
        if (u[i] == 0x130) {
            out += "i\xCC\x87";  // İ lowers to i + combining dot above
        } else if (u[i] == 0x3A3) {
            // Final sigma: after a cased letter and not before one.
            const bool after = i > 0 && utf8::is_cased(u[i - 1]);
            const bool before = i + 1 < u.size() && utf8::is_cased(u[i + 1]);
            utf8::append(out, after && !before ? 0x3C2 : 0x3C3);
        } else {
            utf8::append(out, utf8::to_lower(u[i]));
        }
    }
    return out;
}

namespace {

// item[0].upper() + item[1:].lower(); str.capitalize title-cases the first letter instead
// (only ß differs: "Ss" rather than "SS").
std::string upper_first_lower_rest(std::string_view s, bool title_case) {
    if (s.empty()) return {};
    size_t i = 0;
    const char32_t first = utf8::next(s, i);
    const std::string head =
        title_case && first == 0xDF ? "Ss" : upper(utf8::encode(std::u32string(1, first)));
    return head + lower(s.substr(i));
}

}  // namespace

std::string capitalize(std::string_view s) {
    return upper_first_lower_rest(s, true);
}

std::string title(std::string_view s) {
    std::string out;
    bool prev_cased = false;
    for (size_t i = 0; i < s.size();) {
        const char32_t c = utf8::next(s, i);
        if (prev_cased)
            utf8::append(out, utf8::to_lower(c));
        else
            utf8::append(out, utf8::to_upper(c));
        prev_cased = utf8::is_cased(c);
    }
    return out;
}

std::string swapcase(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        const char32_t c = utf8::next(s, i);
        utf8::append(out, utf8::is_upper(c) ? utf8::to_lower(c) : utf8::to_upper(c));
    }
    return out;
}

std::string jinja_title(std::string_view s) {
    // do_title: re.split(r"([-\s({\[<]+)") and item[0].upper() + item[1:].lower() per piece.
    auto is_sep = [](char32_t c) {
        return c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || utf8::is_space(c);
    };
    const std::u32string u = utf8::decode(s);
    std::string out;
    size_t i = 0;
    while (i < u.size()) {
        size_t j = i;
        const bool sep = is_sep(u[i]);
        while (j < u.size() && is_sep(u[j]) == sep) ++j;
        const std::string piece = utf8::encode(std::u32string_view(u).substr(i, j - i));
        out += sep ? piece : upper_first_lower_rest(piece, false);
        i = j;
    }
    return out;
}

size_t word_count(std::string_view s) {
    size_t n = 0;
    bool in_word = false;
    for (size_t i = 0; i < s.size();) {
        const char32_t c = utf8::next(s, i);
        const bool w = c == '_' || utf8::is_alnum(c);
        if (w && !in_word) ++n;
        in_word = w;
    }
    return n;
}

std::string replace(std::string_view s, std::string_view old, std::string_view with,
                    int64_t count) {
    std::string out;
    if (old.empty()) {
        // Python inserts `with` before every code point and at the end.
        int64_t done = 0;
        size_t i = 0;
        while (i < s.size()) {
            if (count < 0 || done < count) {
                out += with;
                ++done;
            }
            const size_t start = i;
            utf8::next(s, i);
            out += s.substr(start, i - start);
        }
        if (count < 0 || done < count) out += with;
        return out;
    }
    size_t pos = 0;
    int64_t done = 0;
    while (count < 0 || done < count) {
        const size_t hit = s.find(old, pos);
        if (hit == std::string_view::npos) break;
        out += s.substr(pos, hit - pos);
        out += with;
        pos = hit + old.size();
        ++done;
    }
    out += s.substr(pos);
    return out;
}

int64_t find(std::string_view s, std::string_view sub, Range r, bool from_right) {
    const std::u32string u = utf8::decode(s), v = utf8::decode(sub);
    int64_t start, end;
    bounds(r, static_cast<int64_t>(u.size()), start, end);
    if (start > static_cast<int64_t>(u.size()) || end - start < static_cast<int64_t>(v.size()))
        return -1;
    const std::u32string_view w = std::u32string_view(u).substr(start, end - start);
    const size_t hit = from_right ? w.rfind(v) : w.find(v);
    return hit == std::u32string_view::npos ? -1 : start + static_cast<int64_t>(hit);
}

int64_t count(std::string_view s, std::string_view sub, Range r) {
    const std::u32string u = utf8::decode(s), v = utf8::decode(sub);
    int64_t start, end;
    bounds(r, static_cast<int64_t>(u.size()), start, end);
    if (start > end) return 0;
    if (v.empty()) return end - start + 1;
    const std::u32string_view w = std::u32string_view(u).substr(start, end - start);
    int64_t n = 0;
    for (size_t pos = w.find(v); pos != std::u32string_view::npos; pos = w.find(v, pos + v.size()))
        ++n;
    return n;
}

bool starts_with(std::string_view s, std::string_view prefix, Range r) {
    if (!r.start && !r.end) return s.substr(0, prefix.size()) == prefix;
    const std::u32string u = utf8::decode(s), v = utf8::decode(prefix);
    int64_t start, end;
    bounds(r, static_cast<int64_t>(u.size()), start, end);
    if (start > static_cast<int64_t>(u.size())) return false;
    if (end - start < static_cast<int64_t>(v.size())) return false;
    return std::u32string_view(u).substr(start, v.size()) == v;
}

bool ends_with(std::string_view s, std::string_view suffix, Range r) {
    if (!r.start && !r.end)
        return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
    const std::u32string u = utf8::decode(s), v = utf8::decode(suffix);
    int64_t start, end;
    bounds(r, static_cast<int64_t>(u.size()), start, end);
    if (start > static_cast<int64_t>(u.size())) return false;
    if (end - start < static_cast<int64_t>(v.size())) return false;
    return std::u32string_view(u).substr(end - v.size(), v.size()) == v;
}

}  // namespace flash::jinja::py
