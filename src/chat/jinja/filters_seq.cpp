// Sequence filters: first, last, join, list, items, map, select/reject(attr), unique, sort,
// reverse, dictsort, sum, min, max, batch. Like jinja2 3.1, map/select/reject/unique/items/
// batch return generators and reverse an iterator (no len(), always true).
#include <algorithm>

#include "chat/jinja/builtins.h"
#include "chat/jinja/errors.h"
#include "chat/jinja/format.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/pystr.h"

namespace flash::jinja {
namespace {

// ignore_case: strings compare lowercased unless case_sensitive.
Value fold(const Value& v, bool case_sensitive) {
    return !case_sensitive && v.is_string() ? Value::string(py::lower(v.str())) : v;
}

Value generator(std::vector<Value> items) {
    return Value::sequence(std::move(items), SeqKind::Generator);
}

Value f_first(Interpreter&, const Value& v, CallArgs& a) {
    Params p(a, "filter 'first'", {});
    std::vector<Value> items = iterate(v);
    if (items.empty()) return Value::undefined("No first item, sequence was empty.");
    return items.front();
}

Value f_last(Interpreter&, const Value& v, CallArgs& a) {
    Params p(a, "filter 'last'", {});
    if (v.kind() == Kind::List &&
        (v.seq().kind == SeqKind::Generator || v.seq().kind == SeqKind::Reversed))
        throw RenderError("'" + type_name(v) + "' object is not reversible");
    std::vector<Value> items = iterate(v);
    if (items.empty()) return Value::undefined("No last item, sequence was empty.");
    return items.back();
}

Value f_join(Interpreter& in, const Value& v, CallArgs& a) {
    Params p(a, "filter 'join'", {"d", "attribute"});
    const std::string sep = p.has(0) ? to_str(*p.get(0)) : "";
    std::string out;
    bool first = true;
    for (const Value& x : iterate(v)) {
        if (!first) out += sep;
        first = false;
        out += to_str(p.has(1) ? get_path(in, x, *p.get(1)) : x);
        in.check_size(out.size());
    }
    return Value::string(std::move(out));
}

Value f_list(Interpreter&, const Value& v, CallArgs& a) {
    Params p(a, "filter 'list'", {});
    return Value::sequence(iterate(v));
}

Value f_items(Interpreter&, const Value& v, CallArgs& a) {
    Params p(a, "filter 'items'", {});
    if (v.is_undefined()) return generator({});
    if (v.kind() != Kind::Dict) throw RenderError("Can only get item pairs from a mapping.");
    std::vector<Value> out;
    for (const auto& [k, x] : v.dict().items)
        out.push_back(Value::sequence({k, x}, SeqKind::Tuple));
    return generator(std::move(out));
}

Value f_map(Interpreter& in, const Value& v, CallArgs& a) {
    if (!truthy(v)) return generator({});  // jinja2: `if value:` before anything else
    std::vector<Value> out;
    const std::vector<Value> items = iterate(v);
    if (a.args.empty() && !a.kwargs.empty() && a.kwargs[0].first == "attribute") {
        Params p(a, "filter 'map'", {"attribute", "default"});
        for (const Value& x : items) {
            Value y = get_path(in, x, *p.get(0));
            if (y.is_undefined() && p.has(1)) y = *p.get(1);
            out.push_back(std::move(y));
        }
        return generator(std::move(out));
    }
    if (a.args.empty()) throw RenderError("map requires a filter argument");
    const std::string name = str_arg(a.args[0], "filter 'map'");
    CallArgs rest{std::vector<Value>(a.args.begin() + 1, a.args.end()), a.kwargs};
    for (const Value& x : items) {
        CallArgs call = rest;
        out.push_back(in.apply_filter(name, x, call));
    }
    return generator(std::move(out));
}

// select/reject/selectattr/rejectattr: keep items whose (attribute's) test result is `keep`.
Value select(Interpreter& in, const Value& v, CallArgs& a, bool keep, bool by_attr) {
    if (!truthy(v)) return generator({});  // jinja2: `if value:` before anything else
    size_t off = 0;
    Value attr;
    if (by_attr) {
        if (a.args.empty()) throw RenderError("Missing parameter for attribute name");
        attr = a.args[0];
        off = 1;
    }
    std::string test;
    CallArgs rest;
    const bool has_test = a.args.size() > off;
    if (has_test) {
        test = str_arg(a.args[off], "filter 'select'");
        rest.args.assign(a.args.begin() + static_cast<long>(off) + 1, a.args.end());
        rest.kwargs = a.kwargs;
    }
    std::vector<Value> out;
    for (const Value& x : iterate(v)) {
        const Value subject = by_attr ? get_path(in, x, attr) : x;
        bool ok;
        if (has_test) {
            CallArgs call = rest;
            ok = in.apply_test(test, subject, call);
        } else {
            ok = truthy(subject);
        }
        if (ok == keep) out.push_back(x);
    }
    return generator(std::move(out));
}

Value f_select(Interpreter& in, const Value& v, CallArgs& a) {
    return select(in, v, a, true, false);
}
Value f_reject(Interpreter& in, const Value& v, CallArgs& a) {
    return select(in, v, a, false, false);
}
Value f_selectattr(Interpreter& in, const Value& v, CallArgs& a) {
    return select(in, v, a, true, true);
}
Value f_rejectattr(Interpreter& in, const Value& v, CallArgs& a) {
    return select(in, v, a, false, true);
}

Value f_unique(Interpreter& in, const Value& v, CallArgs& a) {
    Params p(a, "filter 'unique'", {"case_sensitive", "attribute"});
    const bool cs = p.has(0) && truthy(*p.get(0));
    std::vector<Value> seen, out;
    for (const Value& x : iterate(v)) {
        const Value key = fold(p.has(1) ? get_path(in, x, *p.get(1)) : x, cs);
        if (!hashable(key)) throw RenderError("unhashable type: '" + type_name(key) + "'");
        if (std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return equal(s, key); }))
            continue;
        seen.push_back(key);
        out.push_back(x);
    }
    return generator(std::move(out));
}

