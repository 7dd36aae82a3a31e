// Methods of str, dict, list/tuple and the loop object that a sandboxed template may call.
// Methods that would mutate a list or dict are refused, as ImmutableSandboxedEnvironment does.
#include <algorithm>

#include "chat/jinja/builtins.h"
#include "chat/jinja/errors.h"
#include "chat/jinja/format.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/pystr.h"
#include "chat/jinja/strformat.h"
#include "chat/jinja/utf8.h"

namespace flash::jinja {
namespace {

constexpr std::string_view kStr[] = {
    "strip",      "lstrip",       "rstrip",      "split",   "rsplit",  "splitlines", "startswith",
    "endswith",   "replace",      "upper",       "lower",   "title",   "capitalize", "swapcase",
    "casefold",   "find",         "rfind",       "index",   "rindex",  "count",      "join",
    "format",     "center",       "ljust",       "rjust",   "zfill",   "isdigit",    "isdecimal",
    "isnumeric",  "isalpha",      "isalnum",     "isspace", "islower", "isupper",    "partition",
    "rpartition", "removeprefix", "removesuffix"};
constexpr std::string_view kDict[] = {"get", "items", "keys", "values", "copy"};
constexpr std::string_view kDictMutating[] = {"pop", "popitem", "update", "setdefault", "clear"};
constexpr std::string_view kList[] = {"index", "count", "copy"};
constexpr std::string_view kListMutating[] = {"append", "extend",  "insert", "pop",
                                              "remove", "reverse", "sort",   "clear"};
constexpr std::string_view kLoop[] = {"cycle", "changed"};

void no_args(const CallArgs& a, std::string_view what) {
    if (!a.args.empty() || !a.kwargs.empty())
        throw RenderError(std::string(what) + " takes no arguments");
}

template <size_t N>
bool has(const std::string_view (&names)[N], std::string_view n) {
    return std::find(std::begin(names), std::end(names), n) != std::end(names);
}

std::optional<int64_t> opt_int(const Params& p, size_t i, const char* what) {
    if (!p.has(i)) return std::nullopt;
    return int_arg(*p.get(i), what);
}

py::Range range_of(const Params& p, size_t i, const char* what) {
    return {opt_int(p, i, what), opt_int(p, i + 1, what)};
}

Value strings(std::vector<std::string> parts, SeqKind kind = SeqKind::List) {
    std::vector<Value> out;
    out.reserve(parts.size());
    for (auto& s : parts) out.push_back(Value::string(std::move(s)));
    return Value::sequence(std::move(out), kind);
}

// startswith/endswith take a string or a tuple of strings.
bool affix(const Value& what, const std::string& s, py::Range r, bool prefix, const char* name) {
    if (what.is_seq(SeqKind::Tuple)) {
        for (const Value& x : what.seq().items)
            if (affix(x, s, r, prefix, name)) return true;
        return false;
    }
    if (!what.is_string())
        throw RenderError(std::string(name) + " first arg must be str or a tuple of str, not " +
                          type_name(what));
    return prefix ? py::starts_with(s, what.str(), r) : py::ends_with(s, what.str(), r);
}

template <typename Pred>
bool all_chars(const std::string& s, Pred pred) {
    if (s.empty()) return false;
    for (size_t i = 0; i < s.size();)
        if (!pred(utf8::next(s, i))) return false;
    return true;
}

Value str_method(Interpreter& in, const std::string& s, const std::string& name, CallArgs& a) {
    const std::string what = "str." + name + "()";
    const char* w = what.c_str();
    if (name == "strip" || name == "lstrip" || name == "rstrip") {
        Params p(a, w, {"chars"});
        const std::string* chars = p.has(0) ? &str_arg(*p.get(0), w) : nullptr;
        return Value::string(py::strip(s, chars, name != "rstrip", name != "lstrip"));
    }
    if (name == "split" || name == "rsplit") {
        Params p(a, w, {"sep", "maxsplit"});
        const std::string* sep = p.has(0) ? &str_arg(*p.get(0), w) : nullptr;
        const int64_t max = p.has(1) ? int_arg(*p.get(1), w) : -1;
        auto parts = name == "split" ? py::split(s, sep, max) : py::rsplit(s, sep, max);
        in.check_size(parts.size() * sizeof(Value));
        return strings(std::move(parts));
    }
    if (name == "splitlines") {
        Params p(a, w, {"keepends"});
        return strings(py::splitlines(s, p.has(0) && truthy(*p.get(0))));
    }
    if (name == "startswith" || name == "endswith") {
        Params p(a, w, {"prefix", "start", "end"}, 1);
        return Value::boolean(affix(*p.get(0), s, range_of(p, 1, w), name == "startswith", w));
    }
    if (name == "replace") {
        Params p(a, w, {"old", "new", "count"}, 2);
        const std::string& old = str_arg(*p.get(0), w);
        const std::string& with = str_arg(*p.get(1), w);
        if (old.empty()) in.check_size(s.size() + (s.size() + 1) * with.size());
        std::string out = py::replace(s, old, with, p.has(2) ? int_arg(*p.get(2), w) : -1);
        in.check_size(out.size());
        return Value::string(std::move(out));
    }
    if (name == "upper") {
        no_args(a, w);
        return Value::string(py::upper(s));
    }
    if (name == "lower" || name == "casefold") {
        no_args(a, w);
        return Value::string(py::lower(s));
    }
    if (name == "title") {
        no_args(a, w);
        return Value::string(py::title(s));
    }
    if (name == "capitalize") {
        no_args(a, w);
        return Value::string(py::capitalize(s));
    }
    if (name == "swapcase") {
        no_args(a, w);
        return Value::string(py::swapcase(s));
    }
    if (name == "find" || name == "rfind" || name == "index" || name == "rindex") {
        Params p(a, w, {"sub", "start", "end"}, 1);
        const int64_t at = py::find(s, str_arg(*p.get(0), w), range_of(p, 1, w), name[0] == 'r');
        if (at < 0 && (name == "index" || name == "rindex"))
            throw RenderError("substring not found");
        return Value::integer(at);
    }
    if (name == "count") {
        Params p(a, w, {"sub", "start", "end"}, 1);
        return Value::integer(py::count(s, str_arg(*p.get(0), w), range_of(p, 1, w)));
    }
    if (name == "join") {
        Params p(a, w, {"iterable"}, 1);
        std::string out;
        size_t i = 0;
        for (const Value& x : iterate(*p.get(0))) {
            if (!x.is_string())
                throw RenderError("sequence item " + std::to_string(i) +
                                  ": expected str instance, " + type_name(x) + " found");
            if (i++) out += s;
            out += x.str();
            in.check_size(out.size());
        }
        return Value::string(std::move(out));
    }
    if (name == "format") return Value::string(brace_format(in, s, a));
    if (name == "center" || name == "ljust" || name == "rjust") {
        Params p(a, w, {"width", "fillchar"}, 1);
        const int64_t width = int_arg(*p.get(0), w);
        in.check_size(static_cast<size_t>(std::max<int64_t>(width, 0)) * 4);
        char32_t fill = ' ';
        if (p.has(1)) {
            const std::string& f = str_arg(*p.get(1), w);
            if (utf8::length(f) != 1)
                throw RenderError("The fill character must be exactly one character long");
            size_t k = 0;
            fill = utf8::next(f, k);
        }
        return Value::string(py::pad(s, width, fill,
                                     name == "center"  ? '^'
                                     : name == "ljust" ? '<'
                                                       : '>'));
    }
    if (name == "zfill") {
        Params p(a, w, {"width"}, 1);
        const int64_t width = int_arg(*p.get(0), w);
        in.check_size(static_cast<size_t>(std::max<int64_t>(width, 0)));
        return Value::string(py::zfill(s, width));
    }
    if (name == "isdigit" || name == "isdecimal" || name == "isnumeric") {
        no_args(a, w);
        return Value::boolean(all_chars(s, utf8::is_digit));
    }
    if (name == "isalpha") {
        no_args(a, w);
        return Value::boolean(
            all_chars(s, [](char32_t c) { return utf8::is_alnum(c) && !utf8::is_digit(c); }));
    }
    if (name == "isalnum") {
        no_args(a, w);
        return Value::boolean(all_chars(s, utf8::is_alnum));
    }
    if (name == "isspace") {
        no_args(a, w);
        return Value::boolean(all_chars(s, utf8::is_space));
    }
    if (name == "islower" || name == "isupper") {
        no_args(a, w);
        bool cased = false, wrong = false;
        for (size_t i = 0; i < s.size();) {
            const char32_t c = utf8::next(s, i);
            cased |= utf8::is_cased(c);
            wrong |= name == "islower" ? utf8::is_upper(c) : utf8::is_lower(c);
        }
        return Value::boolean(cased && !wrong);
    }
    if (name == "partition" || name == "rpartition") {
        Params p(a, w, {"sep"}, 1);
        const std::string& sep = str_arg(*p.get(0), w);
        if (sep.empty()) throw RenderError("empty separator");
        const size_t at = name == "partition" ? s.find(sep) : s.rfind(sep);
        if (at == std::string::npos)
            return name == "partition" ? strings({s, "", ""}, SeqKind::Tuple)
                                       : strings({"", "", s}, SeqKind::Tuple);
        return strings({s.substr(0, at), sep, s.substr(at + sep.size())}, SeqKind::Tuple);
    }
    if (name == "removeprefix" || name == "removesuffix") {
        Params p(a, w, {"affix"}, 1);
        const std::string& x = str_arg(*p.get(0), w);
        if (name == "removeprefix")
            return Value::string(s.rfind(x, 0) == 0 ? s.substr(x.size()) : s);
        return Value::string(s.size() >= x.size() &&
                                     s.compare(s.size() - x.size(), x.size(), x) == 0
                                 ? s.substr(0, s.size() - x.size())
                                 : s);
    }
    throw RenderError("'str' object has no attribute '" + name + "'");
}

Value dict_method(const Value& self, const std::string& name, CallArgs& a) {
    const std::string what = "dict." + name + "()";
    const DictObject& d = self.dict();
    if (name == "get") {
        Params p(a, what, {"key", "default"}, 1);
        if (!hashable(*p.get(0)))
            throw RenderError("unhashable type: '" + type_name(*p.get(0)) + "'");
        const Value* v = d.find(*p.get(0));
        return v ? *v : p.get_or(1, Value::none());
    }
    no_args(a, what);
    if (name == "copy") return self;  // immutable, so sharing is a copy
    std::vector<Value> out;
    for (const auto& [k, v] : d.items) {
        if (name == "items")
            out.push_back(Value::sequence({k, v}, SeqKind::Tuple));
        else
            out.push_back(name == "keys" ? k : v);
    }
    return Value::sequence(std::move(out), name == "items"  ? SeqKind::DictItems
                                           : name == "keys" ? SeqKind::DictKeys
                                                            : SeqKind::DictValues);
}

Value list_method(const Value& self, const std::string& name, CallArgs& a) {
    const std::string what = type_name(self) + "." + name + "()";
    const auto& items = self.seq().items;
    if (name == "copy") {
        no_args(a, what);
        return Value::sequence(items, self.seq().kind);
    }
    Params p(a, what, {"value"}, 1);
    int64_t n = 0;
    for (size_t i = 0; i < items.size(); ++i) {
        if (!equal(items[i], *p.get(0))) continue;
        if (name == "index") return Value::integer(static_cast<int64_t>(i));
        ++n;
    }
    if (name == "index") throw RenderError(repr(*p.get(0)) + " is not in " + type_name(self));
    return Value::integer(n);
}

Value loop_method(const Value& self, const std::string& name, CallArgs& a) {
    LoopState& l = self.loop();
    if (!a.kwargs.empty()) throw RenderError("loop." + name + "() takes no keyword arguments");
    if (name == "cycle") {
        if (a.args.empty()) throw RenderError("no items for cycling given");
        return a.args[l.index % a.args.size()];
    }
    // loop.changed(*values): true the first time and whenever the values differ from the last.
    const bool changed = !l.changed_last || l.changed_last->size() != a.args.size() ||
                         !std::equal(a.args.begin(), a.args.end(), l.changed_last->begin(), equal);
    l.changed_last = a.args;
    return Value::boolean(changed);
}

// Markup's methods return Markup (we do not escape their arguments, as markupsafe would).
Value as_markup(const Value& v) {
    if (v.is_string()) return Value::markup(v.str());
    if (v.kind() != Kind::List) return v;
    std::vector<Value> items;
    for (const Value& x : v.seq().items) items.push_back(as_markup(x));
    return Value::sequence(std::move(items), v.seq().kind);
}

}  // namespace

std::optional<Value> bind_method(const Value& obj, std::string_view name) {
    bool found = false, unsafe = false;
    switch (obj.kind()) {
        case Kind::String:
            found = has(kStr, name);
            break;
        case Kind::Dict:
            found = has(kDict, name);
            unsafe = has(kDictMutating, name);
            break;
        case Kind::List:
            if (obj.seq().kind == SeqKind::List) {
                found = has(kList, name);
                unsafe = has(kListMutating, name);
            } else if (obj.seq().kind == SeqKind::Tuple) {
                found = name == "index" || name == "count";
            }
            break;
        case Kind::Loop:
            found = has(kLoop, name);
            break;
        default:
            break;
    }
    if (unsafe)
        return Value::undefined("access to attribute '" + std::string(name) + "' of '" +
                                type_name(obj) + "' object is unsafe.");
    if (!found) return std::nullopt;
    auto c = std::make_shared<Callable>();
    c->type = Callable::Type::Method;
    c->name = std::string(name);
    c->self = obj;
    return Value::callable(std::move(c));
}

Value call_method(Interpreter& in, const Value& self, const std::string& name, CallArgs& args) {
    switch (self.kind()) {
        case Kind::String: {
            Value v = str_method(in, self.str(), name, args);
            return self.is_markup() ? as_markup(v) : v;
        }
        case Kind::Dict:
            return dict_method(self, name, args);
        case Kind::List:
            return list_method(self, name, args);
        case Kind::Loop:
            return loop_method(self, name, args);
        default:
            throw RenderError("'" + type_name(self) + "' object has no attribute '" + name + "'");
    }
}

}  // namespace flash::jinja
