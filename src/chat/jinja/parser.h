// Tokens → syntax tree, following jinja2's grammar and operator precedence (filters bind tighter
// than arithmetic, `not` looser than comparisons, `a if c` without else yields undefined).
// Errors are flash::Error "chat template line L, column C: <what>".
// Depends on lexer.h and ast.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "chat/jinja/ast.h"
#include "chat/jinja/lexer.h"

namespace flash::jinja {

// Parses and runs the scope analysis (scoping.h).
Program parse_template(std::string_view source, LexOptions options);

// The recursive-descent parser; parser.cpp holds statements, parser_expr.cpp expressions.
class Parser {
  public:
    explicit Parser(std::vector<Token> tokens) : toks_(std::move(tokens)) {}
    Body parse_all();

    // Statements.
    Body subparse(const std::vector<std::string_view>& end_names);
    Body parse_statements(const std::vector<std::string_view>& end_names, bool drop_needle);
    void parse_statement(Body& out);
    StmtPtr parse_for();
    StmtPtr parse_if();
    StmtPtr parse_set();
    StmtPtr parse_macro();
    StmtPtr parse_call_block();
    StmtPtr parse_with();
    void parse_signature(MacroStmt& m);
    Target parse_assign_target(bool with_tuple, bool name_only,
                               const std::vector<std::string_view>& extra_end, bool with_namespace);
    Target to_target(const Expr& e);

    // Expressions, loosest binding first.
    ExprPtr parse_expression(bool with_condexpr = true);
    ExprPtr parse_tuple(bool simplified, bool with_condexpr,
                        const std::vector<std::string_view>& extra_end, bool explicit_parens);
    ExprPtr parse_condexpr();
    ExprPtr parse_or();
    ExprPtr parse_and();
    ExprPtr parse_not();
    ExprPtr parse_compare();
    ExprPtr parse_math1();
    ExprPtr parse_concat();
    ExprPtr parse_math2();
    ExprPtr parse_pow();
    ExprPtr parse_unary(bool with_filter);
    ExprPtr parse_primary();
    ExprPtr parse_list();
    ExprPtr parse_dict();
    ExprPtr parse_postfix(ExprPtr node);
    ExprPtr parse_filter_expr(ExprPtr node);
    ExprPtr parse_subscript(ExprPtr node);
    ExprPtr parse_subscribed();
    ExprPtr parse_call(ExprPtr node);
    ExprPtr parse_filter(ExprPtr node, bool start_inline);
    ExprPtr parse_test(ExprPtr node);
    Arguments parse_call_args();

    // Tokens.
    const Token& cur() const { return toks_[pos_]; }
    const Token& peek() const { return toks_[pos_ + 1 < toks_.size() ? pos_ + 1 : pos_]; }
    const Token& next() {
        const Token& t = toks_[pos_];
        if (pos_ + 1 < toks_.size()) ++pos_;
        return t;
    }
    bool is_op(std::string_view op) const {
        return cur().type == Tok::Operator && cur().text == op;
    }
    bool is_name(std::string_view n) const { return cur().type == Tok::Name && cur().text == n; }
    bool skip_op(std::string_view op);
    bool skip_name(std::string_view n);
    void expect_op(std::string_view op);
    void expect_name(std::string_view n);
    std::string expect_identifier();
    void expect(Tok type);
    [[noreturn]] void fail(const Token& at, const std::string& what) const;
    static std::string describe(const Token& t);

  private:
    std::vector<Token> toks_;
    size_t pos_ = 0;
    int depth_ = 0;        // expression nesting, capped so parsing cannot exhaust the stack
    int loop_depth_ = 0;   // break/continue are only valid inside a for body
    int block_depth_ = 0;  // nested statements, capped like expressions

    friend struct DepthGuard;
    friend class LoopGuard;
};

}  // namespace flash::jinja