// Stable sort by key; reverse keeps equal keys in their original order, as Python's does.
std::vector<Value> sorted(std::vector<Value> items, const std::vector<Value>& keys, bool reverse) {
    std::vector<size_t> order(items.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
        return reverse ? compare(keys[y], keys[x], "<") < 0 : compare(keys[x], keys[y], "<") < 0;
    });
    std::vector<Value> out;
    out.reserve(items.size());
    for (size_t i : order) out.push_back(std::move(items[i]));
    return out;
}

Value f_sort(Interpreter& in, const Value& v, CallArgs& a) {
    Params p(a, "filter 'sort'", {"reverse", "case_sensitive", "attribute"});
    const bool reverse = p.has(0) && truthy(*p.get(0)), cs = p.has(1) && truthy(*p.get(1));
    std::vector<Value> items = iterate(v), keys;
    // attribute may list several, comma-separated: "role,name".
    std::vector<Value> attrs;
    if (p.has(2)) {
        const Value& attr = *p.get(2);
        if (attr.is_string() && attr.str().find(',') != std::string::npos) {
            const std::string comma = ",";
            for (std::string& part : py::split(attr.str(), &comma, -1))
                attrs.push_back(Value::string(std::move(part)));
        } else {
            attrs.push_back(attr);
        }
    }
    for (const Value& x : items) {
        if (attrs.size() > 1) {
            std::vector<Value> parts;
            for (const Value& at : attrs) parts.push_back(fold(get_path(in, x, at), cs));
            keys.push_back(Value::sequence(std::move(parts)));
        } else {
            keys.push_back(fold(attrs.empty() ? x : get_path(in, x, attrs[0]), cs));
        }
    }
    return Value::sequence(sorted(std::move(items), keys, reverse));
}

Value f_reverse(Interpreter&, const Value& v, CallArgs& a) {
    Params p(a, "filter 'reverse'", {});
    if (v.is_string()) {
        std::vector<Value> chars = characters(v.str());
        std::string out;
        for (auto it = chars.rbegin(); it != chars.rend(); ++it) out += it->str();
        return Value::string(std::move(out));
    }
    if (v.kind() != Kind::List && v.kind() != Kind::Dict && !v.is_undefined())
        throw RenderError("argument must be iterable");
    std::vector<Value> items = iterate(v);
    std::reverse(items.begin(), items.end());
    const bool iterator = v.kind() == Kind::List &&
                          (v.seq().kind == SeqKind::Generator || v.seq().kind == SeqKind::Reversed);
    return Value::sequence(std::move(items), iterator ? SeqKind::List : SeqKind::Reversed);
}

