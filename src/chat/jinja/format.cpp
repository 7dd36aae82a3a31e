#include "chat/jinja/format.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "chat/jinja/errors.h"
#include "chat/jinja/pystr.h"

namespace flash::jinja {
namespace {

void append_repr(std::string& out, const Value& v, int depth);

void append_items(std::string& out, const std::vector<Value>& items, int depth) {
    for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        append_repr(out, items[i], depth);
    }
}

void append_dict(std::string& out, const DictObject& d, int depth) {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : d.items) {
        if (!first) out += ", ";
        first = false;
        append_repr(out, k, depth);
        out += ": ";
        append_repr(out, v, depth);
    }
    out += '}';
}

// str() and repr() differ only for strings and undefined at the top level.
void append_str(std::string& out, const Value& v, int depth) {
    if (depth > kMaxValueDepth) throw RenderError("value nested too deeply to print");
    switch (v.kind()) {
        case Kind::Undefined:
            return;
        case Kind::None:
            out += "None";
            return;
        case Kind::Bool:
            out += v.as_bool() ? "True" : "False";
            return;
        case Kind::Int:
            out += std::to_string(v.as_int());
            return;
        case Kind::Float:
            out += float_repr(v.as_double());
            return;
        case Kind::String:
            out += v.str();
            return;
        case Kind::List: {
            const ListObject& l = v.seq();
            switch (l.kind) {
                case SeqKind::List:
                    out += '[';
                    append_items(out, l.items, depth + 1);
                    out += ']';
                    return;
                case SeqKind::Tuple:
                    out += '(';
                    append_items(out, l.items, depth + 1);
                    if (l.items.size() == 1) out += ',';
                    out += ')';
                    return;
                case SeqKind::Generator:
                    out += "<generator object>";
                    return;
                case SeqKind::Reversed:
                    out += "<list_reverseiterator object>";
                    return;
                case SeqKind::DictItems:
                case SeqKind::DictKeys:
                case SeqKind::DictValues:
                    out += type_name(v) + "([";
                    append_items(out, l.items, depth + 1);
                    out += "])";
                    return;
            }
            return;
        }
        case Kind::Dict:
            append_dict(out, v.dict(), depth + 1);
            return;
        case Kind::Namespace: {
            // A namespace can hold itself (ns.me = ns); Python prints the inner one as {...}.
            thread_local std::vector<const void*> printing;
            out += "<Namespace ";
            if (std::find(printing.begin(), printing.end(), v.identity()) != printing.end()) {
                out += "{...}";
            } else {
                printing.push_back(v.identity());
                try {
                    append_dict(out, v.ns().attrs, depth + 1);
                } catch (...) {
                    printing.pop_back();
                    throw;
                }
                printing.pop_back();
            }
            out += '>';
            return;
        }
        case Kind::Callable: {
            const Callable& c = v.callable();
            if (c.type == Callable::Type::Macro)
                out += "<Macro " + py::repr(c.name) + ">";
            else if (c.type == Callable::Type::Method)
                out += "<built-in method " + c.name + " of " + object_type_repr(c.self) + ">";
            else
                out += "<built-in function " + c.name + ">";
            return;
        }
        case Kind::Loop: {
            const LoopState& l = v.loop();
            out += "<LoopContext " + std::to_string(l.index + 1) + "/" +
                   std::to_string(l.items->items.size()) + ">";
            return;
        }
    }
}

void append_repr(std::string& out, const Value& v, int depth) {
    if (v.is_markup())
        out += "Markup(" + py::repr(v.str()) + ")";
    else if (v.is_string())
        out += py::repr(v.str());
    else if (v.is_undefined())
        out += "Undefined";
    else
        append_str(out, v, depth);
}

std::string json_key(const Value& k) {
    switch (k.kind()) {
        case Kind::String:
            return k.str();
        case Kind::None:
            return "null";
        case Kind::Bool:
            return k.as_bool() ? "true" : "false";
        case Kind::Int:
            return std::to_string(k.as_int());
        case Kind::Float: {
            const double d = k.as_double();
            if (std::isnan(d)) return "NaN";
            if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
            return float_repr(d);
        }
        default:
            throw RenderError("keys must be str, int, float, bool or None, not " + type_name(k));
    }
}

