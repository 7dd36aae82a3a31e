// Text, number and JSON filters, and the filter table. Sequence filters live in
// filters_seq.cpp. Each follows jinja2 3.1's implementation (soft_str first for text filters,
// Python's int()/float()/round() rules), with transformers' tojson.
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "chat/jinja/builtins.h"
#include "chat/jinja/errors.h"
#include "chat/jinja/format.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/pystr.h"
#include "chat/jinja/strformat.h"
#include "chat/jinja/utf8.h"

namespace flash::jinja {
namespace {

// A text filter's result stays Markup when its input was (soft_str keeps Markup).
Value same_kind(const Value& v, std::string s) {
    return v.is_markup() ? Value::markup(std::move(s)) : Value::string(std::move(s));
}

Value text(const Value& v, std::string (*fn)(std::string_view)) {
    return same_kind(v, fn(to_str(v)));
}

void no_args(const CallArgs& a, const char* filter) {
    if (!a.args.empty() || !a.kwargs.empty())
        throw RenderError(std::string("filter '") + filter + "' takes no arguments");
}

Value f_upper(Interpreter&, const Value& v, CallArgs& a) {
    return no_args(a, "upper"), text(v, py::upper);
}
Value f_lower(Interpreter&, const Value& v, CallArgs& a) {
    return no_args(a, "lower"), text(v, py::lower);
}
Value f_capitalize(Interpreter&, const Value& v, CallArgs& a) {
    return no_args(a, "capitalize"), text(v, py::capitalize);
}
Value f_title(Interpreter&, const Value& v, CallArgs& a) {
    return no_args(a, "title"), text(v, py::jinja_title);
}
Value f_string(Interpreter&, const Value& v, CallArgs& a) {
    return no_args(a, "string"), same_kind(v, to_str(v));
}
Value f_safe(Interpreter&, const Value& v, CallArgs& a) {
    no_args(a, "safe");
    return Value::markup(to_str(v));
}
Value f_escape(Interpreter&, const Value& v, CallArgs& a) {
    no_args(a, "escape");
    if (v.is_markup()) return v;  // already safe
    return Value::markup(py::html_escape(to_str(v)));
}

Value f_forceescape(Interpreter&, const Value& v, CallArgs& a) {
    no_args(a, "forceescape");
    return Value::markup(py::html_escape(to_str(v)));
}

Value f_wordcount(Interpreter&, const Value& v, CallArgs& a) {
    no_args(a, "wordcount");
    return Value::integer(static_cast<int64_t>(py::word_count(to_str(v))));
}

Value f_trim(Interpreter&, const Value& v, CallArgs& a) {
    Params p(a, "filter 'trim'", {"chars"});
    const std::string* chars = p.has(0) ? &str_arg(*p.get(0), "filter 'trim'") : nullptr;
    return same_kind(v, py::strip(to_str(v), chars, true, true));
}

Value f_replace(Interpreter& in, const Value& v, CallArgs& a) {
    Params p(a, "filter 'replace'", {"old", "new", "count"}, 2);
    const std::string s = to_str(v), old = to_str(*p.get(0)), with = to_str(*p.get(1));
    if (old.empty()) in.check_size(s.size() + (s.size() + 1) * with.size());
    std::string out =
        py::replace(s, old, with, p.has(2) ? int_arg(*p.get(2), "filter 'replace'") : -1);
    in.check_size(out.size());
    return Value::string(std::move(out));
}

Value f_indent(Interpreter& in, const Value& v, CallArgs& a) {
    Params p(a, "filter 'indent'", {"width", "first", "blank"});
    if (v.is_undefined()) fail_undefined(v);
    if (!v.is_string())
        throw RenderError("unsupported operand type(s) for +=: '" + type_name(v) + "' and 'str'");
    std::string indention = "    ";
    if (p.has(0)) {
        const Value& w = *p.get(0);
        if (w.is_string()) {
            indention = w.str();
        } else {
            const int64_t n = int_arg(w, "filter 'indent'");
            in.check_size(static_cast<size_t>(std::max<int64_t>(n, 0)));
            indention.assign(static_cast<size_t>(std::max<int64_t>(n, 0)), ' ');
        }
    }
    const bool first = p.has(1) && truthy(*p.get(1)), blank = p.has(2) && truthy(*p.get(2));
    const std::vector<std::string> lines = py::splitlines(v.str() + "\n", false);
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
        if (i) out += '\n';
        if (i > 0 && (blank || !lines[i].empty())) out += indention;
        out += lines[i];
        in.check_size(out.size());
    }
    if (first) out = indention + out;
    return same_kind(v, std::move(out));
}

Value f_center(Interpreter& in, const Value& v, CallArgs& a) {
    Params p(a, "filter 'center'", {"width"});
    const int64_t width = p.has(0) ? int_arg(*p.get(0), "filter 'center'") : 80;
    in.check_size(static_cast<size_t>(std::max<int64_t>(width, 0)));
    return same_kind(v, py::pad(to_str(v), width, ' ', '^'));
}

Value f_format(Interpreter& in, const Value& v, CallArgs& a) {
    if (!a.args.empty() && !a.kwargs.empty())
        throw RenderError("can't handle positional and keyword arguments at the same time");
    Value args;
    if (!a.kwargs.empty()) {
        DictObject d;
        for (auto& [k, x] : a.kwargs) d.set(Value::string(k), x);
        args = Value::dict(std::move(d));
    } else {
        args = Value::sequence(a.args, SeqKind::Tuple);
    }
    return Value::string(percent_format(in, to_str(v), args));
}

// Python's int(str, base): surrounding whitespace, a sign, underscores between digits.
std::optional<int64_t> parse_int(const std::string& text, int base) {
    std::string s = py::strip(text, nullptr, true, true);
    bool neg = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        s.erase(0, 1);
    }
    if (s.size() > 2 && s[0] == '0') {
        const char x = static_cast<char>(s[1] | 0x20);
        if ((x == 'x' && (base == 16 || base == 0)) || (x == 'o' && (base == 8 || base == 0)) ||
            (x == 'b' && (base == 2 || base == 0))) {
            base = x == 'x' ? 16 : x == 'o' ? 8 : 2;
            s.erase(0, 2);
            if (!s.empty() && s[0] == '_') s.erase(0, 1);
        }
    }
    if (base == 0) base = 10;
    if (s.empty() || s.front() == '_' || s.back() == '_' || s.find("__") != std::string::npos)
        return std::nullopt;
    std::string digits;
    for (char c : s) {
        if (c == '_') continue;
        const int d = c >= '0' && c <= '9'                       ? c - '0'
                      : ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ? (c | 0x20) - 'a' + 10
                                                                 : 99;
        if (d >= base) return std::nullopt;
        digits += c;
    }
    errno = 0;
    const unsigned long long u = std::strtoull(digits.c_str(), nullptr, base);
    if (errno == ERANGE || u > static_cast<unsigned long long>(INT64_MAX))
        throw RenderError("integer " + text + " is too large");
    return neg ? -static_cast<int64_t>(u) : static_cast<int64_t>(u);
}

