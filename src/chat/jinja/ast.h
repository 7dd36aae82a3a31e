// The syntax tree the parser builds and the interpreter walks: expressions and statements of
// jinja2's language as chat templates use it. Nodes own their children; every node keeps the
// line it came from for error messages.
// Depends on value.h.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chat/jinja/value.h"

namespace flash::jinja {

enum class ExprKind : uint8_t {
    Const,
    Name,
    List,
    Tuple,
    Dict,
    Getattr,
    Getitem,
    Slice,
    Unary,
    Binary,
    Compare,
    Cond,
    Filter,
    Test,
    Call
};

struct Expr {
    Expr(ExprKind k, int l) : kind(k), line(l) {}
    virtual ~Expr() = default;
    ExprKind kind;
    int line;
};
using ExprPtr = std::unique_ptr<Expr>;

struct ConstExpr : Expr {
    ConstExpr(Value v, int l) : Expr(ExprKind::Const, l), value(std::move(v)) {}
    Value value;
};

struct NameExpr : Expr {
    NameExpr(std::string n, int l) : Expr(ExprKind::Name, l), name(std::move(n)) {}
    std::string name;
};

struct SeqExpr : Expr {  // List or Tuple
    using Expr::Expr;
    std::vector<ExprPtr> items;
};

struct DictExpr : Expr {
    explicit DictExpr(int l) : Expr(ExprKind::Dict, l) {}
    std::vector<std::pair<ExprPtr, ExprPtr>> items;
};

struct GetattrExpr : Expr {
    GetattrExpr(ExprPtr o, std::string a, int l)
        : Expr(ExprKind::Getattr, l), object(std::move(o)), attr(std::move(a)) {}
    ExprPtr object;
    std::string attr;
};

struct GetitemExpr : Expr {
    GetitemExpr(ExprPtr o, ExprPtr i, int l)
        : Expr(ExprKind::Getitem, l), object(std::move(o)), index(std::move(i)) {}
    ExprPtr object;
    ExprPtr index;  // a SliceExpr for x[a:b:c]
};

struct SliceExpr : Expr {
    explicit SliceExpr(int l) : Expr(ExprKind::Slice, l) {}
    ExprPtr start, stop, step;  // each may be null
};

enum class UnaryOp : uint8_t { Neg, Pos, Not };
struct UnaryExpr : Expr {
    UnaryExpr(UnaryOp o, ExprPtr e, int l)
        : Expr(ExprKind::Unary, l), op(o), operand(std::move(e)) {}
    UnaryOp op;
    ExprPtr operand;
};

enum class BinaryOp : uint8_t { Add, Sub, Mul, Div, FloorDiv, Mod, Pow, Concat, And, Or };
struct BinaryExpr : Expr {
    BinaryExpr(BinaryOp o, ExprPtr a, ExprPtr b, int l)
        : Expr(ExprKind::Binary, l), op(o), left(std::move(a)), right(std::move(b)) {}
    BinaryOp op;
    ExprPtr left, right;
};

enum class CompareOp : uint8_t { Eq, Ne, Lt, Le, Gt, Ge, In, NotIn };
struct CompareExpr : Expr {  // a < b <= c chains as Python's does
    CompareExpr(ExprPtr f, int l) : Expr(ExprKind::Compare, l), first(std::move(f)) {}
    ExprPtr first;
    std::vector<std::pair<CompareOp, ExprPtr>> rest;
};

struct CondExpr : Expr {  // then if test else otherwise (otherwise may be null: undefined)
    CondExpr(ExprPtr t, ExprPtr a, ExprPtr b, int l)
        : Expr(ExprKind::Cond, l),
          test(std::move(t)),
          then(std::move(a)),
          otherwise(std::move(b)) {}
    ExprPtr test, then, otherwise;
};

struct Arguments {
    std::vector<ExprPtr> positional;
    std::vector<std::pair<std::string, ExprPtr>> keyword;
    ExprPtr star;       // *args
    ExprPtr star_star;  // **kwargs
};

struct FilterExpr : Expr {  // operand|name(args); operand is null in {% filter %} and set blocks
    FilterExpr(ExprPtr o, std::string n, int l)
        : Expr(ExprKind::Filter, l), operand(std::move(o)), name(std::move(n)) {}
    ExprPtr operand;
    std::string name;
    Arguments args;
};

struct TestExpr : Expr {  // operand is name(args)
    TestExpr(ExprPtr o, std::string n, int l)
        : Expr(ExprKind::Test, l), operand(std::move(o)), name(std::move(n)) {}
    ExprPtr operand;
    std::string name;
    Arguments args;
};

struct CallExpr : Expr {
    CallExpr(ExprPtr c, int l) : Expr(ExprKind::Call, l), callee(std::move(c)) {}
    ExprPtr callee;
    Arguments args;
};

// Where `set`, `for` and `with` store values: a name, a tuple of targets, or ns.attr.
struct Target {
    enum class Kind : uint8_t { Name, Tuple, NamespaceAttr } kind = Kind::Name;
    std::string name;
    std::string attr;
    std::vector<Target> items;
};

enum class StmtKind : uint8_t {
    Text,
    Output,
    If,
    For,
    Set,
    SetBlock,
    Macro,
    CallBlock,
    FilterBlock,
    With,
    Scoped,
    Break,
    Continue
};

struct Stmt {
    Stmt(StmtKind k, int l) : kind(k), line(l) {}
    virtual ~Stmt() = default;
    StmtKind kind;
    int line;
};
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;
// Names a frame (the template, a for body, a macro, a with/set/filter/call block) assigns
// before anything in it reads them: jinja2 starts the frame with them undefined, hiding any
// outer value from blocks nested inside (see scoping.h).
using Names = std::vector<std::string>;

struct TextStmt : Stmt {
    TextStmt(std::string t, int l) : Stmt(StmtKind::Text, l), text(std::move(t)) {}
    std::string text;
};

struct OutputStmt : Stmt {  // {{ expr }}
    OutputStmt(ExprPtr e, int l) : Stmt(StmtKind::Output, l), expr(std::move(e)) {}
    ExprPtr expr;
};

struct IfStmt : Stmt {
    explicit IfStmt(int l) : Stmt(StmtKind::If, l) {}
    std::vector<std::pair<ExprPtr, Body>> branches;  // if, elif...
    Body otherwise;
};

struct ForStmt : Stmt {
    explicit ForStmt(int l) : Stmt(StmtKind::For, l) {}
    Target target;
    ExprPtr iter;
    ExprPtr filter;  // for x in y if filter
    Body body, otherwise;
    Names missing, missing_otherwise;  // see Names
};

struct SetStmt : Stmt {
    explicit SetStmt(int l) : Stmt(StmtKind::Set, l) {}
    Target target;
    ExprPtr value;
};

struct SetBlockStmt : Stmt {  // {% set x | filters %}body{% endset %}
    explicit SetBlockStmt(int l) : Stmt(StmtKind::SetBlock, l) {}
    Target target;
    ExprPtr filter;  // FilterExpr chain with a null innermost operand, or null
    Body body;
    Names missing;
};

struct MacroStmt : Stmt {
    explicit MacroStmt(int l) : Stmt(StmtKind::Macro, l) {}
    std::string name;
    std::vector<std::pair<std::string, ExprPtr>> params;  // default may be null
    Body body;
    Names missing;
    // The body mentions these, so the macro accepts extra positional / keyword arguments or a
    // caller (jinja2 decides the same way).
    bool uses_varargs = false, uses_kwargs = false, uses_caller = false;
};

struct CallBlockStmt : Stmt {  // {% call(params) macro(args) %}body{% endcall %}
    explicit CallBlockStmt(int l) : Stmt(StmtKind::CallBlock, l) {}
    ExprPtr call;                       // a CallExpr
    std::unique_ptr<MacroStmt> caller;  // the body as the macro `caller`
};

struct FilterBlockStmt : Stmt {
    explicit FilterBlockStmt(int l) : Stmt(StmtKind::FilterBlock, l) {}
    ExprPtr filter;
    Body body;
    Names missing;
};

struct WithStmt : Stmt {
    explicit WithStmt(int l) : Stmt(StmtKind::With, l) {}
    std::vector<std::pair<Target, ExprPtr>> assignments;
    Body body;
    Names missing;
};

struct ScopedStmt : Stmt {  // {% generation %} and {% block %}: the body in its own scope
    explicit ScopedStmt(int l) : Stmt(StmtKind::Scoped, l) {}
    Body body;
    Names missing;
};

// A parsed template: the top-level body is the root frame.
struct Program {
    Body body;
    Names missing;
};

}  // namespace flash::jinja