Value f_dictsort(Interpreter&, const Value& v, CallArgs& a) {
    Params p(a, "filter 'dictsort'", {"case_sensitive", "by", "reverse"});
    const bool cs = p.has(0) && truthy(*p.get(0)), reverse = p.has(2) && truthy(*p.get(2));
    const std::string by = p.has(1) ? str_arg(*p.get(1), "filter 'dictsort'") : "key";
    if (by != "key" && by != "value")
        throw RenderError("You can only sort by either 'key' or 'value'");
    if (v.is_undefined()) fail_undefined(v);
    if (v.kind() != Kind::Dict)
        throw RenderError("'" + type_name(v) + "' object has no attribute 'items'");
    std::vector<Value> items, keys;
    for (const auto& [k, x] : v.dict().items) {
        items.push_back(Value::sequence({k, x}, SeqKind::Tuple));
        keys.push_back(fold(by == "key" ? k : x, cs));
    }
    return Value::sequence(sorted(std::move(items), keys, reverse));
}

Value f_sum(Interpreter& in, const Value& v, CallArgs& a) {
    Params p(a, "filter 'sum'", {"attribute", "start"});
    Value total = p.get_or(1, Value::integer(0));
    if (total.is_string()) throw RenderError("sum() can't sum strings [use ''.join(seq) instead]");
    for (const Value& x : iterate(v))
        total = binary_op(in, BinaryOp::Add, total, p.has(0) ? get_path(in, x, *p.get(0)) : x);
    return total;
}

Value min_max(Interpreter& in, const Value& v, CallArgs& a, bool max, const char* name) {
    Params p(a, name, {"case_sensitive", "attribute"});
    const bool cs = p.has(0) && truthy(*p.get(0));
    const std::vector<Value> items = iterate(v);
    if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
    size_t best = 0;
    Value best_key = fold(p.has(1) ? get_path(in, items[0], *p.get(1)) : items[0], cs);
    for (size_t i = 1; i < items.size(); ++i) {
        Value key = fold(p.has(1) ? get_path(in, items[i], *p.get(1)) : items[i], cs);
        const int c = compare(key, best_key, max ? ">" : "<");
        if (max ? c > 0 : c < 0) {
            best = i;
            best_key = std::move(key);
        }
    }
    return items[best];
}

Value f_min(Interpreter& in, const Value& v, CallArgs& a) {
    return min_max(in, v, a, false, "filter 'min'");
}
Value f_max(Interpreter& in, const Value& v, CallArgs& a) {
    return min_max(in, v, a, true, "filter 'max'");
}

Value f_batch(Interpreter&, const Value& v, CallArgs& a) {
    Params p(a, "filter 'batch'", {"linecount", "fill_with"}, 1);
    const int64_t n = int_arg(*p.get(0), "filter 'batch'");
    if (n <= 0) throw RenderError("batch size must be positive");
    std::vector<Value> out, cur;
    for (const Value& x : iterate(v)) {
        cur.push_back(x);
        if (static_cast<int64_t>(cur.size()) == n) {
            out.push_back(Value::sequence(std::move(cur)));
            cur.clear();
        }
    }
    if (!cur.empty()) {
        if (p.has(1))
            while (static_cast<int64_t>(cur.size()) < n) cur.push_back(*p.get(1));
        out.push_back(Value::sequence(std::move(cur)));
    }
    return generator(std::move(out));
}

struct Entry {
    std::string_view name;
    FilterFn fn;
};

constexpr Entry kFilters[] = {
    {"first", f_first},
    {"last", f_last},
    {"join", f_join},
    {"list", f_list},
    {"items", f_items},
    {"map", f_map},
    {"select", f_select},
    {"reject", f_reject},
    {"selectattr", f_selectattr},
    {"rejectattr", f_rejectattr},
    {"unique", f_unique},
    {"sort", f_sort},
    {"reverse", f_reverse},
    {"dictsort", f_dictsort},
    {"sum", f_sum},
    {"min", f_min},
    {"max", f_max},
    {"batch", f_batch},
};

}  // namespace

FilterFn find_seq_filter(std::string_view name) {
    for (const Entry& e : kFilters)
        if (e.name == name) return e.fn;
    return nullptr;
}

}  // namespace flash::jinja