// Python's float(str): decimal or exponent notation, inf, nan; no hex.
std::optional<double> parse_float(const std::string& text) {
    std::string s = py::strip(text, nullptr, true, true);
    std::string clean;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '_') {
            if (i == 0 || i + 1 == s.size() ||
                !std::isdigit(static_cast<unsigned char>(s[i - 1])) ||
                !std::isdigit(static_cast<unsigned char>(s[i + 1])))
                return std::nullopt;
            continue;
        }
        clean += s[i];
    }
    if (clean.empty() || clean.find_first_of("xX") != std::string::npos) return std::nullopt;
    char* end = nullptr;
    const double d = std::strtod(clean.c_str(), &end);
    if (end != clean.c_str() + clean.size()) return std::nullopt;
    const std::string lower = py::lower(clean);
    const std::string body = lower[0] == '+' || lower[0] == '-' ? lower.substr(1) : lower;
    if (std::isnan(d) && body != "nan") return std::nullopt;  // strtod's nan(...) forms
    if (std::isinf(d) && body != "inf" && body != "infinity" &&
        body.find_first_not_of("0123456789.e+-") != std::string::npos)
        return std::nullopt;
    return d;
}

Value f_int(Interpreter&, const Value& v, CallArgs& a) {
    Params p(a, "filter 'int'", {"default", "base"});
    const Value dflt = p.get_or(0, Value::integer(0));
    const int base = p.has(1) ? static_cast<int>(int_arg(*p.get(1), "filter 'int'")) : 10;
    if (v.is_undefined()) fail_undefined(v);
    if (v.is_string()) {
        if (auto i = parse_int(v.str(), base)) return Value::integer(*i);
        if (auto d = parse_float(v.str())) {
            if (std::isnan(*d)) return dflt;
            if (std::isinf(*d) || std::fabs(*d) >= 9.2e18)
                throw RenderError("cannot convert float infinity to integer");
            return Value::integer(static_cast<int64_t>(*d));
        }
        return dflt;
    }
    if (v.kind() == Kind::Float) {
        const double d = v.as_double();
        if (std::isnan(d)) return dflt;
        if (std::isinf(d) || std::fabs(d) >= 9.2e18)
            throw RenderError("cannot convert float infinity to integer");
        return Value::integer(static_cast<int64_t>(d));
    }
    if (v.is_number()) return Value::integer(v.as_int());
    return dflt;
}

