#include "chat/jinja/value.h"

#include <algorithm>
#include <cmath>

#include "chat/jinja/errors.h"
#include "chat/jinja/utf8.h"

namespace flash::jinja {
namespace {

int child_depth(const Value& v) {
    const int d = v.depth();
    if (d >= kMaxValueDepth) throw RenderError("value nested deeper than 400 levels");
    return d;
}

}  // namespace

Value Value::undefined(std::string hint) {
    Value v;
    if (!hint.empty()) v.ptr_ = std::make_shared<const std::string>(std::move(hint));
    return v;
}

Value Value::none() {
    Value v;
    v.kind_ = Kind::None;
    return v;
}

Value Value::boolean(bool b) {
    Value v;
    v.kind_ = Kind::Bool;
    v.b_ = b;
    return v;
}

Value Value::integer(int64_t i) {
    Value v;
    v.kind_ = Kind::Int;
    v.i_ = i;
    return v;
}

Value Value::number(double d) {
    Value v;
    v.kind_ = Kind::Float;
    v.f_ = d;
    return v;
}

Value Value::string(std::string s) {
    Value v;
    v.kind_ = Kind::String;
    v.b_ = false;
    v.ptr_ = std::make_shared<const std::string>(std::move(s));
    return v;
}

Value Value::markup(std::string s) {
    Value v = string(std::move(s));
    v.b_ = true;
    return v;
}

Value Value::sequence(std::vector<Value> items, SeqKind kind) {
    auto l = std::make_shared<ListObject>();
    for (const Value& x : items) l->depth = std::max(l->depth, child_depth(x) + 1);
    l->items = std::move(items);
    l->kind = kind;
    Value v;
    v.kind_ = Kind::List;
    v.ptr_ = std::move(l);
    return v;
}

Value Value::dict(DictObject d) {
    d.depth = 1;
    for (const auto& [k, x] : d.items) d.depth = std::max(d.depth, child_depth(x) + 1);
    Value v;
    v.kind_ = Kind::Dict;
    v.ptr_ = std::make_shared<const DictObject>(std::move(d));
    return v;
}

Value Value::ns(std::shared_ptr<Namespace> n) {
    Value v;
    v.kind_ = Kind::Namespace;
    v.ptr_ = std::move(n);
    return v;
}

Value Value::callable(std::shared_ptr<const Callable> c) {
    Value v;
    v.kind_ = Kind::Callable;
    v.ptr_ = std::move(c);
    return v;
}

Value Value::loop(std::shared_ptr<LoopState> l) {
    Value v;
    v.kind_ = Kind::Loop;
    v.ptr_ = std::move(l);
    return v;
}

bool Value::is_seq(SeqKind k) const {
    return kind_ == Kind::List && seq().kind == k;
}

std::string Value::undefined_hint() const {
    if (kind_ != Kind::Undefined || !ptr_) return {};
    return *static_cast<const std::string*>(ptr_.get());
}

int Value::depth() const {
    switch (kind_) {
        case Kind::List:
            return seq().depth;
        case Kind::Dict:
            return dict().depth;
        case Kind::Namespace:
            return ns().attrs.depth;
        default:
            return 0;
    }
}

const Value* DictObject::find(const Value& key) const {
    if (key.is_string()) return find(std::string_view(key.str()));
    for (const auto& [k, v] : items)
        if (equal(k, key)) return &v;
    return nullptr;
}

const Value* DictObject::find(std::string_view key) const {
    for (const auto& [k, v] : items)
        if (k.is_string() && k.str() == key) return &v;
    return nullptr;
}

void DictObject::set(Value key, Value value) {
    depth = std::max(depth, child_depth(value) + 1);
    for (auto& [k, v] : items)
        if (equal(k, key)) {
            v = std::move(value);
            return;
        }
    items.emplace_back(std::move(key), std::move(value));
}

Value from_json(const nlohmann::ordered_json& j, int depth) {
    using J = nlohmann::ordered_json;
    if (depth >= kMaxValueDepth)
        throw RenderError("the context is nested deeper than " + std::to_string(kMaxValueDepth) +
                          " levels");
    switch (j.type()) {
        case J::value_t::null:
            return Value::none();
        case J::value_t::boolean:
            return Value::boolean(j.get<bool>());
        case J::value_t::number_integer:
            return Value::integer(j.get<int64_t>());
        case J::value_t::number_unsigned: {
            const uint64_t u = j.get<uint64_t>();
            if (u > static_cast<uint64_t>(INT64_MAX))
                throw RenderError("integer " + std::to_string(u) + " is too large");
            return Value::integer(static_cast<int64_t>(u));
        }
        case J::value_t::number_float:
            return Value::number(j.get<double>());
        case J::value_t::string:
            return Value::string(j.get<std::string>());
        case J::value_t::array: {
            std::vector<Value> items;
            items.reserve(j.size());
            for (const auto& x : j) items.push_back(from_json(x, depth + 1));
            return Value::sequence(std::move(items));
        }
        case J::value_t::object: {
            DictObject d;
            d.items.reserve(j.size());
            for (const auto& [k, x] : j.items())
                d.items.emplace_back(Value::string(k), from_json(x, depth + 1));
            return Value::dict(std::move(d));
        }
        default:
            return Value::none();  // binary and discarded values do not come from JSON text
    }
}

bool truthy(const Value& v) {
    switch (v.kind()) {
        case Kind::Undefined:
        case Kind::None:
            return false;
        case Kind::Bool:
            return v.as_bool();
        case Kind::Int:
            return v.as_int() != 0;
        case Kind::Float:
            return v.as_double() != 0.0;
        case Kind::String:
            return !v.str().empty();
        case Kind::List: {
            const SeqKind k = v.seq().kind;
            if (k == SeqKind::Generator || k == SeqKind::Reversed) return true;
            return !v.seq().items.empty();
        }
        case Kind::Dict:
            return !v.dict().items.empty();
        default:
            return true;
    }
}

namespace {

// Python compares int and float exactly; long double holds every int64 exactly.
int compare_numbers(const Value& a, const Value& b) {
    if (a.kind() != Kind::Float && b.kind() != Kind::Float) {
        const int64_t x = a.as_int(), y = b.as_int();
        return x < y ? -1 : x > y ? 1 : 0;
    }
    const long double x = a.kind() == Kind::Float ? a.as_double() : a.as_int();
    const long double y = b.kind() == Kind::Float ? b.as_double() : b.as_int();
    return x < y ? -1 : x > y ? 1 : 0;
}

bool comparable_seqs(const Value& a, const Value& b) {
    if (a.kind() != Kind::List || b.kind() != Kind::List) return false;
    const SeqKind x = a.seq().kind, y = b.seq().kind;
    return x == y && (x == SeqKind::List || x == SeqKind::Tuple);
}

}  // namespace

bool equal(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) {
        const bool nan = (a.kind() == Kind::Float && std::isnan(a.as_double())) ||
                         (b.kind() == Kind::Float && std::isnan(b.as_double()));
        return !nan && compare_numbers(a, b) == 0;
    }
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
        case Kind::Undefined:
        case Kind::None:
            return true;
        case Kind::String:
            return a.str() == b.str();
        case Kind::List: {
            if (!comparable_seqs(a, b)) return a.identity() == b.identity();
            const auto& x = a.seq().items;
            const auto& y = b.seq().items;
            if (x.size() != y.size()) return false;
            for (size_t i = 0; i < x.size(); ++i)
                if (!equal(x[i], y[i])) return false;
            return true;
        }
        case Kind::Dict: {
            const auto& x = a.dict().items;
            if (x.size() != b.dict().items.size()) return false;
            for (const auto& [k, v] : x) {
                const Value* w = b.dict().find(k);
                if (!w || !equal(v, *w)) return false;
            }
            return true;
        }
        default:
            return a.identity() == b.identity();
    }
}

