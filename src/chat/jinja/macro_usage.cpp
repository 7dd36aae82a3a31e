#include "chat/jinja/macro_usage.h"

namespace flash::jinja {
namespace {

// jinja2 lets a macro take extra arguments only when its body mentions varargs / kwargs /
// caller; nested macros have their own.
void scan_names(const Expr* e, MacroStmt& m);
void scan_args(const Arguments& a, MacroStmt& m) {
    for (const auto& x : a.positional) scan_names(x.get(), m);
    for (const auto& [k, x] : a.keyword) scan_names(x.get(), m);
    scan_names(a.star.get(), m);
    scan_names(a.star_star.get(), m);
}

void scan_names(const Expr* e, MacroStmt& m) {
    if (!e) return;
    switch (e->kind) {
        case ExprKind::Name: {
            const std::string& n = static_cast<const NameExpr*>(e)->name;
            m.uses_varargs |= n == "varargs";
            m.uses_kwargs |= n == "kwargs";
            m.uses_caller |= n == "caller";
            return;
        }
        case ExprKind::List:
        case ExprKind::Tuple:
            for (const auto& x : static_cast<const SeqExpr*>(e)->items) scan_names(x.get(), m);
            return;
        case ExprKind::Dict:
            for (const auto& [k, v] : static_cast<const DictExpr*>(e)->items) {
                scan_names(k.get(), m);
                scan_names(v.get(), m);
            }
            return;
        case ExprKind::Getattr:
            scan_names(static_cast<const GetattrExpr*>(e)->object.get(), m);
            return;
        case ExprKind::Getitem: {
            auto* g = static_cast<const GetitemExpr*>(e);
            scan_names(g->object.get(), m);
            scan_names(g->index.get(), m);
            return;
        }
        case ExprKind::Slice: {
            auto* s = static_cast<const SliceExpr*>(e);
            scan_names(s->start.get(), m);
            scan_names(s->stop.get(), m);
            scan_names(s->step.get(), m);
            return;
        }
        case ExprKind::Unary:
            scan_names(static_cast<const UnaryExpr*>(e)->operand.get(), m);
            return;
        case ExprKind::Binary: {
            auto* b = static_cast<const BinaryExpr*>(e);
            scan_names(b->left.get(), m);
            scan_names(b->right.get(), m);
            return;
        }
        case ExprKind::Compare: {
            auto* c = static_cast<const CompareExpr*>(e);
            scan_names(c->first.get(), m);
            for (const auto& [op, x] : c->rest) scan_names(x.get(), m);
            return;
        }
        case ExprKind::Cond: {
            auto* c = static_cast<const CondExpr*>(e);
            scan_names(c->test.get(), m);
            scan_names(c->then.get(), m);
            scan_names(c->otherwise.get(), m);
            return;
        }
        case ExprKind::Filter: {
            auto* f = static_cast<const FilterExpr*>(e);
            scan_names(f->operand.get(), m);
            scan_args(f->args, m);
            return;
        }
        case ExprKind::Test: {
            auto* t = static_cast<const TestExpr*>(e);
            scan_names(t->operand.get(), m);
            scan_args(t->args, m);
            return;
        }
        case ExprKind::Call: {
            auto* c = static_cast<const CallExpr*>(e);
            scan_names(c->callee.get(), m);
            scan_args(c->args, m);
            return;
        }
        case ExprKind::Const:
            return;
    }
}

void scan_body(const Body& body, MacroStmt& m) {
    for (const auto& s : body) {
        switch (s->kind) {
            case StmtKind::Output:
                scan_names(static_cast<const OutputStmt*>(s.get())->expr.get(), m);
                break;
            case StmtKind::If: {
                auto* i = static_cast<const IfStmt*>(s.get());
                for (const auto& [c, b] : i->branches) {
                    scan_names(c.get(), m);
                    scan_body(b, m);
                }
                scan_body(i->otherwise, m);
                break;
            }
            case StmtKind::For: {
                auto* f = static_cast<const ForStmt*>(s.get());
                scan_names(f->iter.get(), m);
                scan_names(f->filter.get(), m);
                scan_body(f->body, m);
                scan_body(f->otherwise, m);
                break;
            }
            case StmtKind::Set:
                scan_names(static_cast<const SetStmt*>(s.get())->value.get(), m);
                break;
            case StmtKind::SetBlock: {
                auto* b = static_cast<const SetBlockStmt*>(s.get());
                scan_names(b->filter.get(), m);
                scan_body(b->body, m);
                break;
            }
            case StmtKind::CallBlock:
                scan_names(static_cast<const CallBlockStmt*>(s.get())->call.get(), m);
                break;
            case StmtKind::FilterBlock: {
                auto* f = static_cast<const FilterBlockStmt*>(s.get());
                scan_names(f->filter.get(), m);
                scan_body(f->body, m);
                break;
            }
            case StmtKind::With: {
                auto* w = static_cast<const WithStmt*>(s.get());
                for (const auto& [t, v] : w->assignments) scan_names(v.get(), m);
                scan_body(w->body, m);
                break;
            }
            case StmtKind::Scoped:
                scan_body(static_cast<const ScopedStmt*>(s.get())->body, m);
                break;
            default:
                break;
        }
    }
}

}  // namespace

void find_special_names(MacroStmt& m) {
    scan_body(m.body, m);
}

}  // namespace flash::jinja