void append_json(std::string& out, const Value& v, const JsonStyle& s, int level) {
    if (level > kMaxValueDepth) throw RenderError("value nested too deeply for tojson");
    auto newline = [&](int lvl) {
        if (out.size() + static_cast<size_t>(lvl) * s.indent->size() > s.max_bytes)
            throw RenderError("tojson output exceeds the output limit");
        out += '\n';
        for (int i = 0; i < lvl; ++i) out += *s.indent;
    };
    switch (v.kind()) {
        case Kind::None:
            out += "null";
            return;
        case Kind::Bool:
            out += v.as_bool() ? "true" : "false";
            return;
        case Kind::Int:
            out += std::to_string(v.as_int());
            return;
        case Kind::Float: {
            const double d = v.as_double();
            if (std::isnan(d))
                out += "NaN";
            else if (std::isinf(d))
                out += d > 0 ? "Infinity" : "-Infinity";
            else
                out += float_repr(d);
            return;
        }
        case Kind::String:
            out += py::json_quote(v.str(), s.ensure_ascii);
            return;
        case Kind::List:
            if (v.seq().kind == SeqKind::List || v.seq().kind == SeqKind::Tuple) {
                const auto& items = v.seq().items;
                if (items.empty()) {
                    out += "[]";
                    return;
                }
                out += '[';
                for (size_t i = 0; i < items.size(); ++i) {
                    if (i) out += s.item_sep;
                    if (s.indent) newline(level + 1);
                    append_json(out, items[i], s, level + 1);
                }
                if (s.indent) newline(level);
                out += ']';
                return;
            }
            break;
        case Kind::Dict: {
            std::vector<const std::pair<Value, Value>*> items;
            for (const auto& kv : v.dict().items) items.push_back(&kv);
            if (items.empty()) {
                out += "{}";
                return;
            }
            if (s.sort_keys)
                std::stable_sort(items.begin(), items.end(), [](auto* a, auto* b) {
                    return compare(a->first, b->first, "<") < 0;
                });
            out += '{';
            for (size_t i = 0; i < items.size(); ++i) {
                if (i) out += s.item_sep;
                if (s.indent) newline(level + 1);
                out += py::json_quote(json_key(items[i]->first), s.ensure_ascii);
                out += s.key_sep;
                append_json(out, items[i]->second, s, level + 1);
            }
            if (s.indent) newline(level);
            out += '}';
            return;
        }
        default:
            break;
    }
    throw RenderError("Object of type " + type_name(v) + " is not JSON serializable");
}

}  // namespace

std::string float_repr(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
    if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
    // Shortest round-trip digits, then Python's layout: plain notation for exponents
    // -4 <= e < 16, otherwise d.ddde±XX.
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string sci(buf, res.ptr);
    std::string sign;
    if (sci[0] == '-') {
        sign = "-";
        sci.erase(0, 1);
    }
    const size_t e = sci.find('e');
    const int exp = std::stoi(sci.substr(e + 1));
    std::string digits = sci.substr(0, e);
    digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
    const int decpt = exp + 1;  // digits are 0.d1d2... × 10^decpt
    const int n = static_cast<int>(digits.size());
    std::string out = sign;
    if (decpt > 16 || decpt < -3) {
        out += digits[0];
        if (n > 1) out += "." + digits.substr(1);
        out += exp < 0 ? "e-" : "e+";
        const int a = std::abs(exp);
        if (a < 10) out += '0';
        out += std::to_string(a);
    } else if (decpt <= 0) {
        out += "0." + std::string(static_cast<size_t>(-decpt), '0') + digits;
    } else if (decpt >= n) {
        out += digits + std::string(static_cast<size_t>(decpt - n), '0') + ".0";
    } else {
        out += digits.substr(0, decpt) + "." + digits.substr(decpt);
    }
    return out;
}

std::string to_str(const Value& v) {
    if (v.is_string()) return v.str();
    std::string out;
    append_str(out, v, 0);
    return out;
}

std::string repr(const Value& v) {
    std::string out;
    append_repr(out, v, 0);
    return out;
}

std::string to_json(const Value& v, const JsonStyle& style) {
    std::string out;
    append_json(out, v, style, 0);
    return out;
}

}  // namespace flash::jinja
