// Expression half of the interpreter, and the sandbox's attribute and item access rules.
#include "chat/jinja/builtins.h"
#include "chat/jinja/errors.h"
#include "chat/jinja/format.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/pystr.h"
#include "chat/jinja/utf8.h"

namespace flash::jinja {
namespace {

std::string no_attribute(const Value& obj, std::string_view name) {
    return "'" + object_type_repr(obj) + "' has no attribute '" + std::string(name) + "'";
}

std::string no_element(const Value& obj, const Value& key) {
    if (key.is_string()) return no_attribute(obj, key.str());
    return object_type_repr(obj) + " has no element " + repr(key);
}

std::optional<int64_t> slice_bound(const Value& v) {
    if (v.is_none()) return std::nullopt;
    return v.as_int();
}

}  // namespace

Value Interpreter::eval(const Expr& e, Scope& s) {
    Nesting guard(*this);
    line_ = e.line;
    switch (e.kind) {
        case ExprKind::Const:
            return static_cast<const ConstExpr&>(e).value;
        case ExprKind::Name:
            return lookup(static_cast<const NameExpr&>(e).name, s);
        case ExprKind::List:
        case ExprKind::Tuple:
            return eval_seq(static_cast<const SeqExpr&>(e), s);
        case ExprKind::Dict:
            return eval_dict(static_cast<const DictExpr&>(e), s);
        case ExprKind::Getattr: {
            const auto& g = static_cast<const GetattrExpr&>(e);
            const Value obj = eval(*g.object, s);
            line_ = e.line;
            return getattr(obj, g.attr);
        }
        case ExprKind::Getitem:
            return eval_getitem(static_cast<const GetitemExpr&>(e), s);
        case ExprKind::Slice:
            throw RenderError("a slice is only valid inside []");
        case ExprKind::Unary: {
            const auto& u = static_cast<const UnaryExpr&>(e);
            const Value v = eval(*u.operand, s);
            line_ = e.line;
            return unary_op(u.op, v);
        }
        case ExprKind::Binary:
            return eval_binary(static_cast<const BinaryExpr&>(e), s);
        case ExprKind::Compare:
            return eval_compare(static_cast<const CompareExpr&>(e), s);
        case ExprKind::Cond: {
            const auto& c = static_cast<const CondExpr&>(e);
            if (truthy(eval(*c.test, s))) return eval(*c.then, s);
            if (c.otherwise) return eval(*c.otherwise, s);
            return Value::undefined("the inline if-expression on line " + std::to_string(e.line) +
                                    " evaluated to false and no else section was defined.");
        }
        case ExprKind::Filter:
            return eval_filter(static_cast<const FilterExpr&>(e), s, nullptr);
        case ExprKind::Test: {
            const auto& t = static_cast<const TestExpr&>(e);
            const Value v = eval(*t.operand, s);
            CallArgs args = eval_args(t.args, s);
            line_ = e.line;
            return Value::boolean(apply_test(t.name, v, args));
        }
        case ExprKind::Call: {
            const auto& c = static_cast<const CallExpr&>(e);
            const Value callee = eval(*c.callee, s);
            CallArgs args = eval_args(c.args, s);
            line_ = e.line;
            return call(callee, args);
        }
    }
    return {};
}

Value Interpreter::eval_seq(const SeqExpr& e, Scope& s) {
    std::vector<Value> items;
    items.reserve(e.items.size());
    for (const auto& x : e.items) items.push_back(eval(*x, s));
    return Value::sequence(std::move(items),
                           e.kind == ExprKind::Tuple ? SeqKind::Tuple : SeqKind::List);
}

Value Interpreter::eval_dict(const DictExpr& e, Scope& s) {
    DictObject d;
    for (const auto& [k, v] : e.items) {
        Value key = eval(*k, s);
        if (!hashable(key)) throw RenderError("unhashable type: '" + type_name(key) + "'");
        d.set(std::move(key), eval(*v, s));
    }
    return Value::dict(std::move(d));
}

Value Interpreter::eval_getitem(const GetitemExpr& e, Scope& s) {
    const Value obj = eval(*e.object, s);
    if (e.index->kind == ExprKind::Slice)
        return eval_slice(obj, static_cast<const SliceExpr&>(*e.index), s);
    const Value key = eval(*e.index, s);
    line_ = e.line;
    return getitem(obj, key);
}

// Slices bypass the sandbox's getitem in jinja2, so a bad one raises instead of yielding
// undefined.
Value Interpreter::eval_slice(const Value& obj, const SliceExpr& e, Scope& s) {
    const Value start = e.start ? eval(*e.start, s) : Value::none();
    const Value stop = e.stop ? eval(*e.stop, s) : Value::none();
    const Value step = e.step ? eval(*e.step, s) : Value::none();
    line_ = e.line;
    if (obj.is_undefined()) fail_undefined(obj);
    const bool seq = obj.is_seq(SeqKind::List) || obj.is_seq(SeqKind::Tuple);
    if (!obj.is_string() && !seq) {
        if (obj.kind() == Kind::Dict) throw RenderError("unhashable type: 'slice'");
        throw RenderError("'" + type_name(obj) + "' object is not subscriptable");
    }
    for (const Value* b : {&start, &stop, &step})
        if (!b->is_none() && b->kind() != Kind::Int && b->kind() != Kind::Bool)
            throw RenderError("slice indices must be integers or None or have an __index__ method");
    if (obj.is_string()) {
        const std::u32string u = utf8::decode(obj.str());
        std::u32string out;
        for (size_t i :
             py::slice_indices(u.size(), slice_bound(start), slice_bound(stop), slice_bound(step)))
            out += u[i];
        return Value::string(utf8::encode(out));
    }
    const auto& items = obj.seq().items;
    std::vector<Value> out;
    for (size_t i :
         py::slice_indices(items.size(), slice_bound(start), slice_bound(stop), slice_bound(step)))
        out.push_back(items[i]);
    return Value::sequence(std::move(out), obj.seq().kind);
}

Value Interpreter::eval_binary(const BinaryExpr& e, Scope& s) {
    Value left = eval(*e.left, s);
    if (e.op == BinaryOp::And) return truthy(left) ? eval(*e.right, s) : left;
    if (e.op == BinaryOp::Or) return truthy(left) ? left : eval(*e.right, s);
    const Value right = eval(*e.right, s);
    line_ = e.line;
    return binary_op(*this, e.op, left, right);
}

Value Interpreter::eval_compare(const CompareExpr& e, Scope& s) {
    Value left = eval(*e.first, s);
    for (const auto& [op, expr] : e.rest) {
        Value right = eval(*expr, s);
        line_ = e.line;
        if (!compare_op(op, left, right)) return Value::boolean(false);
        left = std::move(right);
    }
    return Value::boolean(true);
}

Value Interpreter::eval_filter(const FilterExpr& e, Scope& s, const Value* innermost) {
    Value v;
    if (e.operand)
        v = e.operand->kind == ExprKind::Filter
                ? eval_filter(static_cast<const FilterExpr&>(*e.operand), s, innermost)
                : eval(*e.operand, s);
    else if (innermost)
        v = *innermost;
    CallArgs args = eval_args(e.args, s);
    line_ = e.line;
    return apply_filter(e.name, v, args);
}

CallArgs Interpreter::eval_args(const Arguments& a, Scope& s) {
    CallArgs out;
    for (const auto& x : a.positional) out.args.push_back(eval(*x, s));
    if (a.star)
        for (Value& x : iterate(eval(*a.star, s))) out.args.push_back(std::move(x));
    for (const auto& [k, x] : a.keyword) out.kwargs.emplace_back(k, eval(*x, s));
    if (a.star_star) {
        const Value d = eval(*a.star_star, s);
        if (d.kind() != Kind::Dict)
            throw RenderError("argument after ** must be a mapping, not " + type_name(d));
        for (const auto& [k, x] : d.dict().items) {
            if (!k.is_string()) throw RenderError("keywords must be strings");
            out.kwargs.emplace_back(k.str(), x);
        }
    }
    return out;
}

Value Interpreter::lookup(std::string_view name, Scope& s) {
    for (Scope* p = &s; p; p = p->parent)
        if (Value* v = p->find(name)) return *v;
    if (std::optional<Value> g = find_global(name)) return *g;
    return Value::undefined("'" + std::string(name) + "' is undefined");
}

Value Interpreter::call(const Value& callee, CallArgs& args) {
    if (callee.is_undefined()) fail_undefined(callee);
    if (callee.kind() != Kind::Callable)
        throw RenderError("'" + type_name(callee) + "' object is not callable");
    const Callable& c = callee.callable();
    switch (c.type) {
        case Callable::Type::Builtin:
            return c.builtin(*this, args);
        case Callable::Type::Method:
            return call_method(*this, c.self, c.name, args);
        case Callable::Type::Macro:
            return call_macro(c, args);
    }
    return {};
}

Value Interpreter::apply_filter(const std::string& name, const Value& v, CallArgs& args) {
    const FilterFn f = find_filter(name);
    if (!f) throw RenderError("no filter named '" + name + "'");
    return f(*this, v, args);
}

bool Interpreter::apply_test(const std::string& name, const Value& v, CallArgs& args) {
    const TestFn t = find_test(name);
    if (!t) throw RenderError("no test named '" + name + "'");
    return t(*this, v, args);
}

Value Interpreter::getattr(const Value& obj, std::string_view name) {
    if (obj.is_undefined()) fail_undefined(obj);
    if (!name.empty() && name[0] == '_')
        return Value::undefined("access to attribute '" + std::string(name) + "' of '" +
                                type_name(obj) + "' object is unsafe.");
    // Python's getattr first (methods), then obj[name] — so `d.items` is the method even when
    // d has an "items" key, but `d.role` is d["role"].
    if (std::optional<Value> m = bind_method(obj, name)) return *m;
    switch (obj.kind()) {
        case Kind::Dict:
            if (const Value* v = obj.dict().find(name)) return *v;
            break;
        case Kind::Namespace:
            if (const Value* v = obj.ns().attrs.find(name)) return *v;
            break;
        case Kind::Loop:
            return loop_attr(obj, name);
        case Kind::Bool:
        case Kind::Int:
        case Kind::Float: {  // Python numbers' data attributes
            const bool is_float = obj.kind() == Kind::Float;
            if (name == "real") return is_float ? obj : Value::integer(obj.as_int());
            if (name == "imag") return is_float ? Value::number(0.0) : Value::integer(0);
            if (!is_float && name == "numerator") return Value::integer(obj.as_int());
            if (!is_float && name == "denominator") return Value::integer(1);
            break;
        }
        default:
            break;
    }
    return Value::undefined(no_attribute(obj, name));
}

Value Interpreter::getitem(const Value& obj, const Value& key) {
    if (obj.is_undefined()) fail_undefined(obj);
    // Python's obj[key] first, then getattr(obj, key) for string keys.
    switch (obj.kind()) {
        case Kind::Dict:
            if (hashable(key))
                if (const Value* v = obj.dict().find(key)) return *v;
            break;
        case Kind::List:
            if ((obj.seq().kind == SeqKind::List || obj.seq().kind == SeqKind::Tuple) &&
                (key.kind() == Kind::Int || key.kind() == Kind::Bool)) {
                const auto& items = obj.seq().items;
                int64_t i = key.as_int();
                if (i < 0) i += static_cast<int64_t>(items.size());
                if (i >= 0 && i < static_cast<int64_t>(items.size()))
                    return items[static_cast<size_t>(i)];
                return Value::undefined(no_element(obj, key));
            }
            break;
        case Kind::String:
            if (key.kind() == Kind::Int || key.kind() == Kind::Bool) {
                const std::u32string u = utf8::decode(obj.str());
                int64_t i = key.as_int();
                if (i < 0) i += static_cast<int64_t>(u.size());
                if (i >= 0 && i < static_cast<int64_t>(u.size()))
                    return Value::string(
                        utf8::encode(std::u32string(1, u[static_cast<size_t>(i)])));
                return Value::undefined(no_element(obj, key));
            }
            break;
        default:
            break;
    }
    if (key.is_string()) {
        if (!key.str().empty() && key.str()[0] == '_') return getattr(obj, key.str());
        if (std::optional<Value> m = bind_method(obj, key.str())) return *m;
        if (obj.kind() == Kind::Namespace)
            if (const Value* v = obj.ns().attrs.find(key.str())) return *v;
        if (obj.kind() == Kind::Loop) return loop_attr(obj, key.str());
    }
    return Value::undefined(no_element(obj, key));
}

Value Interpreter::loop_attr(const Value& loop, std::string_view name) {
    const LoopState& l = loop.loop();
    const auto& items = l.items->items;
    const auto n = static_cast<int64_t>(items.size()), i = static_cast<int64_t>(l.index);
    if (name == "index") return Value::integer(i + 1);
    if (name == "index0") return Value::integer(i);
    if (name == "revindex") return Value::integer(n - i);
    if (name == "revindex0") return Value::integer(n - i - 1);
    if (name == "first") return Value::boolean(i == 0);
    if (name == "last") return Value::boolean(i == n - 1);
    if (name == "length") return Value::integer(n);
    if (name == "depth") return Value::integer(1);
    if (name == "depth0") return Value::integer(0);
    if (name == "previtem")
        return i > 0 ? items[static_cast<size_t>(i - 1)]
                     : Value::undefined("there is no previous item");
    if (name == "nextitem")
        return i + 1 < n ? items[static_cast<size_t>(i + 1)]
                         : Value::undefined("there is no next item");
    return Value::undefined(no_attribute(loop, name));
}

}  // namespace flash::jinja
