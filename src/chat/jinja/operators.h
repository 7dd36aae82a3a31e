// Python's operators on template values: arithmetic with int/float/bool promotion and Python's
// floor division and modulo signs, str and list + and *, `str % args`, ~ concatenation,
// comparisons and `in`. Errors are RenderError with Python's wording.
// Depends on value.h and ast.h (the operator enums).
#pragma once

#include "chat/jinja/ast.h"
#include "chat/jinja/value.h"

namespace flash::jinja {

class Interpreter;

Value binary_op(Interpreter& in, BinaryOp op, const Value& a, const Value& b);
Value unary_op(UnaryOp op, const Value& v);
bool compare_op(CompareOp op, const Value& a, const Value& b);
bool contains(const Value& container, const Value& item);  // Python's `item in container`

}  // namespace flash::jinja
