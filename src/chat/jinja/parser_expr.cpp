// Expression half of the parser: jinja2's precedence climbing, loosest first —
// condexpr, or, and, not, comparisons, + -, ~, * / // %, **, unary - +, then postfix
// (.attr, [index], calls) and filters/tests.
#include <algorithm>

#include "chat/jinja/parser.h"

namespace flash::jinja {

// Caps nesting so a hostile template cannot exhaust the stack while parsing.
struct DepthGuard {
    explicit DepthGuard(Parser& p) : p_(p) {
        if (++p_.depth_ > 100) p_.fail(p_.cur(), "expression nested deeper than 100 levels");
    }
    ~DepthGuard() { --p_.depth_; }
    Parser& p_;
};

namespace {

bool in_list(const std::vector<std::string_view>& names, const Token& t) {
    return t.type == Tok::Name && std::find(names.begin(), names.end(), t.text) != names.end();
}

}  // namespace

ExprPtr Parser::parse_expression(bool with_condexpr) {
    DepthGuard g(*this);  // every nested (), [], {}, argument and subscript passes here
    return with_condexpr ? parse_condexpr() : parse_or();
}

ExprPtr Parser::parse_tuple(bool simplified, bool with_condexpr,
                            const std::vector<std::string_view>& extra_end, bool explicit_parens) {
    const int line = cur().line;
    auto tuple = std::make_unique<SeqExpr>(ExprKind::Tuple, line);
    bool is_tuple = false;
    while (true) {
        if (!tuple->items.empty()) expect_op(",");
        const Token& t = cur();
        if (t.type == Tok::VariableEnd || t.type == Tok::BlockEnd ||
            (t.type == Tok::Operator && t.text == ")") || in_list(extra_end, t))
            break;
        tuple->items.push_back(simplified ? parse_primary() : parse_expression(with_condexpr));
        if (is_op(","))
            is_tuple = true;
        else
            break;
    }
    if (!is_tuple) {
        if (!tuple->items.empty()) return std::move(tuple->items[0]);
        if (!explicit_parens) fail(cur(), "expected an expression, got " + describe(cur()));
    }
    return tuple;
}

ExprPtr Parser::parse_condexpr() {
    const int line = cur().line;
    ExprPtr expr = parse_or();
    while (skip_name("if")) {
        ExprPtr test = parse_or();
        ExprPtr otherwise = skip_name("else") ? parse_condexpr() : nullptr;
        expr = std::make_unique<CondExpr>(std::move(test), std::move(expr), std::move(otherwise),
                                          line);
    }
    return expr;
}

ExprPtr Parser::parse_or() {
    const int line = cur().line;
    ExprPtr left = parse_and();
    while (skip_name("or"))
        left = std::make_unique<BinaryExpr>(BinaryOp::Or, std::move(left), parse_and(), line);
    return left;
}

ExprPtr Parser::parse_and() {
    const int line = cur().line;
    ExprPtr left = parse_not();
    while (skip_name("and"))
        left = std::make_unique<BinaryExpr>(BinaryOp::And, std::move(left), parse_not(), line);
    return left;
}

ExprPtr Parser::parse_not() {
    if (is_name("not")) {
        DepthGuard g(*this);
        const int line = next().line;
        return std::make_unique<UnaryExpr>(UnaryOp::Not, parse_not(), line);
    }
    return parse_compare();
}

ExprPtr Parser::parse_compare() {
    const int line = cur().line;
    ExprPtr first = parse_math1();
    std::unique_ptr<CompareExpr> cmp;
    while (true) {
        CompareOp op;
        const Token& t = cur();
        if (t.type == Tok::Operator && t.text == "==")
            op = CompareOp::Eq;
        else if (t.type == Tok::Operator && t.text == "!=")
            op = CompareOp::Ne;
        else if (t.type == Tok::Operator && t.text == "<")
            op = CompareOp::Lt;
        else if (t.type == Tok::Operator && t.text == "<=")
            op = CompareOp::Le;
        else if (t.type == Tok::Operator && t.text == ">")
            op = CompareOp::Gt;
        else if (t.type == Tok::Operator && t.text == ">=")
            op = CompareOp::Ge;
        else if (is_name("in"))
            op = CompareOp::In;
        else if (is_name("not") && peek().type == Tok::Name && peek().text == "in") {
            next();
            op = CompareOp::NotIn;
        } else {
            break;
        }
        next();
        if (!cmp) cmp = std::make_unique<CompareExpr>(std::move(first), line);
        cmp->rest.emplace_back(op, parse_math1());
    }
    if (cmp) return cmp;
    return first;
}

ExprPtr Parser::parse_math1() {
    const int line = cur().line;
    ExprPtr left = parse_concat();
    while (is_op("+") || is_op("-")) {
        const BinaryOp op = next().text == "+" ? BinaryOp::Add : BinaryOp::Sub;
        left = std::make_unique<BinaryExpr>(op, std::move(left), parse_concat(), line);
    }
    return left;
}

ExprPtr Parser::parse_concat() {
    const int line = cur().line;
    ExprPtr left = parse_math2();
    while (skip_op("~"))
        left = std::make_unique<BinaryExpr>(BinaryOp::Concat, std::move(left), parse_math2(), line);
    return left;
}

ExprPtr Parser::parse_math2() {
    const int line = cur().line;
    ExprPtr left = parse_pow();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
        const std::string op = next().text;
        const BinaryOp b = op == "*"    ? BinaryOp::Mul
                           : op == "/"  ? BinaryOp::Div
                           : op == "//" ? BinaryOp::FloorDiv
                                        : BinaryOp::Mod;
        left = std::make_unique<BinaryExpr>(b, std::move(left), parse_pow(), line);
    }
    return left;
}

