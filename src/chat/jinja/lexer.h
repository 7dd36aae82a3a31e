// Template source → tokens, following jinja2's lexer rule for rule: newlines normalised and one
// trailing newline dropped, `-` and `+` whitespace control, trim_blocks (the newline after a
// block or comment tag) and lstrip_blocks (spaces and tabs before a block or comment tag at the
// start of a line), comments dropped, {% raw %} kept as text, string escapes decoded as Python
// does.
// Depends on core/error.h (syntax errors are flash::Error with line and column).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flash::jinja {

enum class Tok : uint8_t {
    Data,           // text outside tags
    VariableBegin,  // {{
    VariableEnd,    // }}
    BlockBegin,     // {%
    BlockEnd,       // %}
    Name,
    String,
    Integer,
    Float,
    Operator,  // text holds the operator: + - * / // % ** ~ == != < <= > >= = . : | , ( ) [ ] { }
    Eof,
};

struct Token {
    Tok type = Tok::Eof;
    std::string text;  // data, name, decoded string, operator
    int64_t int_value = 0;
    double float_value = 0;
    int line = 1;
    int column = 1;
};

struct LexOptions {
    bool trim_blocks = true;
    bool lstrip_blocks = true;
};

// Throws flash::Error "chat template line L, column C: <what>" for malformed tags.
std::vector<Token> tokenize(std::string_view source, LexOptions options);

}  // namespace flash::jinja
