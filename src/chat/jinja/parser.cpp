#include "chat/jinja/parser.h"

#include <algorithm>

#include "chat/jinja/errors.h"
#include "chat/jinja/macro_usage.h"
#include "chat/jinja/scoping.h"

namespace flash::jinja {

Program parse_template(std::string_view source, LexOptions options) {
    Program p;
    p.body = Parser(tokenize(source, options)).parse_all();
    analyze_scopes(p);
    return p;
}

namespace {

bool contains(const std::vector<std::string_view>& names, std::string_view n) {
    return std::find(names.begin(), names.end(), n) != names.end();
}

std::string quoted_list(const std::vector<std::string_view>& names) {
    std::string s;
    for (size_t i = 0; i < names.size(); ++i) {
        if (i) s += i + 1 == names.size() ? " or " : ", ";
        s += "'" + std::string(names[i]) + "'";
    }
    return s;
}

}  // namespace

class LoopGuard {  // break/continue belong to the innermost for body, not to a macro's caller
  public:
    LoopGuard(Parser& p, int depth) : p_(p), saved_(p.loop_depth_) { p_.loop_depth_ = depth; }
    ~LoopGuard() { p_.loop_depth_ = saved_; }

  private:
    Parser& p_;
    int saved_;
};

Body Parser::parse_all() {
    Body body = subparse({});
    if (cur().type != Tok::Eof) fail(cur(), "unexpected " + describe(cur()));
    return body;
}

Body Parser::subparse(const std::vector<std::string_view>& end_names) {
    Body body;
    while (true) {
        const Token& t = cur();
        switch (t.type) {
            case Tok::Data:
                body.push_back(std::make_unique<TextStmt>(t.text, t.line));
                next();
                break;
            case Tok::VariableBegin: {
                next();
                const int line = cur().line;
                ExprPtr e = parse_tuple(false, true, {}, false);
                expect(Tok::VariableEnd);
                body.push_back(std::make_unique<OutputStmt>(std::move(e), line));
                break;
            }
            case Tok::BlockBegin:
                next();
                if (cur().type == Tok::Name && contains(end_names, cur().text)) return body;
                parse_statement(body);
                expect(Tok::BlockEnd);
                break;
            case Tok::Eof:
                if (!end_names.empty())
                    fail(t, "unexpected end of template; expected " + quoted_list(end_names));
                return body;
            default:
                fail(t, "unexpected " + describe(t));
        }
    }
}

Body Parser::parse_statements(const std::vector<std::string_view>& end_names, bool drop_needle) {
    skip_op(":");
    expect(Tok::BlockEnd);
    Body body = subparse(end_names);
    if (drop_needle) next();
    return body;
}

void Parser::parse_statement(Body& out) {
    struct BlockDepth {
        int& d;
        ~BlockDepth() { --d; }
    } depth{++block_depth_};
    if (block_depth_ > 200) fail(cur(), "blocks nested deeper than 200 levels");
    const Token& t = cur();
    if (t.type != Tok::Name) fail(t, "tag name expected, got " + describe(t));
    const std::string name = t.text;
    const int line = t.line;
    if (name == "for") {
        out.push_back(parse_for());
    } else if (name == "if") {
        out.push_back(parse_if());
    } else if (name == "set") {
        out.push_back(parse_set());
    } else if (name == "macro") {
        out.push_back(parse_macro());
    } else if (name == "call") {
        out.push_back(parse_call_block());
    } else if (name == "with") {
        out.push_back(parse_with());
    } else if (name == "filter") {
        next();
        auto f = std::make_unique<FilterBlockStmt>(line);
        f->filter = parse_filter(nullptr, true);
        f->body = parse_statements({"endfilter"}, true);
        out.push_back(std::move(f));
    } else if (name == "print") {
        next();
        do {
            out.push_back(std::make_unique<OutputStmt>(parse_expression(), line));
        } while (skip_op(","));
    } else if (name == "generation" || name == "block") {
        // transformers' {% generation %} only marks assistant text; {% block %} without
        // {% extends %} renders in place.
        next();
        std::string block_name;
        if (name == "block") {
            block_name = expect_identifier();
            skip_name("scoped");
            skip_name("required");
        }
        auto s = std::make_unique<ScopedStmt>(line);
        s->body = parse_statements({name == "block" ? "endblock" : "endgeneration"}, true);
        if (!block_name.empty()) skip_name(block_name);
        out.push_back(std::move(s));
    } else if (name == "break" || name == "continue") {
        if (loop_depth_ == 0) fail(t, "'" + name + "' outside loop");
        next();
        out.push_back(
            std::make_unique<Stmt>(name == "break" ? StmtKind::Break : StmtKind::Continue, line));
    } else if (name == "include" || name == "import" || name == "from" || name == "extends" ||
               name == "autoescape" || name == "do") {
        fail(t, "the '" + name + "' tag is not supported in chat templates");
    } else if (name.rfind("end", 0) == 0 || name == "elif" || name == "else") {
        fail(t, "unexpected '" + name + "': no open block here takes it");
    } else {
        fail(t, "unknown tag '" + name + "'");
    }
}

StmtPtr Parser::parse_for() {
    auto f = std::make_unique<ForStmt>(next().line);
    f->target = parse_assign_target(true, false, {"in"}, false);
    expect_name("in");
    f->iter = parse_tuple(false, false, {"recursive"}, false);
    if (skip_name("if")) f->filter = parse_expression();
    if (is_name("recursive")) fail(cur(), "recursive for loops are not supported");
    {
        LoopGuard g(*this, loop_depth_ + 1);
        f->body = parse_statements({"endfor", "else"}, false);
    }
    if (next().text == "else") f->otherwise = parse_statements({"endfor"}, true);
    return f;
}

StmtPtr Parser::parse_if() {
    auto s = std::make_unique<IfStmt>(next().line);
    while (true) {
        ExprPtr cond = parse_tuple(false, false, {}, false);
        Body body = parse_statements({"elif", "else", "endif"}, false);
        s->branches.emplace_back(std::move(cond), std::move(body));
        const std::string end = next().text;
        if (end == "elif") continue;
        if (end == "else") s->otherwise = parse_statements({"endif"}, true);
        break;
    }
    return s;
}

StmtPtr Parser::parse_set() {
    const int line = next().line;
    Target target = parse_assign_target(true, false, {}, true);
    if (skip_op("=")) {
        auto s = std::make_unique<SetStmt>(line);
        s->target = std::move(target);
        s->value = parse_tuple(false, true, {}, false);
        return s;
    }
    auto s = std::make_unique<SetBlockStmt>(line);
    s->target = std::move(target);
    if (is_op("|")) s->filter = parse_filter(nullptr, false);
    s->body = parse_statements({"endset"}, true);
    return s;
}

StmtPtr Parser::parse_macro() {
    auto m = std::make_unique<MacroStmt>(next().line);
    m->name = expect_identifier();
    parse_signature(*m);
    {
        LoopGuard g(*this, 0);
        m->body = parse_statements({"endmacro"}, true);
    }
    find_special_names(*m);
    return m;
}

void Parser::parse_signature(MacroStmt& m) {
    expect_op("(");
    bool defaults = false;
    while (!is_op(")")) {
        if (!m.params.empty()) expect_op(",");
        const Token& at = cur();
        std::string name = expect_identifier();
        ExprPtr dflt;
        if (skip_op("=")) {
            dflt = parse_expression();
            defaults = true;
        } else if (defaults) {
            fail(at, "non-default argument follows default argument");
        }
        m.params.emplace_back(std::move(name), std::move(dflt));
    }
    expect_op(")");
}

StmtPtr Parser::parse_call_block() {
    auto c = std::make_unique<CallBlockStmt>(next().line);
    c->caller = std::make_unique<MacroStmt>(c->line);
    c->caller->name = "caller";
    if (is_op("(")) parse_signature(*c->caller);
    const Token& at = cur();
    c->call = parse_expression();
    if (c->call->kind != ExprKind::Call) fail(at, "expected a call after {% call %}");
    {
        LoopGuard g(*this, 0);
        c->caller->body = parse_statements({"endcall"}, true);
    }
    find_special_names(*c->caller);
    return c;
}

StmtPtr Parser::parse_with() {
    auto w = std::make_unique<WithStmt>(next().line);
    while (cur().type != Tok::BlockEnd) {
        if (!w->assignments.empty()) expect_op(",");
        Target t = parse_assign_target(true, false, {}, false);
        expect_op("=");
        w->assignments.emplace_back(std::move(t), parse_expression());
    }
    w->body = parse_statements({"endwith"}, true);
    return w;
}

Target Parser::parse_assign_target(bool with_tuple, bool name_only,
                                   const std::vector<std::string_view>& extra_end,
                                   bool with_namespace) {
    Target t;
    if (with_namespace && cur().type == Tok::Name && peek().type == Tok::Operator &&
        peek().text == ".") {
        t.kind = Target::Kind::NamespaceAttr;
        t.name = expect_identifier();
        next();  // the dot
        t.attr = expect_identifier();
        return t;
    }
    if (name_only) {
        t.name = expect_identifier();
        return t;
    }
    const Token& at = cur();
    ExprPtr e = with_tuple ? parse_tuple(true, true, extra_end, false) : parse_primary();
    try {
        return to_target(*e);
    } catch (const RenderError& err) {
        fail(at, err.what());
    }
}

Target Parser::to_target(const Expr& e) {
    Target t;
    if (e.kind == ExprKind::Name) {
        t.name = static_cast<const NameExpr&>(e).name;
        return t;
    }
    if (e.kind == ExprKind::Tuple) {
        t.kind = Target::Kind::Tuple;
        for (const auto& x : static_cast<const SeqExpr&>(e).items) t.items.push_back(to_target(*x));
        return t;
    }
    throw RenderError("cannot assign to this expression");
}

bool Parser::skip_op(std::string_view op) {
    if (!is_op(op)) return false;
    next();
    return true;
}

bool Parser::skip_name(std::string_view n) {
    if (!is_name(n)) return false;
    next();
    return true;
}

void Parser::expect_op(std::string_view op) {
    if (!skip_op(op)) fail(cur(), "expected '" + std::string(op) + "', got " + describe(cur()));
}

void Parser::expect_name(std::string_view n) {
    if (!skip_name(n)) fail(cur(), "expected '" + std::string(n) + "', got " + describe(cur()));
}

std::string Parser::expect_identifier() {
    if (cur().type != Tok::Name) fail(cur(), "expected a name, got " + describe(cur()));
    return next().text;
}

void Parser::expect(Tok type) {
    if (cur().type == type) {
        next();
        return;
    }
    const char* what = type == Tok::BlockEnd      ? "end of statement block ('%}')"
                       : type == Tok::VariableEnd ? "end of print statement ('}}')"
                                                  : "token";
    fail(cur(), std::string("expected ") + what + ", got " + describe(cur()));
}

void Parser::fail(const Token& at, const std::string& what) const {
    throw_syntax_error(at.line, at.column, what);
}

std::string Parser::describe(const Token& t) {
    switch (t.type) {
        case Tok::Data:
            return "template text";
        case Tok::VariableBegin:
            return "'{{'";
        case Tok::VariableEnd:
            return "end of print statement ('}}')";
        case Tok::BlockBegin:
            return "'{%'";
        case Tok::BlockEnd:
            return "end of statement block ('%}')";
        case Tok::Name:
        case Tok::Operator:
        case Tok::Integer:
        case Tok::Float:
            return "'" + t.text + "'";
        case Tok::String:
            return "a string";
        case Tok::Eof:
            return "end of template";
    }
    return "token";
}

}  // namespace flash::jinja
