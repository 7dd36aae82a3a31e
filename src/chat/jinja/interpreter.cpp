#include "chat/jinja/interpreter.h"

#include "chat/jinja/builtins.h"
#include "chat/jinja/errors.h"
#include "chat/jinja/format.h"

namespace flash::jinja {
namespace {

constexpr int kMaxNesting = 1500;  // eval/exec frames; far beyond real templates

}  // namespace

Value* Scope::find(std::string_view name) {
    for (auto& [k, v] : vars)
        if (k == name) return &v;
    return nullptr;
}

void Scope::declare_missing(const Names& names) {
    for (const std::string& n : names) set(n, Value::undefined("'" + n + "' is undefined"));
}

void Scope::set(std::string_view name, Value v) {
    if (Value* slot = find(name))
        *slot = std::move(v);
    else
        vars.emplace_back(std::string(name), std::move(v));
}

Interpreter::Nesting::Nesting(Interpreter& in) : in_(in) {
    if (++in_.depth_ > kMaxNesting) {
        --in_.depth_;
        throw RenderError("template nested deeper than " + std::to_string(kMaxNesting) +
                          " levels (runaway recursion?)");
    }
}

std::string Interpreter::render(const Program& program, const nlohmann::ordered_json& context) {
    struct ReleaseNamespaces {
        std::vector<std::weak_ptr<Namespace>>& all;
        ~ReleaseNamespaces() {
            for (auto& w : all)
                if (auto ns = w.lock()) ns->attrs.items.clear();
            all.clear();
        }
    } release{namespaces_};
    Scope root(nullptr);
    for (const auto& [k, v] : context.items()) root.set(k, from_json(v));
    root.declare_missing(program.missing);
    root_ = &root;
    std::string out;
    out_ = &out;
    exec(program.body, root);
    out_ = nullptr;
    root_ = nullptr;
    return out;
}

void Interpreter::emit(std::string_view text) {
    produced_ += text.size();
    if (produced_ > opt_.max_output_bytes)
        throw RenderError("output larger than " + std::to_string(opt_.max_output_bytes) +
                          " bytes (runaway template?)");
    out_->append(text);
}

void Interpreter::check_size(size_t bytes) const {
    if (bytes > opt_.max_output_bytes)
        throw RenderError("a value of " + std::to_string(bytes) + " bytes exceeds the " +
                          std::to_string(opt_.max_output_bytes) + "-byte output limit");
}

void Interpreter::count_iterations(size_t n) {
    iterations_ += n;
    if (iterations_ > opt_.max_loop_iterations)
        throw RenderError("more than " + std::to_string(opt_.max_loop_iterations) +
                          " loop iterations (runaway template?)");
}

Interpreter::Flow Interpreter::exec(const Body& body, Scope& s) {
    for (const StmtPtr& st : body) {
        const Flow f = exec_stmt(*st, s);
        if (f != Flow::Normal) return f;
    }
    return Flow::Normal;
}

Interpreter::Flow Interpreter::exec_stmt(const Stmt& st, Scope& s) {
    Nesting guard(*this);
    line_ = st.line;
    switch (st.kind) {
        case StmtKind::Text:
            emit(static_cast<const TextStmt&>(st).text);
            break;
        case StmtKind::Output: {
            const Value v = eval(*static_cast<const OutputStmt&>(st).expr, s);
            emit(v.is_string() ? v.str() : to_str(v));
            break;
        }
        case StmtKind::If: {
            const auto& i = static_cast<const IfStmt&>(st);
            for (const auto& [cond, body] : i.branches)
                if (truthy(eval(*cond, s))) return exec(body, s);
            return exec(i.otherwise, s);
        }
        case StmtKind::For:
            exec_for(static_cast<const ForStmt&>(st), s);
            break;
        case StmtKind::Set: {
            const auto& set = static_cast<const SetStmt&>(st);
            assign(set.target, eval(*set.value, s), s);
            break;
        }
        case StmtKind::SetBlock: {
            const auto& b = static_cast<const SetBlockStmt&>(st);
            Scope inner(&s);
            inner.declare_missing(b.missing);
            Value v = Value::string(capture(b.body, inner));
            if (b.filter) v = eval_filter(static_cast<const FilterExpr&>(*b.filter), s, &v);
            assign(b.target, v, s);
            break;
        }
        case StmtKind::Macro: {
            const auto& m = static_cast<const MacroStmt&>(st);
            s.set(m.name, make_macro(m, s));
            break;
        }
        case StmtKind::CallBlock:
            exec_call_block(static_cast<const CallBlockStmt&>(st), s);
            break;
        case StmtKind::FilterBlock: {
            const auto& f = static_cast<const FilterBlockStmt&>(st);
            Scope inner(&s);
            inner.declare_missing(f.missing);
            const Value body = Value::string(capture(f.body, inner));
            emit(to_str(eval_filter(static_cast<const FilterExpr&>(*f.filter), s, &body)));
            break;
        }
        case StmtKind::With: {
            const auto& w = static_cast<const WithStmt&>(st);
            std::vector<Value> values;
            for (const auto& [t, e] : w.assignments) values.push_back(eval(*e, s));
            Scope inner(&s);
            inner.declare_missing(w.missing);
            for (size_t k = 0; k < values.size(); ++k)
                assign(w.assignments[k].first, values[k], inner);
            return exec(w.body, inner);
        }
        case StmtKind::Scoped: {
            const auto& b = static_cast<const ScopedStmt&>(st);
            Scope inner(&s);
            inner.declare_missing(b.missing);
            return exec(b.body, inner);
        }
        case StmtKind::Break:
            return Flow::Break;
        case StmtKind::Continue:
            return Flow::Continue;
    }
    return Flow::Normal;
}

void Interpreter::exec_for(const ForStmt& f, Scope& s) {
    std::vector<Value> items = iterate(eval(*f.iter, s));
    if (f.filter) {
        // `for x in xs if cond`: filtered first, so loop.length and loop.last see only
        // the items kept.
        std::vector<Value> kept;
        for (Value& item : items) {
            count_iterations(1);
            Scope fs(&s);
            assign(f.target, item, fs);
            if (truthy(eval(*f.filter, fs))) kept.push_back(std::move(item));
        }
        items = std::move(kept);
    }
    if (items.empty()) {
        Scope inner(&s);
        inner.declare_missing(f.missing_otherwise);
        exec(f.otherwise, inner);
        return;
    }
    auto list = std::make_shared<ListObject>();
    list->items = std::move(items);
    auto state = std::make_shared<LoopState>();
    state->items = list;
    const Value loop = Value::loop(state);
    for (size_t i = 0; i < list->items.size(); ++i) {
        count_iterations(1);
        state->index = i;
        Scope body(&s);
        body.declare_missing(f.missing);
        assign(f.target, list->items[i], body);
        body.set("loop", loop);
        if (exec(f.body, body) == Flow::Break) break;
        line_ = f.line;
    }
    state->changed_last.reset();  // it may hold `loop` itself
}

void Interpreter::exec_call_block(const CallBlockStmt& c, Scope& s) {
    const auto& call = static_cast<const CallExpr&>(*c.call);
    const Value callee = eval(*call.callee, s);
    CallArgs args = eval_args(call.args, s);
    args.kwargs.emplace_back("caller", make_macro(*c.caller, s));
    line_ = c.line;
    const Value v = this->call(callee, args);
    emit(to_str(v));
}

void Interpreter::assign(const Target& t, const Value& v, Scope& s) {
    switch (t.kind) {
        case Target::Kind::Name:
            s.set(t.name, v);
            return;
        case Target::Kind::Tuple: {
            if (!v.is_undefined() && v.kind() != Kind::String && v.kind() != Kind::List &&
                v.kind() != Kind::Dict)
                throw RenderError("cannot unpack non-iterable " + type_name(v) + " object");
            const std::vector<Value> items = iterate(v);
            if (items.size() > t.items.size())
                throw RenderError("too many values to unpack (expected " +
                                  std::to_string(t.items.size()) + ")");
            if (items.size() < t.items.size())
                throw RenderError("not enough values to unpack (expected " +
                                  std::to_string(t.items.size()) + ", got " +
                                  std::to_string(items.size()) + ")");
            for (size_t i = 0; i < items.size(); ++i) assign(t.items[i], items[i], s);
            return;
        }
        case Target::Kind::NamespaceAttr: {
            const Value ns = lookup(t.name, s);
            if (ns.kind() != Kind::Namespace)
                throw RenderError("cannot assign attribute '" + t.attr +
                                  "' on non-namespace object '" + t.name + "'");
            ns.ns().attrs.set(Value::string(t.attr), v);
            return;
        }
    }
}

std::string Interpreter::capture(const Body& body, Scope& s) {
    std::string buf;
    std::string* saved = out_;
    out_ = &buf;
    try {
        exec(body, s);
    } catch (...) {
        out_ = saved;
        throw;
    }
    out_ = saved;
    return buf;
}

std::vector<std::pair<std::string, Value>> Interpreter::closure_of(Scope& s) const {
    std::vector<std::pair<std::string, Value>> vars;
    for (Scope* p = &s; p && p != root_; p = p->parent)
        for (const auto& [k, v] : p->vars) {
            bool shadowed = false;
            for (const auto& [name, x] : vars) shadowed |= name == k;
            if (!shadowed) vars.emplace_back(k, v);
        }
    return vars;
}

Value Interpreter::make_macro(const MacroStmt& m, Scope& s) const {
    auto c = std::make_shared<Callable>();
    c->type = Callable::Type::Macro;
    c->name = m.name;
    c->macro = &m;
    c->closure = closure_of(s);
    if (!s.alive) s.alive = std::make_shared<bool>(true);
    c->scope = &s;
    c->scope_alive = s.alive;
    return Value::callable(std::move(c));
}

Value Interpreter::call_macro(const Callable& c, CallArgs& args) {
    const MacroStmt& m = *c.macro;
    if (calls_ >= opt_.max_call_depth)
        throw RenderError("macro calls nested deeper than " + std::to_string(opt_.max_call_depth) +
                          " (runaway recursion in '" + m.name + "'?)");
    struct CallDepth {
        int& n;
        explicit CallDepth(int& d) : n(++d) {}
        ~CallDepth() { --n; }
    } depth(calls_);

    const bool live = c.scope && c.scope_alive && *c.scope_alive;
    Scope s(live ? c.scope : root_);
    if (!live) s.vars = c.closure;
    s.declare_missing(m.missing);
    const size_t n = m.params.size();
    if (args.args.size() > n && !m.uses_varargs)
        throw RenderError("macro '" + m.name + "' takes not more than " + std::to_string(n) +
                          " argument(s)");
    std::vector<bool> given(n, false);
    for (size_t i = 0; i < n && i < args.args.size(); ++i) {
        s.set(m.params[i].first, args.args[i]);
        given[i] = true;
    }
    DictObject extra;
    Value caller = Value::undefined("No caller defined");
    for (auto& [k, v] : args.kwargs) {
        size_t i = 0;
        while (i < n && m.params[i].first != k) ++i;
        if (i < n) {
            if (given[i])
                throw RenderError("macro '" + m.name + "' got multiple values for argument '" + k +
                                  "'");
            s.set(k, v);
            given[i] = true;
        } else if (k == "caller" && m.uses_caller) {
            caller = v;
        } else if (m.uses_kwargs) {
            extra.set(Value::string(k), v);
        } else {
            throw RenderError("macro '" + m.name + "' takes no keyword argument '" + k + "'");
        }
    }
    for (size_t i = 0; i < n; ++i) {
        if (given[i]) continue;
        const auto& [name, dflt] = m.params[i];
        s.set(name, dflt ? eval(*dflt, s)
                         : Value::undefined("parameter '" + name + "' was not provided"));
    }
    if (m.uses_varargs) {
        std::vector<Value> rest;
        for (size_t i = n; i < args.args.size(); ++i) rest.push_back(args.args[i]);
        s.set("varargs", Value::sequence(std::move(rest), SeqKind::Tuple));
    }
    if (m.uses_kwargs) s.set("kwargs", Value::dict(std::move(extra)));
    if (m.uses_caller) s.set("caller", caller);
    return Value::string(capture(m.body, s));
}

}  // namespace flash::jinja
