// Normalizing subschemas: $ref, allOf (exact keyword-wise merging), anyOf and oneOf.
#include "grammar/json_schema_merge.h"

#include <algorithm>
#include <map>

#include "core/error.h"

namespace flash::grammar::detail {

namespace {

constexpr size_t kMaxBranches = 1024;  // union branches made by distributing allOf

bool is_combinator(const std::string& key) {
    return key == "$ref" || key == "allOf" || key == "anyOf" || key == "oneOf";
}

// Type bits, "number" split so that integer ⊂ number is a subset test.
constexpr unsigned kNull = 1, kBool = 2, kObject = 4, kArray = 8, kString = 16;
constexpr unsigned kInt = 32;   // numbers with an integral value
constexpr unsigned kFrac = 64;  // other numbers
constexpr unsigned kAllTypes = 127;

unsigned type_bits(const std::string& t) {
    if (t == "null") return kNull;
    if (t == "boolean") return kBool;
    if (t == "object") return kObject;
    if (t == "array") return kArray;
    if (t == "string") return kString;
    if (t == "integer") return kInt;
    if (t == "number") return kInt | kFrac;
    return 0;
}

unsigned type_bits_of(const Json& schema) {
    const auto t = schema.find("type");
    if (t == schema.end()) return kAllTypes;
    if (t->is_string()) return type_bits(t->get<std::string>());
    unsigned bits = 0;
    for (const Json& n : *t) bits |= type_bits(n.get<std::string>());
    return bits;
}

unsigned value_bits(const Json& v) {
    if (v.is_null()) return kNull;
    if (v.is_boolean()) return kBool;
    if (v.is_object()) return kObject;
    if (v.is_array()) return kArray;
    if (v.is_string()) return kString;
    if (v.is_number_float()) {
        const double d = v.get<double>();
        return std::floor(d) == d ? kInt : kFrac;
    }
    return kInt;
}

Json bits_to_types(unsigned bits) {
    Json out = Json::array();
    for (const auto& [name, bit] :
         std::initializer_list<std::pair<const char*, unsigned>>{{"null", kNull},
                                                                 {"boolean", kBool},
                                                                 {"object", kObject},
                                                                 {"array", kArray},
                                                                 {"string", kString}}) {
        if (bits & bit) out.push_back(name);
    }
    if ((bits & kInt) && (bits & kFrac)) {
        out.push_back("number");
    } else if (bits & kInt) {
        out.push_back("integer");
    }
    // kFrac alone (non-integral numbers only) cannot be spelled with "type"; callers never
    // produce it, since "integer" and "number" both include kInt.
    return out;
}

// JSON equality as validators see it: object key order does not matter (ordered_json's own
// == compares keys in order), 1 == 1.0, true != 1.
bool same_value(const Json& a, const Json& b) {
    return nlohmann::json(a) == nlohmann::json(b);
}

bool contains_value(const std::vector<Json>& values, const Json& v) {
    return std::any_of(values.begin(), values.end(),
                       [&](const Json& x) { return same_value(x, v); });
}

// Enum/const values of a schema, or nullopt when it has neither.
std::optional<std::vector<Json>> values_of(const Json& s) {
    std::optional<std::vector<Json>> out;
    if (const auto e = s.find("enum"); e != s.end()) out = std::vector<Json>(e->begin(), e->end());
    if (const auto c = s.find("const"); c != s.end()) {
        std::vector<Json> keep;
        if (!out || contains_value(*out, *c)) keep.push_back(*c);
        out = std::move(keep);
    }
    return out;
}

// allOf of two subschemas as JSON, simplified where one side is trivial.
Json all_of(const Json& a, const Json& b) {
    if (a.is_boolean() && a.get<bool>()) return b;
    if (b.is_boolean() && b.get<bool>()) return a;
    if ((a.is_boolean() && !a.get<bool>()) || (b.is_boolean() && !b.get<bool>())) return false;
    if (a == b) return a;
    return Json{{"allOf", Json::array({a, b})}};
}

// Numeric comparison across integer and floating JSON numbers.
bool less(const Json& a, const Json& b) {
    auto as_ld = [](const Json& v) -> long double {
        if (v.is_number_unsigned()) return static_cast<long double>(v.get<uint64_t>());
        if (v.is_number_integer()) return static_cast<long double>(v.get<int64_t>());
        return static_cast<long double>(v.get<double>());
    };
    return as_ld(a) < as_ld(b);
}

}  // namespace

void SchemaNormalizer::depth_check(int depth, const std::string& ptr) const {
    if (depth > kMaxSchemaDepth) {
        ctx_.fail("schema at " + show_pointer(ptr) + " is nested too deeply (limit " +
                  std::to_string(kMaxSchemaDepth) + " levels of $ref/allOf)");
    }
}

SchemaNode SchemaNormalizer::normalize(const Json& s, const std::string& ptr, int depth) {
    depth_check(depth, ptr);
    if (!s.is_object()) return SchemaNode{SchemaNode::Kind::Plain, &s, ptr, {}};
    bool combinators = false;
    Json siblings = Json::object();
    for (const auto& [k, v] : s.items()) {
        if (is_combinator(k)) {
            combinators = true;
        } else if (is_known(k) && k != "$defs" && k != "definitions" && k != "$anchor" &&
                   k != "$comment") {
            siblings[k] = v;
        }
    }
    if (!combinators) return SchemaNode{SchemaNode::Kind::Plain, &s, ptr, {}};

    std::vector<SchemaNode> parts;
    if (!siblings.empty()) {
        parts.push_back({SchemaNode::Kind::Plain, &ctx_.store(std::move(siblings)), ptr, {}});
    }
    if (const auto r = s.find("$ref"); r != s.end()) {
        if (const auto target = ctx_.resolve(r->get<std::string>(), ptr)) {
            parts.push_back({SchemaNode::Kind::Ref, target->schema, target->ptr, {}});
        }
    }
    if (const auto all = s.find("allOf"); all != s.end()) {
        for (size_t i = 0; i < all->size(); ++i) {
            parts.push_back(
                normalize((*all)[i], pointer_child(pointer_child(ptr, "allOf"), i), depth + 1));
        }
    }
    for (const char* key : {"anyOf", "oneOf"}) {
        const auto u = s.find(key);
        if (u == s.end()) continue;
        SchemaNode node{key[0] == 'a' ? SchemaNode::Kind::AnyOf : SchemaNode::Kind::OneOf,
                        nullptr,
                        pointer_child(ptr, key),
                        {}};
        for (size_t i = 0; i < u->size(); ++i) {
            node.branches.push_back(
                normalize((*u)[i], pointer_child(pointer_child(ptr, key), i), depth + 1));
        }
        parts.push_back(std::move(node));
    }
    if (parts.empty()) return SchemaNode{SchemaNode::Kind::Plain, &ctx_.store(true), ptr, {}};
    SchemaNode out = std::move(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i)
        out = intersect(std::move(out), std::move(parts[i]), ptr, depth + 1);
    return out;
}

SchemaNode SchemaNormalizer::inline_ref(const SchemaNode& ref, int depth) {
    return normalize(*ref.schema, ref.ptr, depth + 1);
}

SchemaNode SchemaNormalizer::intersect(SchemaNode a, SchemaNode b, const std::string& ptr,
                                       int depth) {
    depth_check(depth, ptr);
    if (a.kind == SchemaNode::Kind::Ref)
        return intersect(inline_ref(a, depth), std::move(b), ptr, depth + 1);
    if (b.kind == SchemaNode::Kind::Ref)
        return intersect(std::move(a), inline_ref(b, depth), ptr, depth + 1);
    if (a.kind == SchemaNode::Kind::Plain && b.kind == SchemaNode::Kind::Plain) {
        return SchemaNode{
            SchemaNode::Kind::Plain, &merge_plain(*a.schema, *b.schema, ptr), ptr, {}};
    }
    // (B1 | B2) & X = (B1 & X) | (B2 & X); exactly-one-of is kept, since X is common.
    if (a.kind == SchemaNode::Kind::Plain) std::swap(a, b);
    SchemaNode out{a.kind, nullptr, a.ptr, {}};
    for (SchemaNode& branch : a.branches) {
        if (++branches_made_ > kMaxBranches) {
            ctx_.fail("allOf at " + show_pointer(ptr) + " expands to more than " +
                      std::to_string(kMaxBranches) + " alternatives");
        }
        out.branches.push_back(intersect(std::move(branch), b, ptr, depth + 1));
    }
    return out;
}

const Json& SchemaNormalizer::merge_plain(const Json& a, const Json& b, const std::string& ptr) {
    if (a.is_boolean() || b.is_boolean()) return ctx_.store(all_of(a, b));
    Json out = Json::object();
    const bool a_typed = a.contains("type"), b_typed = b.contains("type");
    if (a_typed || b_typed) {
        const unsigned bits = type_bits_of(a) & type_bits_of(b);
        if (bits == 0) return ctx_.store(false);
        out["type"] = bits_to_types(bits);
    }
    {
        auto va = values_of(a), vb = values_of(b);
        if (va && vb) {
            std::vector<Json> both;
            for (const Json& v : *va) {
                if (contains_value(*vb, v)) both.push_back(v);
            }
            va = std::move(both);
        } else if (!va) {
            va = std::move(vb);
        }
        if (va) {
            if (va->empty()) return ctx_.store(false);
            out["enum"] = Json(*va);
        }
    }
    // Objects: for each key, every side's constraint is its own property schema if it declares
    // one, else its additionalProperties — merged, that is exact.
    const bool objects = a.contains("properties") || b.contains("properties") ||
                         a.contains("additionalProperties") || b.contains("additionalProperties") ||
                         a.contains("required") || b.contains("required");
    if (objects) {
        const Json t = true;
        const Json& pa = a.contains("properties") ? a["properties"] : Json::object();
        const Json& pb = b.contains("properties") ? b["properties"] : Json::object();
        const Json& xa = a.contains("additionalProperties") ? a["additionalProperties"] : t;
        const Json& xb = b.contains("additionalProperties") ? b["additionalProperties"] : t;
        Json props = Json::object();
        for (const Json* side : {&pa, &pb}) {
            for (const auto& [k, unused] : side->items()) {
                (void)unused;
                if (props.contains(k)) continue;
                const Json& sa = pa.contains(k) ? pa[k] : xa;
                const Json& sb = pb.contains(k) ? pb[k] : xb;
                props[k] = all_of(sa, sb);
            }
        }
        if (!props.empty()) out["properties"] = std::move(props);
        Json extra = all_of(xa, xb);
        if (!(extra.is_boolean() && extra.get<bool>()))
            out["additionalProperties"] = std::move(extra);
        Json required = Json::array();
        for (const Json* side : {&a, &b}) {
            if (!side->contains("required")) continue;
            for (const Json& r : (*side)["required"]) {
                if (std::find(required.begin(), required.end(), r) == required.end())
                    required.push_back(r);
            }
        }
        if (!required.empty()) out["required"] = std::move(required);
    }
    // Arrays: item i is constrained by each side's prefixItems[i] or its rest-items schema.
    auto array_parts = [](const Json& s, std::vector<Json>& prefix, Json& rest) {
        rest = true;
        if (s.contains("items") && s["items"].is_array()) {  // the pre-2020 tuple form
            prefix.assign(s["items"].begin(), s["items"].end());
            if (s.contains("additionalItems")) rest = s["additionalItems"];
        } else {
            if (s.contains("prefixItems"))
                prefix.assign(s["prefixItems"].begin(), s["prefixItems"].end());
            if (s.contains("items")) rest = s["items"];
        }
    };
    if (a.contains("items") || b.contains("items") || a.contains("prefixItems") ||
        b.contains("prefixItems")) {
        std::vector<Json> qa, qb;
        Json ra, rb;
        array_parts(a, qa, ra);
        array_parts(b, qb, rb);
        Json prefix = Json::array();
        for (size_t i = 0; i < std::max(qa.size(), qb.size()); ++i) {
            prefix.push_back(all_of(i < qa.size() ? qa[i] : ra, i < qb.size() ? qb[i] : rb));
        }
        if (!prefix.empty()) out["prefixItems"] = std::move(prefix);
        Json rest = all_of(ra, rb);
        if (!(rest.is_boolean() && rest.get<bool>())) out["items"] = std::move(rest);
    }
    auto tighter = [&](const char* key, bool take_larger) {
        const bool ha = a.contains(key), hb = b.contains(key);
        if (!ha && !hb) return;
        if (ha && hb) {
            const bool a_less = less(a[key], b[key]);
            out[key] = (a_less == take_larger) ? b[key] : a[key];
        } else {
            out[key] = ha ? a[key] : b[key];
        }
    };
    tighter("minItems", true);
    tighter("maxItems", false);
    tighter("minLength", true);
    tighter("maxLength", false);
    tighter("minimum", true);
    tighter("exclusiveMinimum", true);
    tighter("maximum", false);
    tighter("exclusiveMaximum", false);
    for (const char* key : {"pattern", "format"}) {
        const bool ha = a.contains(key), hb = b.contains(key);
        if (ha && hb && a[key] != b[key]) {
            ctx_.unsupported("allOf", ptr,
                             std::string("two different '") + key + "' values cannot be combined");
        }
        if (ha || hb) out[key] = ha ? a[key] : b[key];
    }
    return ctx_.store(std::move(out));
}

// ---- oneOf exclusivity ----

struct SchemaNormalizer::Signature {
    unsigned types = kAllTypes;
    std::optional<std::vector<Json>> values;
    // Object-only schemas: required property -> its const/enum values.
    std::map<std::string, std::vector<Json>> discriminators;
};

SchemaNormalizer::Signature SchemaNormalizer::signature(const SchemaNode& node, int depth) {
    depth_check(depth, node.ptr);
    Signature sig;
    switch (node.kind) {
        case SchemaNode::Kind::Ref:
            return signature(inline_ref(node, depth), depth + 1);
        case SchemaNode::Kind::AnyOf:
        case SchemaNode::Kind::OneOf: {
            sig.types = 0;
            std::vector<Json> all;
            bool all_valued = true;
            for (const SchemaNode& b : node.branches) {
                Signature s = signature(b, depth + 1);
                sig.types |= s.types;
                if (s.values) {
                    all.insert(all.end(), s.values->begin(), s.values->end());
                } else {
                    all_valued = false;
                }
            }
            if (all_valued) sig.values = std::move(all);
            return sig;
        }
        case SchemaNode::Kind::Plain:
            break;
    }
    const Json& s = *node.schema;
    if (s.is_boolean()) {
        sig.types = s.get<bool>() ? kAllTypes : 0;
        return sig;
    }
    sig.types = type_bits_of(s);
    sig.values = values_of(s);
    if (sig.values) {
        unsigned bits = 0;
        for (const Json& v : *sig.values) bits |= value_bits(v);
        sig.types &= bits;
    }
    if (sig.types == kObject && s.contains("required") && s.contains("properties")) {
        for (const Json& r : s["required"]) {
            const std::string name = r.get<std::string>();
            if (!s["properties"].contains(name)) continue;
            const SchemaNode p = normalize(s["properties"][name], node.ptr, depth + 1);
            const Json* ps = p.schema;
            if (p.kind == SchemaNode::Kind::Ref) ps = normalize(*ps, p.ptr, depth + 1).schema;
            if (ps == nullptr || !ps->is_object()) continue;
            if (auto v = values_of(*ps)) sig.discriminators[name] = std::move(*v);
        }
    }
    return sig;
}

bool SchemaNormalizer::disjoint(const Signature& a, const Signature& b) {
    if ((a.types & b.types) == 0) return true;
    auto no_common = [](const std::vector<Json>& x, const std::vector<Json>& y) {
        if (x.size() * y.size() > 1000000) return false;  // too costly to tell: assume overlap
        return std::none_of(x.begin(), x.end(),
                            [&](const Json& v) { return contains_value(y, v); });
    };
    if (a.values && b.values && no_common(*a.values, *b.values)) return true;
    for (const auto& [name, va] : a.discriminators) {
        const auto it = b.discriminators.find(name);
        if (it != b.discriminators.end() && no_common(va, it->second)) return true;
    }
    return false;
}

void SchemaNormalizer::check_exclusive(const SchemaNode& one_of) {
    std::vector<Signature> sigs;
    for (const SchemaNode& b : one_of.branches) sigs.push_back(signature(b, 0));
    for (size_t i = 0; i < sigs.size(); ++i) {
        for (size_t j = i + 1; j < sigs.size(); ++j) {
            if (!disjoint(sigs[i], sigs[j])) {
                // one_of.ptr ends in "/oneOf"; report at the schema that holds it.
                const std::string owner = one_of.ptr.substr(0, one_of.ptr.rfind('/'));
                ctx_.unsupported("oneOf", owner,
                                 "branches " + std::to_string(i) + " and " + std::to_string(j) +
                                     " may both match (flash enforces oneOf only for mutually "
                                     "exclusive branches)");
                return;
            }
        }
    }
}

}  // namespace flash::grammar::detail
