// The interpreter's internal exceptions. template.cpp turns them into flash::Error: a runtime
// error gets the template line, a raise_exception() message reaches the caller unchanged.
// Depends on core/ only.
#pragma once

#include <stdexcept>
#include <string>

namespace flash::jinja {

// Something the template did that Python would raise for ("'x' is undefined", "unsupported
// operand type(s) for +: 'int' and 'str'"). The interpreter knows the line.
class RenderError : public std::runtime_error {
  public:
    explicit RenderError(const std::string& what) : std::runtime_error(what) {}
};

// raise_exception(msg) called by the template: the template's own words, shown as they are.
class RaisedError : public std::runtime_error {
  public:
    explicit RaisedError(const std::string& message) : std::runtime_error(message) {}
};

// "chat template line L, column C: <what>" as flash::Error.
[[noreturn]] void throw_syntax_error(int line, int column, const std::string& what);

}  // namespace flash::jinja
