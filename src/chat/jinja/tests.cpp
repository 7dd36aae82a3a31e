// jinja2's tests (`x is defined`, `x is string`, `n is divisibleby 3`, ...) with Python's
// notion of each type: bool counts as a number but not as an integer, a dict is a sequence,
// an undefined value is iterable.
#include <algorithm>

#include "chat/jinja/builtins.h"
#include "chat/jinja/errors.h"
#include "chat/jinja/format.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/utf8.h"

namespace flash::jinja {
namespace {

const Value& other(const CallArgs& a, const char* test) {
    if (a.args.size() + a.kwargs.size() != 1)
        throw RenderError(std::string("test '") + test + "' takes exactly one argument");
    return a.args.empty() ? a.kwargs[0].second : a.args[0];
}

void none(const CallArgs& a, const char* test) {
    if (!a.args.empty() || !a.kwargs.empty())
        throw RenderError(std::string("test '") + test + "' takes no arguments");
}

// value % n == r, through Python's operator so floats and errors behave as they do there.
bool modulo_is(Interpreter& in, const Value& v, const Value& n, int64_t r) {
    return equal(binary_op(in, BinaryOp::Mod, v, n), Value::integer(r));
}

bool t_defined(Interpreter&, const Value& v, CallArgs& a) {
    return none(a, "defined"), !v.is_undefined();
}
bool t_undefined(Interpreter&, const Value& v, CallArgs& a) {
    return none(a, "undefined"), v.is_undefined();
}
bool t_none(Interpreter&, const Value& v, CallArgs& a) {
    return none(a, "none"), v.is_none();
}
bool t_boolean(Interpreter&, const Value& v, CallArgs& a) {
    return none(a, "boolean"), v.kind() == Kind::Bool;
}
bool t_true(Interpreter&, const Value& v, CallArgs& a) {
    return none(a, "true"), v.kind() == Kind::Bool && v.as_bool();
}
bool t_false(Interpreter&, const Value& v, CallArgs& a) {
    return none(a, "false"), v.kind() == Kind::Bool && !v.as_bool();
}
bool t_integer(Interpreter&, const Value& v, CallArgs& a) {
    return none(a, "integer"), v.kind() == Kind::Int;
}
bool t_float(Interpreter&, const Value& v, CallArgs& a) {
    return none(a, "float"), v.kind() == Kind::Float;
}
bool t_number(Interpreter&, const Value& v, CallArgs& a) {
    return none(a, "number"), v.is_number();
}
bool t_string(Interpreter&, const Value& v, CallArgs& a) {
    return none(a, "string"), v.is_string();
}
bool t_mapping(Interpreter&, const Value& v, CallArgs& a) {
    return none(a, "mapping"), v.kind() == Kind::Dict;
}

bool t_iterable(Interpreter&, const Value& v, CallArgs& a) {
    none(a, "iterable");
    switch (v.kind()) {
        case Kind::Undefined:
        case Kind::String:
        case Kind::List:
        case Kind::Dict:
        case Kind::Loop:
            return true;
        default:
            return false;
    }
}

// len() works and __getitem__ exists: str, list, tuple, dict, views lack __getitem__.
bool t_sequence(Interpreter&, const Value& v, CallArgs& a) {
    none(a, "sequence");
    switch (v.kind()) {
        case Kind::Undefined:
        case Kind::String:
        case Kind::Dict:
            return true;
        case Kind::List:
            return v.seq().kind == SeqKind::List || v.seq().kind == SeqKind::Tuple;
        default:
            return false;
    }
}

bool t_callable(Interpreter&, const Value& v, CallArgs& a) {
    none(a, "callable");
    return v.kind() == Kind::Callable || v.is_undefined() || v.kind() == Kind::Loop;
}

bool t_odd(Interpreter& in, const Value& v, CallArgs& a) {
    none(a, "odd");
    return modulo_is(in, v, Value::integer(2), 1);
}

bool t_even(Interpreter& in, const Value& v, CallArgs& a) {
    none(a, "even");
    return modulo_is(in, v, Value::integer(2), 0);
}

bool t_divisibleby(Interpreter& in, const Value& v, CallArgs& a) {
    return modulo_is(in, v, other(a, "divisibleby"), 0);
}

bool case_test(const Value& v, bool upper) {
    const std::string s = to_str(v);  // jinja2 tests str(value)
    bool cased = false, wrong = false;
    for (size_t i = 0; i < s.size();) {
        const char32_t c = utf8::next(s, i);
        cased |= utf8::is_cased(c);
        wrong |= upper ? utf8::is_lower(c) : utf8::is_upper(c);
    }
    return cased && !wrong;
}

bool t_lower(Interpreter&, const Value& v, CallArgs& a) {
    return none(a, "lower"), case_test(v, false);
}
bool t_upper(Interpreter&, const Value& v, CallArgs& a) {
    return none(a, "upper"), case_test(v, true);
}
bool t_escaped(Interpreter&, const Value&, CallArgs& a) {
    return none(a, "escaped"), false;
}

bool t_sameas(Interpreter&, const Value& v, CallArgs& a) {
    const Value& o = other(a, "sameas");
    if (v.kind() != o.kind()) return false;
    switch (v.kind()) {
        case Kind::Undefined:
        case Kind::None:
            return true;
        case Kind::Bool:
        case Kind::Int:
        case Kind::Float:
            return equal(v, o);
        default:
            return v.identity() == o.identity();
    }
}

bool t_in(Interpreter&, const Value& v, CallArgs& a) {
    return contains(other(a, "in"), v);
}
bool t_eq(Interpreter&, const Value& v, CallArgs& a) {
    return equal(v, other(a, "eq"));
}
bool t_ne(Interpreter&, const Value& v, CallArgs& a) {
    return !equal(v, other(a, "ne"));
}
bool t_lt(Interpreter&, const Value& v, CallArgs& a) {
    return compare(v, other(a, "lt"), "<") < 0;
}
bool t_le(Interpreter&, const Value& v, CallArgs& a) {
    return compare(v, other(a, "le"), "<=") <= 0;
}
bool t_gt(Interpreter&, const Value& v, CallArgs& a) {
    return compare(v, other(a, "gt"), ">") > 0;
}
bool t_ge(Interpreter&, const Value& v, CallArgs& a) {
    return compare(v, other(a, "ge"), ">=") >= 0;
}

bool t_filter(Interpreter&, const Value& v, CallArgs& a) {
    none(a, "filter");
    return v.is_string() && find_filter(v.str()) != nullptr;
}

bool t_test(Interpreter&, const Value& v, CallArgs& a) {
    none(a, "test");
    return v.is_string() && find_test(v.str()) != nullptr;
}

struct Entry {
    std::string_view name;
    TestFn fn;
};

constexpr Entry kTests[] = {
    {"defined", t_defined},
    {"undefined", t_undefined},
    {"none", t_none},
    {"boolean", t_boolean},
    {"true", t_true},
    {"false", t_false},
    {"integer", t_integer},
    {"float", t_float},
    {"number", t_number},
    {"string", t_string},
    {"mapping", t_mapping},
    {"iterable", t_iterable},
    {"sequence", t_sequence},
    {"callable", t_callable},
    {"odd", t_odd},
    {"even", t_even},
    {"divisibleby", t_divisibleby},
    {"lower", t_lower},
    {"upper", t_upper},
    {"escaped", t_escaped},
    {"sameas", t_sameas},
    {"in", t_in},
    {"eq", t_eq},
    {"equalto", t_eq},
    {"==", t_eq},
    {"ne", t_ne},
    {"!=", t_ne},
    {"lt", t_lt},
    {"lessthan", t_lt},
    {"<", t_lt},
    {"le", t_le},
    {"<=", t_le},
    {"gt", t_gt},
    {"greaterthan", t_gt},
    {">", t_gt},
    {"ge", t_ge},
    {">=", t_ge},
    {"filter", t_filter},
    {"test", t_test},
};

}  // namespace

TestFn find_test(std::string_view name) {
    for (const Entry& e : kTests)
        if (e.name == name) return e.fn;
    return nullptr;
}

}  // namespace flash::jinja
