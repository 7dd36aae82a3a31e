#include "chat/jinja/scoping.h"

#include <functional>
#include <map>
#include <set>

namespace flash::jinja {
namespace {

// What a frame starts a name as, mirroring jinja2's VAR_LOAD_* actions.
enum class Load { Parameter, Resolve, Alias, Undefined };

struct Symbols {
    const Symbols* parent = nullptr;
    std::map<std::string, Load> refs;
    std::set<std::string> stores;

    bool find_ref(const std::string& n) const {
        for (const Symbols* s = this; s; s = s->parent)
            if (s->refs.count(n)) return true;
        return false;
    }
    void load(const std::string& n) {
        if (!find_ref(n)) refs[n] = Load::Resolve;
    }
    void store(const std::string& n) {
        stores.insert(n);
        if (refs.count(n)) return;
        refs[n] = parent && parent->find_ref(n) ? Load::Alias : Load::Undefined;
    }
    void parameter(const std::string& n) {
        stores.insert(n);
        refs[n] = Load::Parameter;
    }
    // After an if: later branches' refs win; a name not stored by every branch is looked up
    // outside instead.
    void branch_update(const std::vector<Symbols>& branches) {
        std::map<std::string, size_t> count;
        for (const Symbols& b : branches)
            for (const std::string& t : b.stores)
                if (!stores.count(t)) ++count[t];
        for (const Symbols& b : branches) {
            for (const auto& [n, l] : b.refs) refs[n] = l;
            stores.insert(b.stores.begin(), b.stores.end());
        }
        for (const auto& [n, c] : count)
            if (c != branches.size())
                refs[n] = parent && parent->find_ref(n) ? Load::Alias : Load::Resolve;
    }
};

// Visits one frame's own statements; nested frames are queued and analysed once this frame is
// complete, with it as their parent.
class FrameVisitor {
  public:
    explicit FrameVisitor(Symbols& s) : sym_(&s) {}
    std::vector<std::function<void(const Symbols&)>> children;

    void body(const Body& b) {
        for (const StmtPtr& s : b) stmt(*s);
    }

    void expr(const Expr* e) {
        if (!e) return;
        switch (e->kind) {
            case ExprKind::Name:
                sym_->load(static_cast<const NameExpr*>(e)->name);
                return;
            case ExprKind::Const:
                return;
            case ExprKind::List:
            case ExprKind::Tuple:
                for (const auto& x : static_cast<const SeqExpr*>(e)->items) expr(x.get());
                return;
            case ExprKind::Dict:
                for (const auto& [k, v] : static_cast<const DictExpr*>(e)->items) {
                    expr(k.get());
                    expr(v.get());
                }
                return;
            case ExprKind::Getattr:
                expr(static_cast<const GetattrExpr*>(e)->object.get());
                return;
            case ExprKind::Getitem: {
                auto* g = static_cast<const GetitemExpr*>(e);
                expr(g->object.get());
                expr(g->index.get());
                return;
            }
            case ExprKind::Slice: {
                auto* s = static_cast<const SliceExpr*>(e);
                expr(s->start.get());
                expr(s->stop.get());
                expr(s->step.get());
                return;
            }
            case ExprKind::Unary:
                expr(static_cast<const UnaryExpr*>(e)->operand.get());
                return;
            case ExprKind::Binary: {
                auto* b = static_cast<const BinaryExpr*>(e);
                expr(b->left.get());
                expr(b->right.get());
                return;
            }
            case ExprKind::Compare: {
                auto* c = static_cast<const CompareExpr*>(e);
                expr(c->first.get());
                for (const auto& [op, x] : c->rest) expr(x.get());
                return;
            }
            case ExprKind::Cond: {
                auto* c = static_cast<const CondExpr*>(e);
                expr(c->test.get());
                expr(c->then.get());
                expr(c->otherwise.get());
                return;
            }
            case ExprKind::Filter: {
                auto* f = static_cast<const FilterExpr*>(e);
                expr(f->operand.get());
                args(f->args);
                return;
            }
            case ExprKind::Test: {
                auto* t = static_cast<const TestExpr*>(e);
                expr(t->operand.get());
                args(t->args);
                return;
            }
            case ExprKind::Call: {
                auto* c = static_cast<const CallExpr*>(e);
                expr(c->callee.get());
                args(c->args);
                return;
            }
        }
    }

    void target(const Target& t, bool as_parameter) {
        switch (t.kind) {
            case Target::Kind::Name:
                as_parameter ? sym_->parameter(t.name) : sym_->store(t.name);
                return;
            case Target::Kind::Tuple:
                for (const Target& x : t.items) target(x, as_parameter);
                return;
            case Target::Kind::NamespaceAttr:
                sym_->load(t.name);
                return;
        }
    }