ExprPtr Parser::parse_pow() {
    const int line = cur().line;
    ExprPtr left = parse_unary(true);
    while (skip_op("**"))
        left =
            std::make_unique<BinaryExpr>(BinaryOp::Pow, std::move(left), parse_unary(true), line);
    return left;
}

ExprPtr Parser::parse_unary(bool with_filter) {
    const int line = cur().line;
    ExprPtr node;
    if (is_op("-") || is_op("+")) {
        DepthGuard g(*this);
        const UnaryOp op = next().text == "-" ? UnaryOp::Neg : UnaryOp::Pos;
        node = std::make_unique<UnaryExpr>(op, parse_unary(false), line);
    } else {
        node = parse_primary();
    }
    node = parse_postfix(std::move(node));
    if (with_filter) node = parse_filter_expr(std::move(node));
    return node;
}

ExprPtr Parser::parse_primary() {
    const Token& t = cur();
    const int line = t.line;
    switch (t.type) {
        case Tok::Name: {
            next();
            if (t.text == "true" || t.text == "True")
                return std::make_unique<ConstExpr>(Value::boolean(true), line);
            if (t.text == "false" || t.text == "False")
                return std::make_unique<ConstExpr>(Value::boolean(false), line);
            if (t.text == "none" || t.text == "None")
                return std::make_unique<ConstExpr>(Value::none(), line);
            return std::make_unique<NameExpr>(t.text, line);
        }
        case Tok::String: {
            std::string s = next().text;
            while (cur().type == Tok::String) s += next().text;  // adjacent literals join
            return std::make_unique<ConstExpr>(Value::string(std::move(s)), line);
        }
        case Tok::Integer:
            next();
            return std::make_unique<ConstExpr>(Value::integer(t.int_value), line);
        case Tok::Float:
            next();
            return std::make_unique<ConstExpr>(Value::number(t.float_value), line);
        case Tok::Operator:
            if (t.text == "(") {
                next();
                ExprPtr e = parse_tuple(false, true, {}, true);
                expect_op(")");
                return e;
            }
            if (t.text == "[") return parse_list();
            if (t.text == "{") return parse_dict();
            break;
        default:
            break;
    }
    fail(t, "unexpected " + describe(t));
}

ExprPtr Parser::parse_list() {
    auto l = std::make_unique<SeqExpr>(ExprKind::List, next().line);
    while (!is_op("]")) {
        if (!l->items.empty()) expect_op(",");
        if (is_op("]")) break;
        l->items.push_back(parse_expression());
    }
    expect_op("]");
    return l;
}

ExprPtr Parser::parse_dict() {
    auto d = std::make_unique<DictExpr>(next().line);
    while (!is_op("}")) {
        if (!d->items.empty()) expect_op(",");
        if (is_op("}")) break;
        ExprPtr key = parse_expression();
        expect_op(":");
        d->items.emplace_back(std::move(key), parse_expression());
    }
    expect_op("}");
    return d;
}

ExprPtr Parser::parse_postfix(ExprPtr node) {
    while (true) {
        if (is_op(".") || is_op("["))
            node = parse_subscript(std::move(node));
        else if (is_op("("))
            node = parse_call(std::move(node));
        else
            return node;
    }
}

ExprPtr Parser::parse_filter_expr(ExprPtr node) {
    while (true) {
        if (is_op("|"))
            node = parse_filter(std::move(node), false);
        else if (is_name("is"))
            node = parse_test(std::move(node));
        else if (is_op("("))
            node = parse_call(std::move(node));
        else
            return node;
    }
}

