// JSON Schema compiler: walks normalized subschemas and builds one rule per (subschema, layout
// depth); $ref recursion becomes rule recursion. Per type: strings (length, pattern, format),
// integers and numbers (exact bounds), objects (ordered properties, required, additional
// properties), arrays (prefixItems, items, counts), enum/const literals.
#include "grammar/json_schema.h"

#include <cmath>
#include <map>
#include <set>

#include "core/error.h"
#include "core/json_input.h"
#include "grammar/json_lexical.h"
#include "grammar/json_number.h"
#include "grammar/json_schema_context.h"
#include "grammar/json_schema_merge.h"
#include "grammar/regex.h"

namespace flash::grammar {

namespace {

using detail::Int128;
using detail::Json;
using detail::pointer_child;
using detail::SchemaNode;
using detail::show_pointer;

constexpr int kMaxValueNesting = 512;  // C++ recursion guard; the pre-pass enforces the 64
constexpr double kExactDouble = 9007199254740992.0;  // 2^53: every integer up to it is exact

// Regular expressions (full match) for the supported formats, as Python's jsonschema format
// checker accepts them: no year 0, real calendar days, no leap seconds.
const std::map<std::string, std::string>& format_patterns() {
    static const std::map<std::string, std::string> formats = [] {
        const std::string year = "(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})";
        const std::string leap_year =
            "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)";
        const std::string month_day =
            "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
            "|02-(?:0[1-9]|1[0-9]|2[0-8]))";
        const std::string date = "(?:" + year + "-" + month_day + "|" + leap_year + "-02-29)";
        // RFC 3339 full-time, offset required, for "time" and inside "date-time", as JSON
        // Schema 2020-12 defines them.
        const std::string hms = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]";
        const std::string time = hms + "(?:\\.[0-9]+)?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])";
        const std::string atom = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
        const std::string label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
        // RFC 3986 URI: scheme ":" hier-part ["?" query] ["#" fragment], without userinfo or
        // IP-literal hosts (a subset: every output is a valid URI; brackets never appear).
        const std::string pchar = "(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})";
        const std::string reg_name = "(?:[A-Za-z0-9\\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*";
        const std::string segments = "(?:/" + pchar + "*)*";
        const std::string hier = "(?://" + reg_name + "(?::[0-9]*)?" + segments + "|/(?:" + pchar +
                                 "+" + segments + ")?|" + pchar + "+" + segments + ")?";
        const std::string tail = "(?:\\?(?:" + pchar + "|[/?])*)?(?:#(?:" + pchar + "|[/?])*)?";
        const std::string uri = "[A-Za-z][A-Za-z0-9+.\\-]*:" + hier + tail;
        const std::string octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
        return std::map<std::string, std::string>{
            {"date", date},
            {"time", time},
            {"date-time", date + "T" + time},
            {"email", atom + "(?:\\." + atom + ")*@" + label + "(?:\\." + label + ")+"},
            {"uuid", "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"},
            {"uri", uri},
            {"ipv4", octet + "\\." + octet + "\\." + octet + "\\." + octet},
        };
    }();
    return formats;
}

unsigned type_families(const Json& s) {
    constexpr unsigned kStr = 1, kNum = 2, kObj = 4, kArr = 8;
    unsigned f = 0;
    for (const char* k : {"minLength", "maxLength", "pattern", "format"})
        f |= s.contains(k) ? kStr : 0;
    for (const char* k : {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}) {
        f |= s.contains(k) ? kNum : 0;
    }
    for (const char* k : {"properties", "required", "additionalProperties"})
        f |= s.contains(k) ? kObj : 0;
    for (const char* k : {"items", "prefixItems", "additionalItems", "minItems", "maxItems"}) {
        f |= s.contains(k) ? kArr : 0;
    }
    return f;
}

std::vector<std::string> types_of(const Json& s) {
    if (const auto t = s.find("type"); t != s.end()) {
        if (t->is_string()) return {t->get<std::string>()};
        std::vector<std::string> out;
        for (const Json& n : *t) out.push_back(n.get<std::string>());
        return out;
    }
    const std::vector<std::string> all = {"null", "boolean", "object", "array", "string", "number"};
    if (s.contains("enum") || s.contains("const")) return all;
    // No "type": generate only the types the keywords talk about (a subset, hence sound), or
    // any value when there are none.
    const unsigned f = type_families(s);
    if (f == 0) return all;
    std::vector<std::string> out;
    if (f & 1) out.push_back("string");
    if (f & 2) out.push_back("number");
    if (f & 4) out.push_back("object");
    if (f & 8) out.push_back("array");
    return out;
}

bool value_has_type(const Json& v, const std::string& t) {
    if (t == "null") return v.is_null();
    if (t == "boolean") return v.is_boolean();
    if (t == "object") return v.is_object();
    if (t == "array") return v.is_array();
    if (t == "string") return v.is_string();
    if (t == "number") return v.is_number();
    if (t == "integer") {
        if (v.is_number_integer()) return true;  // signed and unsigned
        return v.is_number_float() && std::floor(v.get<double>()) == v.get<double>();
    }
    return false;
}

int64_t count_of(const Json& v) {
    if (v.is_number_float()) return static_cast<int64_t>(std::min(v.get<double>(), 9e18));
    if (v.is_number_unsigned())
        return static_cast<int64_t>(std::min<uint64_t>(v.get<uint64_t>(), 9000000000000000000ull));
    return v.get<int64_t>();
}

class SchemaCompiler {
  public:
    SchemaCompiler(const Json& root, const JsonSchemaOptions& options)
        : ctx_(root, options),
          lex_(b_, names_, options.pretty, options.indent),
          norm_(ctx_),
          default_max_length_(options.default_max_length),
          default_max_items_(options.default_max_items) {}

