// Global functions: jinja2's range, namespace and dict, and transformers' raise_exception and
// strftime_now.
#include <ctime>

#include "chat/jinja/builtins.h"
#include "chat/jinja/errors.h"
#include "chat/jinja/format.h"
#include "chat/jinja/interpreter.h"

namespace flash::jinja {
namespace {

constexpr int64_t kMaxRange = 100000;  // the sandbox's MAX_RANGE

Value range(Interpreter& in, CallArgs& a) {
    if (!a.kwargs.empty()) throw RenderError("range() takes no keyword arguments");
    if (a.args.empty() || a.args.size() > 3)
        throw RenderError("range expected 1 to 3 arguments, got " + std::to_string(a.args.size()));
    int64_t start = 0, stop, step = 1;
    if (a.args.size() == 1) {
        stop = int_arg(a.args[0], "range()");
    } else {
        start = int_arg(a.args[0], "range()");
        stop = int_arg(a.args[1], "range()");
        if (a.args.size() == 3) step = int_arg(a.args[2], "range()");
    }
    if (step == 0) throw RenderError("range() arg 3 must not be zero");
    const long double n = step > 0 ? (static_cast<long double>(stop) - start + step - 1) / step
                                   : (static_cast<long double>(start) - stop - step - 1) / -step;
    if (n > kMaxRange)
        throw RenderError(
            "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
    std::vector<Value> items;
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
        items.push_back(Value::integer(i));
    in.count_iterations(items.size());
    return Value::sequence(std::move(items));
}

DictObject dict_from(CallArgs& a, const char* what) {
    DictObject d;
    for (const Value& x : a.args) {
        if (x.kind() != Kind::Dict)
            throw RenderError(std::string(what) + "() positional arguments must be mappings, not " +
                              type_name(x));
        for (const auto& [k, v] : x.dict().items) d.set(k, v);
    }
    for (auto& [k, v] : a.kwargs) d.set(Value::string(k), v);
    return d;
}

Value make_namespace(Interpreter& in, CallArgs& a) {
    auto ns = std::make_shared<Namespace>();
    ns->attrs = dict_from(a, "namespace");
    in.track(ns);
    return Value::ns(std::move(ns));
}

Value make_dict(Interpreter&, CallArgs& a) {
    if (a.args.size() > 1)
        throw RenderError("dict expected at most 1 argument, got " + std::to_string(a.args.size()));
    return Value::dict(dict_from(a, "dict"));
}

Value raise_exception(Interpreter&, CallArgs& a) {
    Params p(a, "raise_exception()", {"message"}, 1);
    throw RaisedError(to_str(*p.get(0)));
}

Value strftime_now(Interpreter&, CallArgs& a) {
    Params p(a, "strftime_now()", {"format"}, 1);
    const std::string& fmt = str_arg(*p.get(0), "strftime_now()");
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    // strftime returns 0 both for "too small" and for an empty result; grow a few times.
    for (size_t cap = 256; cap <= 65536; cap *= 4) {
        std::string buf(cap, '\0');
        const size_t n = std::strftime(buf.data(), buf.size(), fmt.c_str(), &local);
        if (n > 0 || fmt.empty()) {
            buf.resize(n);
            return Value::string(buf);
        }
    }
    return Value::string("");
}

Value builtin(const char* name, Value (*fn)(Interpreter&, CallArgs&)) {
    auto c = std::make_shared<Callable>();
    c->type = Callable::Type::Builtin;
    c->name = name;
    c->builtin = fn;
    return Value::callable(std::move(c));
}

}  // namespace

std::optional<Value> find_global(std::string_view name) {
    static const std::pair<const char*, Value> globals[] = {
        {"range", builtin("range", range)},
        {"namespace", builtin("namespace", make_namespace)},
        {"dict", builtin("dict", make_dict)},
        {"raise_exception", builtin("raise_exception", raise_exception)},
        {"strftime_now", builtin("strftime_now", strftime_now)},
    };
    for (const auto& [n, v] : globals)
        if (name == n) return v;
    return std::nullopt;
}

}  // namespace flash::jinja
