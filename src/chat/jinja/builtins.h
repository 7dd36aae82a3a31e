// The filters, tests, methods and globals a template can call, looked up by name, and the
// argument binding they share. filters.cpp / filters_seq.cpp, tests.cpp, methods.cpp and
// globals.cpp each fill one table.
// Depends on value.h.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/jinja/value.h"

namespace flash::jinja {

using FilterFn = Value (*)(Interpreter&, const Value&, CallArgs&);
using TestFn = bool (*)(Interpreter&, const Value&, CallArgs&);

FilterFn find_filter(std::string_view name);      // nullptr when there is none
FilterFn find_seq_filter(std::string_view name);  // the sequence half (filters_seq.cpp)
TestFn find_test(std::string_view name);
std::optional<Value> find_global(std::string_view name);

// `obj.name` as a bound method; an undefined carrying the sandbox's refusal for methods that
// would mutate (list.append, dict.update); nullopt when obj has no method of that name.
std::optional<Value> bind_method(const Value& obj, std::string_view name);
Value call_method(Interpreter& in, const Value& self, const std::string& name, CallArgs& args);

// Binds positional and keyword arguments to named parameters as Python does; errors name the
// callee ("filter 'round'").
class Params {
  public:
    Params(const CallArgs& args, std::string_view callee,
           std::initializer_list<std::string_view> names, size_t required = 0);
    const Value* get(size_t i) const { return slots_[i]; }
    bool has(size_t i) const { return slots_[i] != nullptr && !slots_[i]->is_none(); }
    Value get_or(size_t i, Value dflt) const { return slots_[i] ? *slots_[i] : dflt; }

  private:
    std::vector<const Value*> slots_;
};

// Python's int()/str() expectations of an argument, with TypeError-like messages.
int64_t int_arg(const Value& v, std::string_view what);
const std::string& str_arg(const Value& v, std::string_view what);

// jinja2's make_attrgetter: "a.b.0" looks up item["a"]["b"][0]; an integer looks up item[i].
Value get_path(Interpreter& in, const Value& item, const Value& attribute);

}  // namespace flash::jinja
