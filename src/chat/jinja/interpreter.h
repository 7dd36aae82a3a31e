// Walks the syntax tree: statements write text, expressions produce values. Scoping follows
// jinja2: a for body gets a fresh scope each iteration (so `set` inside a loop does not leak;
// namespace() is the way out), macros see the top level as it is when they run plus the loop
// variables around their definition, if blocks share their enclosing scope. Attribute and item
// access follow the sandbox: dict keys are reachable with `.`, methods that mutate are refused.
// Depends on ast.h, value.h and template.h (Options).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chat/jinja/ast.h"
#include "chat/jinja/template.h"
#include "chat/jinja/value.h"

namespace flash::jinja {

struct Scope {
    explicit Scope(Scope* p) : parent(p) {}
    ~Scope() {
        if (alive) *alive = false;
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

    Scope* parent;
    std::vector<std::pair<std::string, Value>> vars;
    std::shared_ptr<bool> alive;  // made when a macro is defined here; false once gone

    Value* find(std::string_view name);
    void set(std::string_view name, Value v);
    void declare_missing(const Names& names);  // see scoping.h
};

class Interpreter {
  public:
    explicit Interpreter(const Options& options) : opt_(options) {}

    std::string render(const Program& program, const nlohmann::ordered_json& context);
    int line() const { return line_; }  // of the node being evaluated, for error messages

    // Services for filters, tests, methods and globals.
    Value call(const Value& callee, CallArgs& args);
    Value apply_filter(const std::string& name, const Value& v, CallArgs& args);
    bool apply_test(const std::string& name, const Value& v, CallArgs& args);
    Value getattr(const Value& obj, std::string_view name);  // obj.name
    Value getitem(const Value& obj, const Value& key);       // obj[key]
    void check_size(size_t bytes) const;
    size_t max_output_bytes() const {
        return opt_.max_output_bytes;
    }  // refuses strings and lists past the output cap
    void count_iterations(size_t n);
    // Namespaces are the only mutable values, so the only way to a reference cycle
    // (ns.self = ns); render() empties every one it made when it ends, freeing such cycles.
    void track(const std::shared_ptr<Namespace>& ns) { namespaces_.push_back(ns); }

  private:
    enum class Flow { Normal, Break, Continue };

    Flow exec(const Body& body, Scope& s);
    Flow exec_stmt(const Stmt& st, Scope& s);
    void exec_for(const ForStmt& f, Scope& s);
    void exec_call_block(const CallBlockStmt& c, Scope& s);
    void assign(const Target& t, const Value& v, Scope& s);
    std::string capture(const Body& body, Scope& s);
    std::vector<std::pair<std::string, Value>> closure_of(Scope& s) const;
    Value make_macro(const MacroStmt& m, Scope& s) const;
    Value call_macro(const Callable& c, CallArgs& args);
    void emit(std::string_view text);

    Value eval(const Expr& e, Scope& s);
    Value eval_seq(const SeqExpr& e, Scope& s);
    Value eval_dict(const DictExpr& e, Scope& s);
    Value eval_getitem(const GetitemExpr& e, Scope& s);
    Value eval_slice(const Value& obj, const SliceExpr& e, Scope& s);
    Value eval_binary(const BinaryExpr& e, Scope& s);
    Value eval_compare(const CompareExpr& e, Scope& s);
    Value eval_filter(const FilterExpr& e, Scope& s, const Value* innermost);
    CallArgs eval_args(const Arguments& a, Scope& s);
    Value lookup(std::string_view name, Scope& s);
    Value loop_attr(const Value& loop, std::string_view name);

    struct Nesting {  // caps recursion through eval/exec so the C++ stack cannot run out
        explicit Nesting(Interpreter& in);
        ~Nesting() { --in_.depth_; }
        Interpreter& in_;
    };

    const Options& opt_;
    std::string* out_ = nullptr;
    Scope* root_ = nullptr;
    size_t produced_ = 0;
    size_t iterations_ = 0;
    int depth_ = 0;
    int calls_ = 0;
    int line_ = 0;
    std::vector<std::weak_ptr<Namespace>> namespaces_;
};

}  // namespace flash::jinja
