#include "chat/jinja/operators.h"

#include <cmath>

#include "chat/jinja/errors.h"
#include "chat/jinja/format.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/pystr.h"
#include "chat/jinja/strformat.h"

namespace flash::jinja {
namespace {

const char* symbol(BinaryOp op) {
    switch (op) {
        case BinaryOp::Add:
            return "+";
        case BinaryOp::Sub:
            return "-";
        case BinaryOp::Mul:
            return "*";
        case BinaryOp::Div:
            return "/";
        case BinaryOp::FloorDiv:
            return "//";
        case BinaryOp::Mod:
            return "%";
        case BinaryOp::Pow:
            return "** or pow()";
        default:
            return "?";
    }
}

[[noreturn]] void unsupported(BinaryOp op, const Value& a, const Value& b) {
    if (op == BinaryOp::Add && (a.is_string() || a.kind() == Kind::List))
        throw RenderError("can only concatenate " + type_name(a) + " (not \"" + type_name(b) +
                          "\") to " + type_name(a));
    throw RenderError(std::string("unsupported operand type(s) for ") + symbol(op) + ": '" +
                      type_name(a) + "' and '" + type_name(b) + "'");
}

[[noreturn]] void overflow() {
    throw RenderError("integer result too large for 64 bits");
}

// Python's float divmod: the remainder takes the divisor's sign.
void float_divmod(double x, double y, double& div, double& mod) {
    if (y == 0) throw RenderError("float division by zero");
    mod = std::fmod(x, y);
    div = (x - mod) / y;
    if (mod != 0) {
        if ((y < 0) != (mod < 0)) {
            mod += y;
            div -= 1.0;
        }
    } else {
        mod = std::copysign(0.0, y);
    }
    if (div != 0) {
        const double f = std::floor(div);
        div = div - f > 0.5 ? f + 1.0 : f;
    } else {
        div = std::copysign(0.0, x / y);
    }
}

Value repeat(Interpreter& in, const Value& seq, int64_t n) {
    if (seq.is_string()) {
        if (n <= 0) return Value::string("");
        in.check_size(seq.str().size() * static_cast<size_t>(n));
        std::string out;
        out.reserve(seq.str().size() * static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) out += seq.str();
        return seq.is_markup() ? Value::markup(std::move(out)) : Value::string(std::move(out));
    }
    std::vector<Value> items;
    if (n > 0) {
        in.check_size(seq.seq().items.size() * static_cast<size_t>(n) * sizeof(Value));
        for (int64_t i = 0; i < n; ++i)
            items.insert(items.end(), seq.seq().items.begin(), seq.seq().items.end());
    }
    return Value::sequence(std::move(items), seq.seq().kind);
}

bool plain_seq(const Value& v) {
    return v.kind() == Kind::List &&
           (v.seq().kind == SeqKind::List || v.seq().kind == SeqKind::Tuple);
}

Value arithmetic(BinaryOp op, const Value& a, const Value& b) {
    const bool ints = a.kind() != Kind::Float && b.kind() != Kind::Float;
    const int64_t x = ints ? a.as_int() : 0, y = ints ? b.as_int() : 0;
    const double fx = a.as_double(), fy = b.as_double();
    int64_t r = 0;
    switch (op) {
        case BinaryOp::Add:
            if (!ints) return Value::number(fx + fy);
            if (__builtin_add_overflow(x, y, &r)) overflow();
            return Value::integer(r);
        case BinaryOp::Sub:
            if (!ints) return Value::number(fx - fy);
            if (__builtin_sub_overflow(x, y, &r)) overflow();
            return Value::integer(r);
        case BinaryOp::Mul:
            if (!ints) return Value::number(fx * fy);
            if (__builtin_mul_overflow(x, y, &r)) overflow();
            return Value::integer(r);
        case BinaryOp::Div:
            if (fy == 0) throw RenderError(ints ? "division by zero" : "float division by zero");
            return Value::number(fx / fy);
        case BinaryOp::FloorDiv:
        case BinaryOp::Mod:
            if (ints) {
                if (y == 0) throw RenderError("integer division or modulo by zero");
                if (x == INT64_MIN && y == -1) overflow();
                int64_t q = x / y, m = x % y;
                if (m != 0 && ((m < 0) != (y < 0))) {
                    m += y;
                    q -= 1;
                }
                return Value::integer(op == BinaryOp::Mod ? m : q);
            } else {
                double d, m;
                float_divmod(fx, fy, d, m);
                return Value::number(op == BinaryOp::Mod ? m : d);
            }
        case BinaryOp::Pow: {
            if (ints && y >= 0) {
                int64_t result = 1, base = x, e = y;
                while (e > 0) {
                    if ((e & 1) && __builtin_mul_overflow(result, base, &result)) overflow();
                    e >>= 1;
                    if (e > 0 && __builtin_mul_overflow(base, base, &base)) overflow();
                }
                return Value::integer(result);
            }
            if (fx == 0 && fy < 0) throw RenderError("0.0 cannot be raised to a negative power");
            if (fx < 0 && fy != std::floor(fy))
                throw RenderError("a negative number to a fractional power is complex");
            const double p = std::pow(fx, fy);
            if (std::isinf(p) && std::isfinite(fx) && std::isfinite(fy))
                throw RenderError("numerical result out of range");
            return Value::number(p);
        }
        default:
            break;
    }
    unsupported(op, a, b);
}

}  // namespace

Value binary_op(Interpreter& in, BinaryOp op, const Value& a, const Value& b) {
    if (op == BinaryOp::Concat) {
        std::string s = to_str(a);
        const std::string t = to_str(b);
        in.check_size(s.size() + t.size());
        return Value::string(s + t);
    }
    if (a.is_undefined()) fail_undefined(a);
    if (b.is_undefined()) fail_undefined(b);
    if (op == BinaryOp::Mod && a.is_string()) return Value::string(percent_format(in, a.str(), b));
    if (a.is_number() && b.is_number()) return arithmetic(op, a, b);
    if (op == BinaryOp::Add) {
        if (a.is_string() && b.is_string()) {
            in.check_size(a.str().size() + b.str().size());
            if (a.is_markup() || b.is_markup()) {  // Markup escapes the plain side
                const std::string x = a.is_markup() ? a.str() : py::html_escape(a.str());
                const std::string y = b.is_markup() ? b.str() : py::html_escape(b.str());
                return Value::markup(x + y);
            }
            return Value::string(a.str() + b.str());
        }
        if (plain_seq(a) && plain_seq(b) && a.seq().kind == b.seq().kind) {
            std::vector<Value> items = a.seq().items;
            in.check_size((items.size() + b.seq().items.size()) * sizeof(Value));
            items.insert(items.end(), b.seq().items.begin(), b.seq().items.end());
            return Value::sequence(std::move(items), a.seq().kind);
        }
    }
    if (op == BinaryOp::Mul) {
        const bool a_seq = a.is_string() || plain_seq(a), b_seq = b.is_string() || plain_seq(b);
        if (a_seq && (b.kind() == Kind::Int || b.kind() == Kind::Bool))
            return repeat(in, a, b.as_int());
        if (b_seq && (a.kind() == Kind::Int || a.kind() == Kind::Bool))
            return repeat(in, b, a.as_int());
    }
    unsupported(op, a, b);
}

Value unary_op(UnaryOp op, const Value& v) {
    if (op == UnaryOp::Not) return Value::boolean(!truthy(v));
    if (v.is_undefined()) fail_undefined(v);
    if (!v.is_number())
        throw RenderError(std::string("bad operand type for unary ") +
                          (op == UnaryOp::Neg ? "-" : "+") + ": '" + type_name(v) + "'");
    if (v.kind() == Kind::Float)
        return Value::number(op == UnaryOp::Neg ? -v.as_double() : v.as_double());
    if (op == UnaryOp::Pos) return Value::integer(v.as_int());
    if (v.as_int() == INT64_MIN) overflow();
    return Value::integer(-v.as_int());
}

bool compare_op(CompareOp op, const Value& a, const Value& b) {
    switch (op) {
        case CompareOp::Eq:
            return equal(a, b);
        case CompareOp::Ne:
            return !equal(a, b);
        case CompareOp::Lt:
            return compare(a, b, "<") < 0;
        case CompareOp::Le:
            return compare(a, b, "<=") <= 0;
        case CompareOp::Gt:
            return compare(a, b, ">") > 0;
        case CompareOp::Ge:
            return compare(a, b, ">=") >= 0;
        case CompareOp::In:
            return contains(b, a);
        case CompareOp::NotIn:
            return !contains(b, a);
    }
    return false;
}

bool contains(const Value& container, const Value& item) {
    switch (container.kind()) {
        case Kind::Undefined:
            return false;  // iterates as empty
        case Kind::String:
            if (!item.is_string())
                throw RenderError("'in <string>' requires string as left operand, not " +
                                  type_name(item));
            return container.str().find(item.str()) != std::string::npos;
        case Kind::List:
            for (const Value& x : container.seq().items)
                if (equal(x, item)) return true;
            return false;
        case Kind::Dict:
            if (!hashable(item)) throw RenderError("unhashable type: '" + type_name(item) + "'");
            return container.dict().find(item) != nullptr;
        case Kind::Loop:
            for (const Value& x : container.loop().items->items)
                if (equal(x, item)) return true;
            return false;
        default:
            throw RenderError("argument of type '" + type_name(container) + "' is not iterable");
    }
}

}  // namespace flash::jinja