    void macro_frame(MacroStmt& m) {
        children.push_back([&m](const Symbols& parent) {
            Symbols s;
            s.parent = &parent;
            FrameVisitor v(s);
            for (const auto& [name, dflt] : m.params) s.parameter(name);
            for (const char* special : {"varargs", "kwargs", "caller"}) s.parameter(special);
            for (const auto& [name, dflt] : m.params) v.expr(dflt.get());
            v.body(m.body);
            v.finish(s, m.missing);
        });
    }

    void frame(Body& b, Names& missing, std::vector<const Target*> params = {}, bool loop = false) {
        children.push_back([&b, &missing, params, loop](const Symbols& parent) {
            Symbols s;
            s.parent = &parent;
            FrameVisitor v(s);
            for (const Target* t : params) v.target(*t, true);
            if (loop) s.parameter("loop");
            v.body(b);
            v.finish(s, missing);
        });
    }

    void finish(const Symbols& s, Names& missing) {
        for (const auto& [n, l] : s.refs)
            if (l == Load::Undefined) missing.push_back(n);
        for (auto& child : children) child(s);
    }

  private:
    Symbols* sym_;

    void args(const Arguments& a) {
        for (const auto& x : a.positional) expr(x.get());
        for (const auto& [k, x] : a.keyword) expr(x.get());
        expr(a.star.get());
        expr(a.star_star.get());
    }

    void stmt(Stmt& st) {
        switch (st.kind) {
            case StmtKind::Text:
            case StmtKind::Break:
            case StmtKind::Continue:
                return;
            case StmtKind::Output:
                expr(static_cast<OutputStmt&>(st).expr.get());
                return;
            case StmtKind::If:
                return if_stmt(static_cast<IfStmt&>(st));
            case StmtKind::For: {
                auto& f = static_cast<ForStmt&>(st);
                expr(f.iter.get());
                frame(f.body, f.missing, {&f.target}, true);
                frame(f.otherwise, f.missing_otherwise);
                return;
            }
            case StmtKind::Set: {
                auto& s = static_cast<SetStmt&>(st);
                expr(s.value.get());
                target(s.target, false);
                return;
            }
            case StmtKind::SetBlock: {
                auto& s = static_cast<SetBlockStmt&>(st);
                target(s.target, false);
                frame(s.body, s.missing);
                return;
            }
            case StmtKind::Macro: {
                auto& m = static_cast<MacroStmt&>(st);
                sym_->store(m.name);
                macro_frame(m);
                return;
            }
            case StmtKind::CallBlock: {
                auto& c = static_cast<CallBlockStmt&>(st);
                expr(c.call.get());
                macro_frame(*c.caller);
                return;
            }
            case StmtKind::FilterBlock: {
                auto& f = static_cast<FilterBlockStmt&>(st);
                expr(f.filter.get());
                frame(f.body, f.missing);
                return;
            }
            case StmtKind::With: {
                auto& w = static_cast<WithStmt&>(st);
                std::vector<const Target*> params;
                for (auto& [t, value] : w.assignments) {
                    expr(value.get());
                    params.push_back(&t);
                }
                frame(w.body, w.missing, params);
                return;
            }
            case StmtKind::Scoped: {
                auto& s = static_cast<ScopedStmt&>(st);
                frame(s.body, s.missing);
                return;
            }
        }
    }

    // jinja2's If: the test, then three branches — the body, all elifs (each an If of its
    // own), the else — merged by branch_update.
    void if_stmt(IfStmt& s) {
        expr(s.branches[0].first.get());
        Symbols* original = sym_;
        auto branch = [&](auto&& visit) {
            Symbols copy = *original;
            sym_ = &copy;
            visit();
            sym_ = original;
            return copy;
        };
        std::vector<Symbols> branches;
        branches.push_back(branch([&] { body(s.branches[0].second); }));
        branches.push_back(branch([&] {
            for (size_t i = 1; i < s.branches.size(); ++i) {
                expr(s.branches[i].first.get());
                Symbols* outer = sym_;
                Symbols taken = *outer;
                sym_ = &taken;
                body(s.branches[i].second);
                sym_ = outer;
                outer->branch_update({taken, *outer, *outer});
            }
        }));
        branches.push_back(branch([&] { body(s.otherwise); }));
        original->branch_update(branches);
    }
};

}  // namespace

void analyze_scopes(Program& program) {
    Symbols root;
    FrameVisitor v(root);
    v.body(program.body);
    v.finish(root, program.missing);
}

}  // namespace flash::jinja
