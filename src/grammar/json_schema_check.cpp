// The JSON Schema pre-pass: keyword shapes, nesting limit and unsupported keywords, for every
// subschema reachable from the root.
#include <cmath>
#include <set>

#include "core/error.h"
#include "grammar/json_schema_context.h"

namespace flash::grammar::detail {

namespace {

bool is_type_name(const Json& v) {
    if (!v.is_string()) return false;
    const std::string& s = v.get_ref<const std::string&>();
    return s == "null" || s == "boolean" || s == "object" || s == "array" || s == "string" ||
           s == "number" || s == "integer";
}

bool is_count(const Json& v) {
    if (v.is_number_unsigned()) return true;
    if (v.is_number_integer()) return v.get<int64_t>() >= 0;
    if (v.is_number_float()) {
        const double d = v.get<double>();
        return d >= 0 && std::floor(d) == d;
    }
    return false;
}

class Checker {
  public:
    explicit Checker(SchemaContext& ctx) : ctx_(ctx) {}

    void visit(const Json& s, const std::string& ptr, int depth) {
        if (depth > kMaxSchemaDepth) {
            ctx_.fail("schema at " + show_pointer(ptr) + " is nested too deeply (limit " +
                      std::to_string(kMaxSchemaDepth) + " levels)");
        }
        if (s.is_boolean()) return;
        if (!s.is_object()) {
            ctx_.fail("schema at " + show_pointer(ptr) + " must be an object or a boolean");
        }
        if (!visited_.insert(&s).second) return;
        for (const auto& [key, value] : s.items()) keyword(s, key, value, ptr, depth);
    }

  private:
    void shape(bool ok, const std::string& key, const std::string& ptr, const char* what) {
        if (!ok) ctx_.fail("'" + key + "' at " + show_pointer(ptr) + " must be " + what);
    }

    void keyword(const Json& s, const std::string& key, const Json& v, const std::string& ptr,
                 int depth) {
        const std::string here = pointer_child(ptr, key);
        if (key == "$id" && &s != &ctx_.root()) {
            // A nested $id moves the base that '#...' references resolve against.
            ctx_.unsupported(key, ptr, "$id below the root");
            return;
        }
        if (is_annotation(key)) return;
        if (!is_known(key)) {
            ctx_.unsupported(key, ptr);
            return;
        }
        if (key == "type") {
            bool ok = is_type_name(v);
            if (v.is_array()) {
                ok = !v.empty();
                for (const Json& t : v) ok = ok && is_type_name(t);
            }
            shape(ok, key, ptr, "a type name or a non-empty array of type names");
        } else if (key == "enum") {
            shape(v.is_array(), key, ptr, "an array");
        } else if (key == "properties" || key == "$defs" || key == "definitions") {
            shape(v.is_object(), key, ptr, "an object");
            if (key == "properties") {
                for (const auto& [name, sub] : v.items()) {
                    visit(sub, pointer_child(here, name), depth + 1);
                }
            }
        } else if (key == "required") {
            bool ok = v.is_array();
            if (ok) {
                for (const Json& n : v) ok = ok && n.is_string();
            }
            shape(ok, key, ptr, "an array of strings");
        } else if (key == "additionalProperties" || key == "additionalItems") {
            visit(v, here, depth + 1);
        } else if (key == "items") {
            if (v.is_array()) {
                for (size_t i = 0; i < v.size(); ++i)
                    visit(v[i], pointer_child(here, i), depth + 1);
            } else {
                visit(v, here, depth + 1);
            }
        } else if (key == "prefixItems") {
            shape(v.is_array(), key, ptr, "an array");
            for (size_t i = 0; i < v.size(); ++i) visit(v[i], pointer_child(here, i), depth + 1);
        } else if (key == "minItems" || key == "maxItems" || key == "minLength" ||
                   key == "maxLength") {
            shape(is_count(v), key, ptr, "a non-negative integer");
        } else if (key == "pattern" || key == "format" || key == "$anchor") {
            shape(v.is_string(), key, ptr, "a string");
        } else if (key == "minimum" || key == "maximum" || key == "exclusiveMinimum" ||
                   key == "exclusiveMaximum") {
            shape(v.is_number(), key, ptr, "a number");
        } else if (key == "anyOf" || key == "oneOf" || key == "allOf") {
            shape(v.is_array() && !v.empty(), key, ptr, "a non-empty array");
            for (size_t i = 0; i < v.size(); ++i) visit(v[i], pointer_child(here, i), depth + 1);
        } else if (key == "$ref") {
            shape(v.is_string(), key, ptr, "a string");
            if (const auto target = ctx_.resolve(v.get<std::string>(), ptr)) {
                visit(*target->schema, target->ptr, depth + 1);
            }
        }
    }

    SchemaContext& ctx_;
    std::set<const Json*> visited_;
};

}  // namespace

void check_schema(SchemaContext& ctx) {
    Checker(ctx).visit(ctx.root(), "", 0);
}

}  // namespace flash::grammar::detail
