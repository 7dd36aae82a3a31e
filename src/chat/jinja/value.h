// The runtime value of a chat template: Python's None, bool, int, float, str, list, tuple and
// dict as jinja2 sees them, plus jinja2's Undefined, namespace(), macros and the loop object.
// Lists and dicts are immutable and shared (the sandbox forbids mutating them); a namespace is
// the one mutable object. Python's == and ordering rules live here too.
// Depends on nlohmann-json and the standard library.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flash::jinja {

class Value;
class Interpreter;
struct ListObject;
struct DictObject;
struct Namespace;
struct Callable;
struct LoopState;
struct MacroStmt;
struct Scope;

enum class Kind : uint8_t {
    Undefined,
    None,
    Bool,
    Int,
    Float,
    String,
    List,
    Dict,
    Namespace,
    Callable,
    Loop
};

// What a sequence is to Python. Lists and tuples index and print differently; map(),
// select() and friends return generators (no len(), always true, not subscriptable);
// reversed() an iterator; dict.items() and friends views.
enum class SeqKind : uint8_t { List, Tuple, Generator, Reversed, DictItems, DictKeys, DictValues };

// Arguments of a call: positional, then keyword in the order written.
struct CallArgs {
    std::vector<Value> args;
    std::vector<std::pair<std::string, Value>> kwargs;
};

// Nesting deeper than this is an error, so printing and freeing values cannot exhaust the stack.
inline constexpr int kMaxValueDepth = 400;

class Value {
  public:
    Value() = default;  // undefined
    static Value undefined(std::string hint);
    static Value none();
    static Value boolean(bool b);
    static Value integer(int64_t i);
    static Value number(double d);
    static Value string(std::string s);
    // markupsafe.Markup, what |safe and |escape return: prints like a str but repr()s as
    // Markup('...') and escapes plain strings added to it.
    static Value markup(std::string s);
    static Value sequence(std::vector<Value> items, SeqKind kind = SeqKind::List);
    static Value dict(DictObject d);
    static Value ns(std::shared_ptr<Namespace> n);
    static Value callable(std::shared_ptr<const Callable> c);
    static Value loop(std::shared_ptr<LoopState> l);

    Kind kind() const { return kind_; }
    bool is_undefined() const { return kind_ == Kind::Undefined; }
    bool is_none() const { return kind_ == Kind::None; }
    bool is_string() const { return kind_ == Kind::String; }
    bool is_markup() const { return kind_ == Kind::String && b_; }
    bool is_int() const { return kind_ == Kind::Int; }
    // int, float or bool: Python's numbers (bool is an int).
    bool is_number() const {
        return kind_ == Kind::Int || kind_ == Kind::Float || kind_ == Kind::Bool;
    }
    bool is_seq(SeqKind k) const;

    bool as_bool() const { return b_; }
    int64_t as_int() const { return kind_ == Kind::Bool ? (b_ ? 1 : 0) : i_; }  // int or bool only
    double as_double() const { return kind_ == Kind::Float ? f_ : static_cast<double>(as_int()); }
    const std::string& str() const { return *static_cast<const std::string*>(ptr_.get()); }
    const ListObject& seq() const { return *static_cast<const ListObject*>(ptr_.get()); }
    const DictObject& dict() const { return *static_cast<const DictObject*>(ptr_.get()); }
    Namespace& ns() const {
        return *const_cast<Namespace*>(static_cast<const Namespace*>(ptr_.get()));
    }
    const Callable& callable() const { return *static_cast<const Callable*>(ptr_.get()); }
    LoopState& loop() const {
        return *const_cast<LoopState*>(static_cast<const LoopState*>(ptr_.get()));
    }
    // Why an undefined value is undefined ("'x' is undefined"); empty when unknown.
    std::string undefined_hint() const;
    const void* identity() const { return ptr_.get(); }
    int depth() const;  // nesting of lists, dicts and namespaces; 0 for scalars

  private:
    Kind kind_ = Kind::Undefined;
    union {
        int64_t i_ = 0;
        double f_;
        bool b_;
    };
    std::shared_ptr<const void> ptr_;
};

struct ListObject {
    std::vector<Value> items;
    SeqKind kind = SeqKind::List;
    int depth = 1;
};

// A dict keeps insertion order, as Python's does (tojson and |items depend on it).
struct DictObject {
    std::vector<std::pair<Value, Value>> items;
    int depth = 1;

    const Value* find(const Value& key) const;
    const Value* find(std::string_view key) const;
    void set(Value key, Value value);  // replaces an equal key in place, else appends
};

// namespace(): the only object a template may change (`{% set ns.attr = v %}`).
struct Namespace {
    DictObject attrs;
};

struct Callable {
    enum class Type : uint8_t { Builtin, Method, Macro };
    Type type = Type::Builtin;
    std::string name;
    Value (*builtin)(Interpreter&, CallArgs&) = nullptr;  // Builtin
    Value self;                                           // Method: bound to this object
    const MacroStmt* macro = nullptr;                     // Macro
    // Macro: jinja2 compiles macros as Python closures, which see the enclosing loop and macro
    // variables as they are when the macro runs. While the defining scope lives the macro looks
    // through it; after that (a macro kept in a namespace) it uses `closure`, the variables as
    // they were at definition. Top-level names are always looked up when the macro runs.
    Scope* scope = nullptr;
    std::shared_ptr<const bool> scope_alive;
    std::vector<std::pair<std::string, Value>> closure;
};

// The `loop` variable of a for loop.
struct LoopState {
    std::shared_ptr<const ListObject> items;
    size_t index = 0;
    std::optional<std::vector<Value>> changed_last;  // loop.changed()
};

// Throws RenderError for JSON nested deeper than kMaxValueDepth.
Value from_json(const nlohmann::ordered_json& j, int depth = 0);

bool truthy(const Value& v);
bool equal(const Value& a, const Value& b);  // Python ==
// Python's ordering: <0, 0, >0. Throws RenderError where Python raises TypeError (an int and
// a str) and for undefined values.
int compare(const Value& a, const Value& b, std::string_view op);
bool hashable(const Value& v);

std::string type_name(const Value& v);         // type(v).__name__: "str", "NoneType"
std::string object_type_repr(const Value& v);  // jinja2's "dict object", "None"
[[noreturn]] void fail_undefined(const Value& v);

// Python's iter(): list items, dict keys, string characters; undefined iterates as empty.
std::vector<Value> iterate(const Value& v);
// Python's len(); nullopt where Python raises TypeError.
std::optional<size_t> length(const Value& v);
// Characters of a string as one-character strings.
std::vector<Value> characters(std::string_view s);

}  // namespace flash::jinja
