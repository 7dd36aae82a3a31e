// Argument binding and conversions shared by filters, tests, methods and globals.
#include <algorithm>

#include "chat/jinja/builtins.h"
#include "chat/jinja/errors.h"
#include "chat/jinja/interpreter.h"

namespace flash::jinja {

Params::Params(const CallArgs& args, std::string_view callee,
               std::initializer_list<std::string_view> names, size_t required)
    : slots_(names.size(), nullptr) {
    const std::vector<std::string_view> n(names);
    if (args.args.size() > n.size())
        throw RenderError(std::string(callee) + " takes at most " + std::to_string(n.size()) +
                          " argument(s) (" + std::to_string(args.args.size()) + " given)");
    for (size_t i = 0; i < args.args.size(); ++i) slots_[i] = &args.args[i];
    for (const auto& [k, v] : args.kwargs) {
        const auto it = std::find(n.begin(), n.end(), k);
        if (it == n.end())
            throw RenderError(std::string(callee) + " got an unexpected keyword argument '" + k +
                              "'");
        const size_t i = static_cast<size_t>(it - n.begin());
        if (slots_[i])
            throw RenderError(std::string(callee) + " got multiple values for argument '" + k +
                              "'");
        slots_[i] = &v;
    }
    for (size_t i = 0; i < required; ++i)
        if (!slots_[i])
            throw RenderError(std::string(callee) + " missing required argument '" +
                              std::string(n[i]) + "'");
}

int64_t int_arg(const Value& v, std::string_view what) {
    if (v.is_undefined()) fail_undefined(v);
    if (v.kind() != Kind::Int && v.kind() != Kind::Bool)
        throw RenderError(std::string(what) + ": '" + type_name(v) +
                          "' object cannot be interpreted as an integer");
    return v.as_int();
}

const std::string& str_arg(const Value& v, std::string_view what) {
    if (v.is_undefined()) fail_undefined(v);
    if (!v.is_string())
        throw RenderError(std::string(what) + ": expected a string, got " + type_name(v));
    return v.str();
}

Value get_path(Interpreter& in, const Value& item, const Value& attribute) {
    if (attribute.is_none()) return item;
    if (!attribute.is_string()) return in.getitem(item, attribute);
    Value v = item;
    const std::string& path = attribute.str();
    size_t start = 0;
    while (true) {
        const size_t dot = path.find('.', start);
        const std::string part =
            path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        const bool digits =
            !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
        v = in.getitem(
            v, digits && part.size() < 19 ? Value::integer(std::stoll(part)) : Value::string(part));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return v;
}

}  // namespace flash::jinja