int compare(const Value& a, const Value& b, std::string_view op) {
    if (a.is_undefined()) fail_undefined(a);
    if (b.is_undefined()) fail_undefined(b);
    if (a.is_number() && b.is_number()) return compare_numbers(a, b);
    if (a.is_string() && b.is_string()) {
        const int c = a.str().compare(b.str());  // bytewise: UTF-8 keeps code point order
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    if (comparable_seqs(a, b)) {
        const auto& x = a.seq().items;
        const auto& y = b.seq().items;
        for (size_t i = 0; i < x.size() && i < y.size(); ++i)
            if (!equal(x[i], y[i])) return compare(x[i], y[i], op);
        return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
    }
    throw RenderError("'" + std::string(op) + "' not supported between instances of '" +
                      type_name(a) + "' and '" + type_name(b) + "'");
}

bool hashable(const Value& v) {
    if (v.kind() == Kind::Dict) return false;
    if (v.kind() != Kind::List) return true;
    if (v.seq().kind == SeqKind::List) return false;
    if (v.seq().kind == SeqKind::Tuple)
        for (const Value& x : v.seq().items)
            if (!hashable(x)) return false;
    return true;
}

std::string type_name(const Value& v) {
    switch (v.kind()) {
        case Kind::Undefined:
            return "Undefined";
        case Kind::None:
            return "NoneType";
        case Kind::Bool:
            return "bool";
        case Kind::Int:
            return "int";
        case Kind::Float:
            return "float";
        case Kind::String:
            return "str";
        case Kind::List:
            switch (v.seq().kind) {
                case SeqKind::List:
                    return "list";
                case SeqKind::Tuple:
                    return "tuple";
                case SeqKind::Generator:
                    return "generator";
                case SeqKind::Reversed:
                    return "list_reverseiterator";
                case SeqKind::DictItems:
                    return "dict_items";
                case SeqKind::DictKeys:
                    return "dict_keys";
                case SeqKind::DictValues:
                    return "dict_values";
            }
            return "list";
        case Kind::Dict:
            return "dict";
        case Kind::Namespace:
            return "Namespace";
        case Kind::Callable:
            return v.callable().type == Callable::Type::Macro ? "Macro"
                                                              : "builtin_function_or_method";
        case Kind::Loop:
            return "LoopContext";
    }
    return "object";
}

std::string object_type_repr(const Value& v) {
    if (v.is_none()) return "None";
    return type_name(v) + " object";
}

void fail_undefined(const Value& v) {
    const std::string hint = v.undefined_hint();
    throw RenderError(hint.empty() ? "undefined value" : hint);
}

std::vector<Value> characters(std::string_view s) {
    std::vector<Value> out;
    for (size_t i = 0; i < s.size();) {
        const size_t start = i;
        utf8::next(s, i);
        out.push_back(Value::string(std::string(s.substr(start, i - start))));
    }
    return out;
}

std::vector<Value> iterate(const Value& v) {
    switch (v.kind()) {
        case Kind::Undefined:
            return {};
        case Kind::String:
            return characters(v.str());
        case Kind::List:
            return v.seq().items;
        case Kind::Dict: {
            std::vector<Value> keys;
            keys.reserve(v.dict().items.size());
            for (const auto& [k, x] : v.dict().items) keys.push_back(k);
            return keys;
        }
        case Kind::Loop:
            return v.loop().items->items;
        default:
            throw RenderError("'" + type_name(v) + "' object is not iterable");
    }
}

std::optional<size_t> length(const Value& v) {
    switch (v.kind()) {
        case Kind::Undefined:
            return 0;
        case Kind::String:
            return utf8::length(v.str());
        case Kind::List: {
            const SeqKind k = v.seq().kind;
            if (k == SeqKind::Generator || k == SeqKind::Reversed) return std::nullopt;
            return v.seq().items.size();
        }
        case Kind::Dict:
            return v.dict().items.size();
        case Kind::Loop:
            return v.loop().items->items.size();
        default:
            return std::nullopt;
    }
}

}  // namespace flash::jinja
