#include "chat/jinja/strformat.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "chat/jinja/errors.h"
#include "chat/jinja/format.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/pystr.h"
#include "chat/jinja/utf8.h"

namespace flash::jinja {
namespace {

std::string c_format(const std::string& spec, long long i) {
    std::vector<char> buf(512);
    const int n = std::snprintf(buf.data(), buf.size(), spec.c_str(), i);
    if (n >= static_cast<int>(buf.size())) {
        buf.resize(static_cast<size_t>(n) + 1);
        std::snprintf(buf.data(), buf.size(), spec.c_str(), i);
    }
    return buf.data();
}

std::string c_format(const std::string& spec, double d) {
    std::vector<char> buf(512);
    const int n = std::snprintf(buf.data(), buf.size(), spec.c_str(), d);
    if (n >= static_cast<int>(buf.size())) {
        buf.resize(static_cast<size_t>(n) + 1);
        std::snprintf(buf.data(), buf.size(), spec.c_str(), d);
    }
    return buf.data();
}

int64_t to_int_for(char conv, const Value& v) {
    if (v.is_undefined()) fail_undefined(v);
    if (v.kind() == Kind::Float) {
        if (conv == 'x' || conv == 'X' || conv == 'o' || conv == 'c')
            throw RenderError(std::string("%") + conv +
                              " format: an integer is required, not float");
        const double d = v.as_double();
        if (!std::isfinite(d) || std::fabs(d) >= 9.2e18)
            throw RenderError("cannot convert float to integer");
        return static_cast<int64_t>(d);
    }
    if (!v.is_number())
        throw RenderError(std::string("%") + conv + " format: a real number is required, not " +
                          type_name(v));
    return v.as_int();
}

std::string pad_to(std::string s, int width, bool left) {
    const int n = static_cast<int>(utf8::length(s));
    if (n >= width) return s;
    const std::string fill(static_cast<size_t>(width - n), ' ');
    return left ? s + fill : fill + s;
}

}  // namespace

std::string percent_format(Interpreter& in, std::string_view fmt, const Value& args) {
    std::vector<Value> positional;
    const DictObject* mapping = nullptr;
    bool maybe_mapping = false;
    if (args.is_seq(SeqKind::Tuple)) {
        positional = args.seq().items;
    } else {
        if (args.kind() == Kind::Dict) mapping = &args.dict();
        // CPython treats anything with __getitem__ (dict, list, undefined) as a mapping and
        // then does not insist that every argument is used.
        maybe_mapping =
            args.kind() == Kind::Dict || args.is_seq(SeqKind::List) || args.is_undefined();
        positional.push_back(args);
    }
    size_t next_arg = 0;
    auto take = [&]() -> const Value& {
        if (next_arg >= positional.size())
            throw RenderError("not enough arguments for format string");
        return positional[next_arg++];
    };
    bool used_mapping = false;
    std::string out;
    for (size_t i = 0; i < fmt.size(); ++i) {
        if (fmt[i] != '%') {
            out += fmt[i];
            continue;
        }
        if (++i >= fmt.size()) throw RenderError("incomplete format");
        const Value* value = nullptr;
        if (fmt[i] == '(') {
            const size_t close = fmt.find(')', i);
            if (close == std::string_view::npos) throw RenderError("incomplete format key");
            if (!mapping) throw RenderError("format requires a mapping");
            value = mapping->find(fmt.substr(i + 1, close - i - 1));
            if (!value)
                throw RenderError("KeyError: " + py::repr(fmt.substr(i + 1, close - i - 1)));
            used_mapping = true;
            i = close + 1;
        }
        std::string flags;
        while (i < fmt.size() && std::string_view("-+ #0").find(fmt[i]) != std::string_view::npos)
            flags += fmt[i++];
        int width = -1, precision = -1;
        auto number = [&](int& target) {
            if (i < fmt.size() && fmt[i] == '*') {
                target =
                    static_cast<int>(std::clamp<int64_t>(to_int_for('d', take()), -100000, 100000));
                ++i;
                return;
            }
            int n = 0;
            bool any = false;
            while (i < fmt.size() && fmt[i] >= '0' && fmt[i] <= '9') {
                n = std::min(n * 10 + (fmt[i++] - '0'), 100000);
                any = true;
            }
            if (any) target = n;
        };
        number(width);
        if (i < fmt.size() && fmt[i] == '.') {
            ++i;
            precision = 0;
            number(precision);
        }
        while (i < fmt.size() && (fmt[i] == 'h' || fmt[i] == 'l' || fmt[i] == 'L')) ++i;
        if (i >= fmt.size()) throw RenderError("incomplete format");
        const char conv = fmt[i];
        if (conv == '%') {
            out += '%';
            continue;
        }
        const Value& v = value ? *value : take();
        const bool left = flags.find('-') != std::string::npos;
        std::string spec = "%" + flags + (width >= 0 ? std::to_string(width) : "") +
                           (precision >= 0 ? "." + std::to_string(precision) : "");
        switch (conv) {
            case 's':
            case 'r':
            case 'a': {
                std::string s = conv == 's' ? to_str(v) : repr(v);
                if (precision >= 0)
                    s = utf8::encode(utf8::decode(s).substr(0, static_cast<size_t>(precision)));
                out += pad_to(std::move(s), width, left);
                break;
            }
            case 'd':
            case 'i':
            case 'u':
                out += c_format(spec + "lld", static_cast<long long>(to_int_for(conv, v)));
                break;
            case 'x':
            case 'X':
            case 'o': {
                std::string s =
                    c_format(spec + "ll" + conv, static_cast<long long>(to_int_for(conv, v)));
                if (conv == 'o' && flags.find('#') != std::string::npos) {
                    const size_t z = s.find('0');  // C's alternate octal is "0…", Python's "0o…"
                    if (z != std::string::npos) s.insert(z + 1, "o");
                }
                out += s;
                break;
            }
            case 'e':
            case 'E':
            case 'f':
            case 'F':
            case 'g':
            case 'G':
                if (!v.is_number()) throw RenderError("must be real number, not " + type_name(v));
                out += c_format(spec + conv, v.as_double());
                break;
            case 'c': {
                std::string ch;
                if (v.is_string() && utf8::length(v.str()) == 1)
                    ch = v.str();
                else
                    utf8::append(ch, static_cast<char32_t>(to_int_for('c', v)));
                out += pad_to(ch, width, left);
                break;
            }
            default:
                throw RenderError(std::string("unsupported format character '") + conv + "'");
        }
        in.check_size(out.size());
    }
    if (!used_mapping && !maybe_mapping && next_arg < positional.size())
        throw RenderError("not all arguments converted during string formatting");
    return out;
}

namespace {

// format(value, spec) for the mini-language: [[fill]align][sign][#][0][width][,_][.precision][type]
std::string format_spec(const Value& v, std::string_view spec) {
    if (spec.empty()) return to_str(v);
    std::u32string s = utf8::decode(spec);
    size_t i = 0;
    char32_t fill = ' ';
    char align = 0;
    auto is_align = [](char32_t c) { return c == '<' || c == '>' || c == '=' || c == '^'; };
    if (s.size() >= 2 && is_align(s[1])) {
        fill = s[0];
        align = static_cast<char>(s[1]);
        i = 2;
    } else if (!s.empty() && is_align(s[0])) {
        align = static_cast<char>(s[0]);
        i = 1;
    }
    char sign = '-';
    if (i < s.size() && (s[i] == '+' || s[i] == '-' || s[i] == ' '))
        sign = static_cast<char>(s[i++]);
    bool alt = false;
    if (i < s.size() && s[i] == '#') alt = (++i, true);
    if (i < s.size() && s[i] == '0') {
        if (!align) {
            fill = '0';
            align = '=';
        }
        ++i;
    }
    int64_t width = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
        width = std::min<int64_t>(width * 10 + (s[i++] - '0'), 100000);
    char group = 0;
    if (i < s.size() && (s[i] == ',' || s[i] == '_')) group = static_cast<char>(s[i++]);
    int precision = -1;
    if (i < s.size() && s[i] == '.') {
        ++i;
        precision = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9')
            precision = std::min(precision * 10 + static_cast<int>(s[i++] - '0'), 1000);
    }
    char type = 0;
    if (i < s.size()) type = static_cast<char>(s[i++]);
    if (i != s.size()) throw RenderError("invalid format specifier");

    std::string body, prefix;
    if (v.is_string() || (!v.is_number())) {
        if (!v.is_string() && !v.is_undefined())
            throw RenderError("unsupported format string passed to " + type_name(v) +
                              ".__format__");
        if (type && type != 's')
            throw RenderError(std::string("unknown format code '") + type +
                              "' for object of type 'str'");
        body = to_str(v);
        if (precision >= 0)
            body = utf8::encode(utf8::decode(body).substr(0, static_cast<size_t>(precision)));
        if (!align) align = '<';
    } else {
        const bool is_float =
            v.kind() == Kind::Float ||
            (type && std::string_view("eEfFgG%").find(type) != std::string_view::npos);
        double d = v.as_double();
        bool negative;
        if (!is_float) {
            const int64_t x = v.as_int();
            negative = x < 0;
            const unsigned long long u = negative ? 0ULL - static_cast<unsigned long long>(x)
                                                  : static_cast<unsigned long long>(x);
            const char t = type ? type : 'd';
            if (t == 'c') {
                utf8::append(body, static_cast<char32_t>(x));
                negative = false;
            } else if (t == 'd' || t == 'n') {
                body = std::to_string(u);
            } else if (t == 'x' || t == 'X' || t == 'o' || t == 'b') {
                const int base = t == 'o' ? 8 : t == 'b' ? 2 : 16;
                const char* digits = t == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
                unsigned long long w = u;
                do {
                    body.insert(body.begin(), digits[w % base]);
                    w /= base;
                } while (w);
                if (alt) prefix = std::string("0") + (t == 'o' ? 'o' : t == 'b' ? 'b' : t);
            } else {
                throw RenderError(std::string("unknown format code '") + t +
                                  "' for object of type 'int'");
            }
        } else {
            negative = std::signbit(d) && !std::isnan(d);
            d = std::fabs(d);
            if (!type && precision < 0) {
                body = float_repr(d);
            } else {
                char t = type ? type : 'g';
                double x = d;
                if (t == '%') {
                    x *= 100;
                    t = 'f';
                }
                const int p = precision < 0 ? 6 : precision;
                body = c_format("%." + std::to_string(p) + (alt ? "#" : "") + t, x);
                if (!type && body.find_first_of(".e") == std::string::npos && std::isfinite(d))
                    body += ".0";
                if (type == '%') body += '%';
            }
        }
        if (group) {
            const size_t end = body.find_first_not_of("0123456789");
            const size_t int_len = end == std::string::npos ? body.size() : end;
            for (size_t k = int_len; k > 3; k -= 3) body.insert(k - 3, 1, group);
        }
        prefix = (negative ? "-" : sign == '+' ? "+" : sign == ' ' ? " " : "") + prefix;
        if (!align) align = '>';
    }
    const int64_t n = static_cast<int64_t>(utf8::length(prefix) + utf8::length(body));
    if (n >= width) return prefix + body;
    std::string fill_s;
    utf8::append(fill_s, fill);
    std::string pad;
    const int64_t marg = width - n;
    auto fills = [&](int64_t k) {
        std::string r;
        for (int64_t j = 0; j < k; ++j) r += fill_s;
        return r;
    };
    switch (align) {
        case '<':
            return prefix + body + fills(marg);
        case '^':
            return fills(marg / 2) + prefix + body + fills(marg - marg / 2);
        case '=':
            return prefix + fills(marg) + body;
        default:
            return fills(marg) + prefix + body;
    }
}

}  // namespace

std::string brace_format(Interpreter& in, std::string_view fmt, const CallArgs& args) {
    std::string out;
    size_t auto_index = 0;
    bool manual = false, automatic = false;
    for (size_t i = 0; i < fmt.size(); ++i) {
        const char c = fmt[i];
        if (c == '}') {
            if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
                out += '}';
                ++i;
                continue;
            }
            throw RenderError("Single '}' encountered in format string");
        }
        if (c != '{') {
            out += c;
            continue;
        }
        if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
            out += '{';
            ++i;
            continue;
        }
        const size_t close = fmt.find('}', i);
        if (close == std::string_view::npos) throw RenderError("expected '}' before end of string");
        std::string_view field = fmt.substr(i + 1, close - i - 1);
        i = close;
        std::string_view spec, conv;
        if (const size_t colon = field.find(':'); colon != std::string_view::npos) {
            spec = field.substr(colon + 1);
            field = field.substr(0, colon);
        }
        if (const size_t bang = field.find('!'); bang != std::string_view::npos) {
            conv = field.substr(bang + 1);
            field = field.substr(0, bang);
        }
        const size_t chain = field.find_first_of(".[");
        const std::string_view head = field.substr(0, chain);
        Value v;
        if (head.empty() || (head[0] >= '0' && head[0] <= '9')) {
            size_t index;
            if (head.empty()) {
                if (manual)
                    throw RenderError(
                        "cannot switch from manual field specification to automatic field "
                        "numbering");
                automatic = true;
                index = auto_index++;
            } else {
                if (automatic)
                    throw RenderError(
                        "cannot switch from automatic field numbering to manual field "
                        "specification");
                manual = true;
                index = std::stoul(std::string(head));
            }
            if (index >= args.args.size())
                throw RenderError("Replacement index " + std::to_string(index) +
                                  " out of range for positional args tuple");
            v = args.args[index];
        } else {
            const Value* found = nullptr;
            for (const auto& [k, x] : args.kwargs)
                if (k == head) found = &x;
            if (!found) throw RenderError("KeyError: " + py::repr(head));
            v = *found;
        }
        // .attr and [key] lookups, through the sandbox like any attribute access.
        for (size_t p = chain; p != std::string_view::npos && p < field.size();) {
            if (field[p] == '.') {
                const size_t e = field.find_first_of(".[", p + 1);
                v = in.getattr(
                    v, field.substr(p + 1, e == std::string_view::npos ? std::string_view::npos
                                                                       : e - p - 1));
                p = e;
            } else {
                const size_t e = field.find(']', p);
                if (e == std::string_view::npos) throw RenderError("Missing ']' in format string");
                const std::string key(field.substr(p + 1, e - p - 1));
                const bool digits =
                    !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
                v = in.getitem(v, digits ? Value::integer(std::stoll(key)) : Value::string(key));
                p = e + 1;
            }
        }
        if (conv == "r" || conv == "a")
            v = Value::string(repr(v));
        else if (conv == "s")
            v = Value::string(to_str(v));
        else if (!conv.empty())
            throw RenderError("Unknown conversion specifier " + std::string(conv));
        out += format_spec(v, spec);
        in.check_size(out.size());
    }
    return out;
}

}  // namespace flash::jinja