    JsonSchemaResult compile() {
        detail::check_schema(ctx_);
        const auto root = value(ctx_.root(), "", 0);
        if (!root) ctx_.fail("the schema accepts no value");
        JsonSchemaResult out;
        try {
            out.grammar = b_.build(*root);
        } catch (const Error& e) {
            throw Error(std::string("json schema: ") + e.what());
        }
        out.warnings = ctx_.take_warnings();
        return out;
    }

  private:
    struct Entry {
        bool done = false;
        std::optional<uint32_t> rule;      // done: the rule, or nullopt when nothing matches
        std::optional<uint32_t> declared;  // made when a reference re-entered it
    };

    void check_rule_budget() {
        if (b_.rule_count() > detail::kMaxRules) {
            ctx_.fail("the grammar needs more than " + std::to_string(detail::kMaxRules) +
                      " rules");
        }
    }

    static std::string rule_name(const std::string& ptr) {
        if (ptr.empty()) return "root";
        std::string name;
        const size_t cut = ptr.size() > 40 ? ptr.rfind('/', ptr.size() - 40) : 0;
        for (char c : ptr.substr(cut == std::string::npos ? 0 : cut)) {
            const bool ok =
                (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (ok) {
                name += c;
            } else if (!name.empty() && name.back() != '-') {
                name += '-';
            }
        }
        while (!name.empty() && name.back() == '-') name.pop_back();
        return name.empty() ? "schema" : name;
    }

    // The rule for subschema `s` (at `ptr`) as a value at nesting `depth`; nullopt when no
    // value can satisfy it.
    std::optional<uint32_t> value(const Json& s, const std::string& ptr, int depth) {
        const auto key = std::make_pair(&s, lex_.layout_key(depth));
        if (auto it = memo_.find(key); it != memo_.end()) {
            Entry& e = it->second;
            if (e.done) return e.rule;
            if (!e.declared) e.declared = b_.declare(names_(rule_name(ptr)));
            return e.declared;
        }
        if (++nesting_ > kMaxValueNesting) {
            ctx_.fail("schema at " + show_pointer(ptr) + " is nested too deeply");
        }
        memo_.emplace(key, Entry{});
        const SchemaNode node = norm_.normalize(s, ptr);
        std::vector<Sequence> alts = compile_node(node, depth);
        Entry& e = memo_[key];
        e.done = true;
        if (alts.empty()) {
            if (e.declared) {
                ctx_.fail("schema at " + show_pointer(ptr) + " can never be satisfied");
            }
        } else if (e.declared) {
            b_.define(*e.declared, std::move(alts));
            e.rule = e.declared;
        } else {
            e.rule = b_.add(names_(rule_name(ptr)), std::move(alts));
        }
        --nesting_;
        check_rule_budget();
        return e.rule;
    }

    std::vector<Sequence> compile_node(const SchemaNode& node, int depth) {
        switch (node.kind) {
            case SchemaNode::Kind::Plain:
                return compile_plain(*node.schema, node.ptr, depth);
            case SchemaNode::Kind::Ref: {
                const auto r = value(*node.schema, node.ptr, depth);
                if (!r) return {};
                return {{GrammarBuilder::ref(*r)}};
            }
            case SchemaNode::Kind::OneOf:
                norm_.check_exclusive(node);
                [[fallthrough]];
            case SchemaNode::Kind::AnyOf: {
                std::vector<Sequence> out;
                for (const SchemaNode& branch : node.branches) {
                    std::vector<Sequence> alts = compile_node(branch, depth);
                    if (alts.size() > 1) {
                        const uint32_t r = b_.add(names_(rule_name(branch.ptr)), std::move(alts));
                        out.push_back({GrammarBuilder::ref(r)});
                    } else if (alts.size() == 1) {
                        out.push_back(std::move(alts[0]));
                    }
                }
                return out;
            }
        }
        return {};
    }

    std::vector<Sequence> compile_plain(const Json& s, const std::string& ptr, int depth) {
        if (s.is_boolean()) {
            if (!s.get<bool>()) return {};
            return {{GrammarBuilder::ref(lex_.any_value(depth))}};
        }
        std::vector<std::string> types = types_of(s);
        if (s.contains("enum") || s.contains("const")) return compile_values(s, ptr, types, depth);
        const bool has_number = std::find(types.begin(), types.end(), "number") != types.end();
        std::vector<Sequence> out;
        for (const std::string& t : types) {
            std::vector<Sequence> alts;
            if (t == "null") {
                alts.push_back(GrammarBuilder::literal("null"));
            } else if (t == "boolean") {
                alts.push_back(GrammarBuilder::literal("true"));
                alts.push_back(GrammarBuilder::literal("false"));
            } else if (t == "string") {
                alts = compile_string(s, ptr);
            } else if (t == "integer") {
                if (!has_number) alts = compile_number(s, ptr, true);
            } else if (t == "number") {
                alts = compile_number(s, ptr, false);
            } else if (t == "object") {
                alts = compile_object(s, ptr, depth);
            } else if (t == "array") {
                alts = compile_array(s, ptr, depth);
            }
            for (Sequence& a : alts) out.push_back(std::move(a));
        }
        return out;
    }

    std::vector<Sequence> compile_values(const Json& s, const std::string& ptr,
                                         const std::vector<std::string>& types, int depth) {
        for (const char* k : {"minLength", "maxLength", "pattern", "format", "minimum", "maximum",
                              "exclusiveMinimum", "exclusiveMaximum", "properties", "required",
                              "additionalProperties", "items", "prefixItems", "additionalItems",
                              "minItems", "maxItems"}) {
            if (s.contains(k)) ctx_.unsupported(k, ptr, "alongside 'enum' or 'const'");
        }
        std::vector<Json> values;
        if (s.contains("enum")) values.assign(s["enum"].begin(), s["enum"].end());
        if (s.contains("const")) {
            const Json& c = s["const"];
            const nlohmann::json plain_c = c;  // compared without regard to key order
            const bool keep = !s.contains("enum") ||
                              std::any_of(values.begin(), values.end(), [&](const Json& v) {
                                  return nlohmann::json(v) == plain_c;
                              });
            values.clear();
            if (keep) values.push_back(c);
        }
        std::vector<Sequence> out;
        std::set<std::string> seen;  // canonical texts, so duplicates make one alternative
        for (const Json& v : values) {
            const bool typed = std::any_of(types.begin(), types.end(), [&](const std::string& t) {
                return value_has_type(v, t);
            });
            if (!typed || !seen.insert(nlohmann::json(v).dump()).second) continue;
            out.push_back(lex_.literal(v, depth));
        }
        return out;
    }

    // ---- strings ----

    std::vector<Sequence> compile_string(const Json& s, const std::string& ptr) {
        int64_t min = s.contains("minLength") ? count_of(s["minLength"]) : 0;
        int64_t max = s.contains("maxLength") ? count_of(s["maxLength"]) : -1;
        const bool has_pattern = s.contains("pattern");
        if (min > detail::kMaxRepeatBound) {
            ctx_.unsupported("minLength", ptr,
                             "above the limit " + std::to_string(detail::kMaxRepeatBound));
            min = 0;
        }
        if (max > detail::kMaxRepeatBound) {
            ctx_.unsupported("maxLength", ptr,
                             "above the limit " + std::to_string(detail::kMaxRepeatBound));
            max = -1;
        }
        std::string format = s.contains("format") ? s["format"].get<std::string>() : "";
        if (!format.empty() && format_patterns().count(format) == 0) {
            ctx_.unsupported("format", ptr, "unknown format '" + format + "'");
            format.clear();
        }
        const bool lengths = min > 0 || max >= 0;
        if (!format.empty() && (has_pattern || lengths)) {
            ctx_.unsupported(has_pattern ? "pattern" : (min > 0 ? "minLength" : "maxLength"), ptr,
                             "together with 'format'");
        }
        if (format.empty() && has_pattern && lengths) {
            ctx_.unsupported(min > 0 ? "minLength" : "maxLength", ptr, "together with 'pattern'");
        }
        std::optional<uint32_t> content;
        if (!format.empty()) {
            content = regex_rule(format_patterns().at(format), false, "format-" + format, ptr);
        } else if (has_pattern) {
            content = regex_rule(s["pattern"].get<std::string>(), true, "pattern", ptr);
        }
        if (content) {
            const Element quote = GrammarBuilder::chars({{'"', '"'}});
            return {{quote, GrammarBuilder::ref(*content), quote}};
        }
        if (max < 0 && default_max_length_ > 0) max = std::max(min, default_max_length_);
        if (max >= 0 && min > max) return {};
        return {{GrammarBuilder::ref(lex_.string_length(min, max))}};
    }

    // Content rule for a regex over unescaped string characters; nullopt when the pattern was
    // reported as unsupported and the options let it pass.
    std::optional<uint32_t> regex_rule(const std::string& pattern, bool search,
                                       const std::string& name, const std::string& ptr) {
        const auto key = std::make_pair(pattern, search);
        if (const auto it = regexes_.find(key); it != regexes_.end()) return it->second;
        RegexOptions ro;
        ro.exclude = detail::JsonLexicon::raw_excluded();
        ro.search = search;
        ro.name = names_(name);
        try {
            const uint32_t r = add_regex(b_, pattern, ro);
            regexes_.emplace(key, r);
            return r;
        } catch (const Error& e) {
            ctx_.unsupported(search ? "pattern" : "format", ptr, e.what());
            return std::nullopt;
        }
    }

    // ---- numbers ----

    static double as_double(const Json& v) {
        if (v.is_number_unsigned()) return static_cast<double>(v.get<uint64_t>());
        if (v.is_number_integer()) return static_cast<double>(v.get<int64_t>());
        return v.get<double>();
    }

    // Integer bounds, exact: lo/hi are the tightest of minimum, maximum and the exclusive
    // ones (a float bound is rounded inward).
    static void integer_bounds(const Json& bounds, std::optional<Int128>& lo,
                               std::optional<Int128>& hi) {
        for (const auto& [k, v] : bounds.items()) {
            const bool lower = k == "minimum" || k == "exclusiveMinimum";
            const bool exclusive = k[0] == 'e';
            Int128 bound;
            if (v.is_number_unsigned()) {
                bound = static_cast<Int128>(v.get<uint64_t>());
                if (exclusive) bound += lower ? 1 : -1;
            } else if (v.is_number_integer()) {
                bound = static_cast<Int128>(v.get<int64_t>());
                if (exclusive) bound += lower ? 1 : -1;
            } else {
                const double d = v.get<double>();
                const double c = lower ? std::ceil(d) : std::floor(d);
                bound = static_cast<Int128>(c);
                if (exclusive && c == d) bound += lower ? 1 : -1;
            }
            std::optional<Int128>& cur = lower ? lo : hi;
            if (!cur || (lower ? bound > *cur : bound < *cur)) cur = bound;
        }
    }

    std::vector<Sequence> compile_number(const Json& s, const std::string& ptr, bool integer) {
        // Bounds that cannot be enforced exactly are reported (and dropped when lenient):
        // for integers, floats past 2^63 (perhaps a rounded integer literal, which Python
        // compares exactly); for numbers, anything past 2^53 (decimals compare as doubles).
        Json bounds = Json::object();
        for (const char* kw : {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"}) {
            if (!s.contains(kw)) continue;
            const Json& v = s[kw];
            const bool too_large = integer
                                       ? v.is_number_float() && std::fabs(v.get<double>()) >= 9.2e18
                                       : std::fabs(as_double(v)) > kExactDouble;
            if (too_large) {
                ctx_.unsupported(kw, ptr, "the bound is too large to enforce exactly");
                continue;
            }
            bounds[kw] = v;
        }
        if (bounds.empty())
            return {{GrammarBuilder::ref(integer ? lex_.integer() : lex_.number())}};
        std::optional<Int128> lo, hi;
        integer_bounds(bounds, lo, hi);
        std::vector<Sequence> out = detail::integer_range(b_, names_, lo, hi);
        if (integer) return out;
        // Fractions: a decimal d is read as the double nearest to it, and rounding is
        // monotonic, so d >= B (a double) implies double(d) >= B. An exclusive bound moves to
        // the next double, so that even a d that rounds onto it is strictly inside.
        std::optional<double> flo, fhi;
        for (const auto& [k, v] : bounds.items()) {
            const bool lower = k == "minimum" || k == "exclusiveMinimum";
            double d = as_double(v);
            if (k[0] == 'e') d = std::nextafter(d, lower ? INFINITY : -INFINITY);
            std::optional<double>& cur = lower ? flo : fhi;
            if (!cur || (lower ? d > *cur : d < *cur)) cur = d;
        }
        for (Sequence& seq : detail::decimal_range(b_, names_, flo, fhi))
            out.push_back(std::move(seq));
        return out;
    }

    // ---- objects ----

    std::vector<Sequence> compile_object(const Json& s, const std::string& ptr, int depth) {
        struct Prop {
            std::string name;
            const Json* schema;
            std::string ptr;
            bool required;
            std::optional<uint32_t> rule;
        };
        const Json yes = true;
        const Json& extra = s.contains("additionalProperties") ? s["additionalProperties"] : yes;
        const bool extras_forbidden = extra.is_boolean() && !extra.get<bool>();
        std::vector<std::string> required;
        if (s.contains("required")) {
            for (const Json& r : s["required"]) required.push_back(r.get<std::string>());
        }
        auto is_required = [&](const std::string& n) {
            return std::find(required.begin(), required.end(), n) != required.end();
        };
        std::vector<Prop> props;
        std::vector<std::string> names;
        const std::string props_ptr = pointer_child(ptr, "properties");
        if (s.contains("properties")) {
            for (const auto& [name, sub] : s["properties"].items()) {
                props.push_back(
                    {name, &sub, pointer_child(props_ptr, name), is_required(name), {}});
                names.push_back(name);
            }
        }
        // Required names without a declared schema fall under additionalProperties.
        for (const std::string& r : required) {
            if (std::find(names.begin(), names.end(), r) != names.end()) continue;
            if (extras_forbidden) return {};
            props.push_back({r, &extra, pointer_child(ptr, "additionalProperties"), true, {}});
            names.push_back(r);
        }
        std::vector<Prop> kept;
        for (Prop& p : props) {
            p.rule = value(*p.schema, p.ptr, depth + 1);
            if (!p.rule) {
                if (p.required) return {};
                continue;  // a property no value fits is simply never written
            }
            kept.push_back(std::move(p));
        }
        std::optional<Sequence> extra_member;
        if (!extras_forbidden) {
            const auto v = value(extra, pointer_child(ptr, "additionalProperties"), depth + 1);
            if (v) {
                Sequence m = {GrammarBuilder::ref(lex_.key_except(names))};
                for (const Element& e : lex_.colon(depth)) m.push_back(e);
                m.push_back(GrammarBuilder::ref(*v));
                extra_member = std::move(m);
            }
        }
        auto member = [&](const Prop& p) {
            Sequence m = GrammarBuilder::literal(Json(p.name).dump());
            for (const Element& e : lex_.colon(depth)) m.push_back(e);
            m.push_back(GrammarBuilder::ref(*p.rule));
            return m;
        };
        const Sequence sep = lex_.separator(depth);
        auto cat = [](Sequence a, const Sequence& b) {
            a.insert(a.end(), b.begin(), b.end());
            return a;
        };
        // after[i]: members i.. when something was written before (each starts with a
        // separator); first[i]: the same when nothing was, and at least one member follows.
        const size_t n = kept.size();
        std::vector<uint32_t> after(n + 1);
        std::vector<std::optional<uint32_t>> first(n + 1);
        const std::string base = rule_name(ptr);
        if (extra_member) {
            after[n] = detail::star_rule(b_, names_, base + "-extra", cat(sep, *extra_member));
            first[n] = b_.add(names_(base + "-extras"),
                              {cat(*extra_member, {GrammarBuilder::ref(after[n])})});
        } else {
            after[n] = b_.add(names_(base + "-end"), {{}});
        }
        for (size_t i = n; i-- > 0;) {
            const Sequence m = member(kept[i]);
            std::vector<Sequence> a = {cat(cat(sep, m), {GrammarBuilder::ref(after[i + 1])})};
            if (!kept[i].required) a.push_back({GrammarBuilder::ref(after[i + 1])});
            after[i] = b_.add(names_(base + "-rest"), std::move(a));
            std::vector<Sequence> f = {cat(m, {GrammarBuilder::ref(after[i + 1])})};
            if (!kept[i].required && first[i + 1])
                f.push_back({GrammarBuilder::ref(*first[i + 1])});
            first[i] = b_.add(names_(base + "-first"), std::move(f));
        }
        std::vector<Sequence> out;
        const bool any_required =
            std::any_of(kept.begin(), kept.end(), [](const Prop& p) { return p.required; });
        if (!any_required) out.push_back(GrammarBuilder::literal("{}"));
        if (first[0]) {
            Sequence obj = cat({GrammarBuilder::chars({{'{', '{'}})}, lex_.open(depth));
            obj.push_back(GrammarBuilder::ref(*first[0]));
            obj = cat(obj, lex_.close(depth));
            obj.push_back(GrammarBuilder::chars({{'}', '}'}}));
            out.push_back(std::move(obj));
        }
        check_rule_budget();
        return out;
    }

    // ---- arrays ----

    std::vector<Sequence> compile_array(const Json& s, const std::string& ptr, int depth) {
        const Json yes = true;
        std::vector<const Json*> prefix;
        std::vector<std::string> prefix_ptrs;
        const Json* rest = &yes;
        std::string rest_ptr = pointer_child(ptr, "items");
        if (s.contains("items") && s["items"].is_array()) {  // the pre-2020 tuple form
            for (size_t i = 0; i < s["items"].size(); ++i) {
                prefix.push_back(&s["items"][i]);
                prefix_ptrs.push_back(pointer_child(pointer_child(ptr, "items"), i));
            }
            if (s.contains("additionalItems")) {
                rest = &s["additionalItems"];
                rest_ptr = pointer_child(ptr, "additionalItems");
            }
        } else {
            if (s.contains("prefixItems")) {
                for (size_t i = 0; i < s["prefixItems"].size(); ++i) {
                    prefix.push_back(&s["prefixItems"][i]);
                    prefix_ptrs.push_back(pointer_child(pointer_child(ptr, "prefixItems"), i));
                }
            }
            if (s.contains("items")) rest = &s["items"];
        }
        int64_t min = s.contains("minItems") ? count_of(s["minItems"]) : 0;
        int64_t max = s.contains("maxItems") ? count_of(s["maxItems"]) : -1;
        if (min > detail::kMaxRepeatBound) {
            ctx_.unsupported("minItems", ptr,
                             "above the limit " + std::to_string(detail::kMaxRepeatBound));
            min = 0;
        }
        if (max > detail::kMaxRepeatBound) {
            ctx_.unsupported("maxItems", ptr,
                             "above the limit " + std::to_string(detail::kMaxRepeatBound));
            max = -1;
        }
        if (max < 0 && default_max_items_ > 0) max = std::max(min, default_max_items_);
        auto cap = [&](int64_t limit) {
            if (max < 0 || limit < max) max = limit;
        };
        std::vector<uint32_t> items;
        for (size_t i = 0; i < prefix.size(); ++i) {
            if (max >= 0 && static_cast<int64_t>(i) >= max) break;
            const auto r = value(*prefix[i], prefix_ptrs[i], depth + 1);
            if (!r) {
                cap(static_cast<int64_t>(i));
                break;
            }
            items.push_back(*r);
        }
        const int64_t p = static_cast<int64_t>(items.size());
        std::optional<uint32_t> rest_rule;
        if (p == static_cast<int64_t>(prefix.size()) && (max < 0 || max > p)) {
            rest_rule = value(*rest, rest_ptr, depth + 1);
        }
        if (!rest_rule) cap(p);
        if (max >= 0 && min > max) return {};

        const Sequence sep = lex_.separator(depth);
        auto cat = [](Sequence a, const Sequence& b) {
            a.insert(a.end(), b.begin(), b.end());
            return a;
        };
        const std::string base = rule_name(ptr);
        std::vector<Sequence> out;
        if (min == 0) out.push_back(GrammarBuilder::literal("[]"));
        if (max == 0) return out;
        // tail(i): the items after the first i (i >= 1), each after a separator.
        auto homogeneous_tail = [&](int64_t i) -> std::optional<uint32_t> {
            const int64_t lo = std::max<int64_t>(0, min - i);
            const int64_t hi = max < 0 ? -1 : max - i;
            if (!rest_rule || hi == 0) {
                if (lo > 0) return std::nullopt;
                return b_.add(names_(base + "-end"), {{}});
            }
            return detail::repeat_rule(b_, names_, base + "-items",
                                       cat(sep, {GrammarBuilder::ref(*rest_rule)}), lo, hi);
        };
        Sequence body;
        if (p == 0) {
            const auto tail = homogeneous_tail(1);
            if (!tail) return out;
            body = {GrammarBuilder::ref(*rest_rule), GrammarBuilder::ref(*tail)};
        } else {
            std::optional<uint32_t> tail = homogeneous_tail(p);
            for (int64_t i = p - 1; i >= 1; --i) {
                std::vector<Sequence> alts;
                if (i >= min) alts.push_back({});
                if (tail)
                    alts.push_back(cat(sep, {GrammarBuilder::ref(items[static_cast<size_t>(i)]),
                                             GrammarBuilder::ref(*tail)}));
                tail =
                    alts.empty()
                        ? std::nullopt
                        : std::optional<uint32_t>(b_.add(names_(base + "-tail"), std::move(alts)));
            }
            if (!tail) return out;
            body = {GrammarBuilder::ref(items[0]), GrammarBuilder::ref(*tail)};
        }
        Sequence arr = cat({GrammarBuilder::chars({{'[', '['}})}, lex_.open(depth));
        arr = cat(arr, body);
        arr = cat(arr, lex_.close(depth));
        arr.push_back(GrammarBuilder::chars({{']', ']'}}));
        out.push_back(std::move(arr));
        check_rule_budget();
        return out;
    }

    detail::SchemaContext ctx_;
    GrammarBuilder b_;
    detail::RuleNamer names_;
    detail::JsonLexicon lex_;
    detail::SchemaNormalizer norm_;
    std::map<std::pair<const Json*, int>, Entry> memo_;
    std::map<std::pair<std::string, bool>, uint32_t> regexes_;
    int64_t default_max_length_ = 0;
    int64_t default_max_items_ = 0;
    int nesting_ = 0;
};

// Runs `f`, turning nlohmann's exceptions (invalid UTF-8 in a dump, ...) into flash::Error.
template <typename F>
auto guarded(F&& f) {
    try {
        return f();
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("json schema: ") + e.what());
    }
}

}  // namespace

JsonSchemaResult compile_json_schema(const nlohmann::ordered_json& schema,
                                     const JsonSchemaOptions& options) {
    return guarded([&] { return SchemaCompiler(schema, options).compile(); });
}

JsonSchemaResult compile_json_schema(const nlohmann::json& schema,
                                     const JsonSchemaOptions& options) {
    const nlohmann::ordered_json ordered = schema;
    return compile_json_schema(ordered, options);
}

JsonSchemaResult compile_json_schema_text(std::string_view text, const JsonSchemaOptions& options) {
    const auto schema = parse_json<nlohmann::ordered_json>(text, "json schema");
    return compile_json_schema(schema, options);
}

Grammar json_any_grammar(const JsonSchemaOptions& options) {
    GrammarBuilder b;
    detail::RuleNamer names;
    detail::JsonLexicon lex(b, names, options.pretty, options.indent);
    return b.build(lex.any_value(0));
}

}  // namespace flash::grammar