ExprPtr Parser::parse_subscript(ExprPtr node) {
    const Token& t = next();
    const int line = t.line;
    if (t.text == ".") {
        const Token& attr = next();
        if (attr.type == Tok::Name)
            return std::make_unique<GetattrExpr>(std::move(node), attr.text, line);
        if (attr.type != Tok::Integer) fail(attr, "expected a name or number after '.'");
        return std::make_unique<GetitemExpr>(
            std::move(node), std::make_unique<ConstExpr>(Value::integer(attr.int_value), line),
            line);
    }
    std::vector<ExprPtr> args;
    while (!is_op("]")) {
        if (!args.empty()) expect_op(",");
        args.push_back(parse_subscribed());
    }
    expect_op("]");
    if (args.size() == 1)
        return std::make_unique<GetitemExpr>(std::move(node), std::move(args[0]), line);
    auto tuple = std::make_unique<SeqExpr>(ExprKind::Tuple, line);
    tuple->items = std::move(args);
    return std::make_unique<GetitemExpr>(std::move(node), std::move(tuple), line);
}

ExprPtr Parser::parse_subscribed() {
    const int line = cur().line;
    ExprPtr start;
    if (!skip_op(":")) {
        start = parse_expression();
        if (!skip_op(":")) return start;
    }
    auto s = std::make_unique<SliceExpr>(line);
    s->start = std::move(start);
    if (!is_op(":") && !is_op("]") && !is_op(",")) s->stop = parse_expression();
    if (skip_op(":") && !is_op("]") && !is_op(",")) s->step = parse_expression();
    return s;
}

ExprPtr Parser::parse_call(ExprPtr node) {
    auto c = std::make_unique<CallExpr>(std::move(node), cur().line);
    c->args = parse_call_args();
    return c;
}

Arguments Parser::parse_call_args() {
    const Token& open = cur();
    expect_op("(");
    Arguments a;
    bool need_comma = false;
    auto ensure = [&](bool ok) {
        if (!ok) fail(open, "invalid syntax for function call expression");
    };
    while (!is_op(")")) {
        if (need_comma) {
            expect_op(",");
            if (is_op(")")) break;
        }
        if (skip_op("*")) {
            ensure(!a.star && !a.star_star);
            a.star = parse_expression();
        } else if (skip_op("**")) {
            ensure(!a.star_star);
            a.star_star = parse_expression();
        } else if (cur().type == Tok::Name && peek().type == Tok::Operator && peek().text == "=") {
            ensure(!a.star_star);
            std::string key = next().text;
            next();
            a.keyword.emplace_back(std::move(key), parse_expression());
        } else {
            ensure(!a.star && !a.star_star && a.keyword.empty());
            a.positional.push_back(parse_expression());
        }
        need_comma = true;
    }
    expect_op(")");
    return a;
}

ExprPtr Parser::parse_filter(ExprPtr node, bool start_inline) {
    while (is_op("|") || start_inline) {
        if (!start_inline) next();
        start_inline = false;
        const int line = cur().line;
        std::string name = expect_identifier();
        while (skip_op(".")) name += "." + expect_identifier();
        auto f = std::make_unique<FilterExpr>(std::move(node), std::move(name), line);
        if (is_op("(")) f->args = parse_call_args();
        node = std::move(f);
    }
    return node;
}

ExprPtr Parser::parse_test(ExprPtr node) {
    const int line = next().line;  // 'is'
    const bool negated = skip_name("not");
    std::string name = expect_identifier();
    while (skip_op(".")) name += "." + expect_identifier();
    auto t = std::make_unique<TestExpr>(std::move(node), std::move(name), line);
    const Token& c = cur();
    const bool starts_arg = c.type == Tok::Name || c.type == Tok::String ||
                            c.type == Tok::Integer || c.type == Tok::Float ||
                            (c.type == Tok::Operator && (c.text == "[" || c.text == "{"));
    if (is_op("(")) {
        t->args = parse_call_args();
    } else if (starts_arg && !is_name("else") && !is_name("or") && !is_name("and")) {
        // jinja2 takes one bare argument: `x is divisibleby 3`, `x is sameas none`.
        if (is_name("is")) fail(c, "cannot chain tests with 'is'");
        t->args.positional.push_back(parse_postfix(parse_primary()));
    }
    if (negated) return std::make_unique<UnaryExpr>(UnaryOp::Not, std::move(t), line);
    return t;
}

}  // namespace flash::jinja