Value f_float(Interpreter&, const Value& v, CallArgs& a) {
    Params p(a, "filter 'float'", {"default"});
    const Value dflt = p.get_or(0, Value::number(0.0));
    if (v.is_undefined()) fail_undefined(v);
    if (v.is_number()) return Value::number(v.as_double());
    if (v.is_string())
        if (auto d = parse_float(v.str())) return Value::number(*d);
    return dflt;
}

Value f_abs(Interpreter&, const Value& v, CallArgs& a) {
    no_args(a, "abs");
    if (v.is_undefined()) fail_undefined(v);
    if (v.kind() == Kind::Float) return Value::number(std::fabs(v.as_double()));
    if (!v.is_number()) throw RenderError("bad operand type for abs(): '" + type_name(v) + "'");
    if (v.as_int() == INT64_MIN) throw RenderError("integer result too large for 64 bits");
    return Value::integer(v.as_int() < 0 ? -v.as_int() : v.as_int());
}

// Python's round(x, n): exact decimal rounding, ties to even, of the double's true value.
double round_to(double x, int64_t n) {
    if (!std::isfinite(x)) return x;
    if (n > 300) return x;
    if (n >= 0) {
        char buf[512];
        std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(n), x);
        return std::strtod(buf, nullptr);
    }
    const double p = std::pow(10.0, static_cast<double>(-n));
    return std::nearbyint(x / p) * p;
}

Value f_round(Interpreter&, const Value& v, CallArgs& a) {
    Params p(a, "filter 'round'", {"precision", "method"});
    const int64_t precision = p.has(0) ? int_arg(*p.get(0), "filter 'round'") : 0;
    const std::string method = p.has(1) ? str_arg(*p.get(1), "filter 'round'") : "common";
    if (method != "common" && method != "ceil" && method != "floor")
        throw RenderError("method must be common, ceil or floor");
    if (v.is_undefined()) fail_undefined(v);
    if (!v.is_number())
        throw RenderError("type " + type_name(v) + " doesn't define __round__ method");
    if (method == "common") {
        if (v.kind() != Kind::Float) {
            if (precision >= 0) return Value::integer(v.as_int());
            return Value::integer(
                static_cast<int64_t>(round_to(static_cast<double>(v.as_int()), precision)));
        }
        return Value::number(round_to(v.as_double(), precision));
    }
    const double scale = std::pow(10.0, static_cast<double>(precision));
    const double x = v.as_double() * scale;
    return Value::number((method == "ceil" ? std::ceil(x) : std::floor(x)) / scale);
}

Value f_tojson(Interpreter& in, const Value& v, CallArgs& a) {
    Params p(a, "filter 'tojson'", {"ensure_ascii", "indent", "separators", "sort_keys"});
    JsonStyle style;
    style.ensure_ascii = p.has(0) && truthy(*p.get(0));
    if (p.has(1)) {
        const Value& ind = *p.get(1);
        if (ind.is_string()) {
            style.indent = ind.str();
        } else {
            const int64_t n = int_arg(ind, "filter 'tojson'");
            in.check_size(static_cast<size_t>(std::max<int64_t>(n, 0)));
            style.indent = std::string(static_cast<size_t>(std::max<int64_t>(n, 0)), ' ');
        }
        style.item_sep = ",";
    }
    if (p.has(2)) {
        const Value& sep = *p.get(2);
        if (sep.kind() != Kind::List || sep.seq().items.size() != 2)
            throw RenderError("tojson separators must be a pair of strings");
        style.item_sep = str_arg(sep.seq().items[0], "tojson separators");
        style.key_sep = str_arg(sep.seq().items[1], "tojson separators");
    }
    style.sort_keys = p.has(3) && truthy(*p.get(3));
    style.max_bytes = in.max_output_bytes();
    std::string out = to_json(v, style);
    in.check_size(out.size());
    return Value::string(std::move(out));
}

Value f_default(Interpreter&, const Value& v, CallArgs& a) {
    Params p(a, "filter 'default'", {"default_value", "boolean"});
    const bool boolean = p.has(1) && truthy(*p.get(1));
    if (v.is_undefined() || (boolean && !truthy(v))) return p.get_or(0, Value::string(""));
    return v;
}

Value f_length(Interpreter&, const Value& v, CallArgs& a) {
    no_args(a, "length");
    const std::optional<size_t> n = length(v);
    if (!n) throw RenderError("object of type '" + type_name(v) + "' has no len()");
    return Value::integer(static_cast<int64_t>(*n));
}

Value f_attr(Interpreter& in, const Value& v, CallArgs& a) {
    Params p(a, "filter 'attr'", {"name"}, 1);
    const std::string& name = str_arg(*p.get(0), "filter 'attr'");
    if (v.kind() == Kind::Dict) {  // attributes only, not keys
        if (std::optional<Value> m = bind_method(v, name)) return *m;
        return Value::undefined("'dict object' has no attribute '" + name + "'");
    }
    return in.getattr(v, name);
}

struct Entry {
    std::string_view name;
    FilterFn fn;
};

constexpr Entry kFilters[] = {
    {"upper", f_upper},
    {"lower", f_lower},
    {"capitalize", f_capitalize},
    {"title", f_title},
    {"string", f_string},
    {"safe", f_safe},
    {"escape", f_escape},
    {"e", f_escape},
    {"forceescape", f_forceescape},
    {"wordcount", f_wordcount},
    {"trim", f_trim},
    {"replace", f_replace},
    {"indent", f_indent},
    {"center", f_center},
    {"format", f_format},
    {"int", f_int},
    {"float", f_float},
    {"abs", f_abs},
    {"round", f_round},
    {"tojson", f_tojson},
    {"default", f_default},
    {"d", f_default},
    {"length", f_length},
    {"count", f_length},
    {"attr", f_attr},
};

}  // namespace

FilterFn find_filter(std::string_view name) {
    for (const Entry& e : kFilters)
        if (e.name == name) return e.fn;
    return find_seq_filter(name);
}

}  // namespace flash::jinja
