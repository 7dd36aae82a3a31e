#include "tools/tool_spec.h"

#include <set>

#include "core/error.h"
#include "core/json_input.h"
#include "grammar/json_schema.h"
#include "grammar/matcher.h"

namespace flash::tools {
namespace {

bool valid_function_name(const std::string& name) {
    if (name.empty() || name.size() > 64) return false;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

Json object_schema(const Json& parameters, const std::string& where) {
    if (parameters.is_null()) return Json{{"type", "object"}, {"properties", Json::object()}};
    if (!parameters.is_object()) throw Error(where + ": must be a JSON Schema object");
    if (parameters.contains("type") && parameters["type"] != "object")
        throw Error(where + ": the arguments schema must have \"type\": \"object\", not " +
                    parameters["type"].dump());
    Json schema = parameters;
    schema["type"] = "object";
    if (schema.contains("properties") && !schema["properties"].is_object())
        throw Error(where + ".properties: must be an object");
    if (schema.contains("required")) {
        if (!schema["required"].is_array()) throw Error(where + ".required: must be an array");
        for (const Json& r : schema["required"]) {
            if (!r.is_string()) throw Error(where + ".required: names must be strings");
            const bool declared = schema.contains("properties") &&
                                  schema["properties"].contains(r.get<std::string>());
            const bool closed =
                schema.contains("additionalProperties") && schema["additionalProperties"] == false;
            if (!declared && (closed || !schema.contains("additionalProperties")))
                throw Error(where + ".required: '" + r.get<std::string>() +
                            "' is required but not declared in properties");
        }
    }
    if (!schema.contains("additionalProperties")) schema["additionalProperties"] = false;
    return schema;
}

ToolSpec parse_tool(const Json& tool, const std::string& where, const ToolParseOptions& options) {
    if (!tool.is_object()) throw Error(where + ": must be an object");
    const Json* fn = &tool;
    std::string fn_where = where;
    if (tool.contains("type")) {
        if (tool["type"] != "function")
            throw Error(where + ".type: only \"function\" tools are supported, not " +
                        tool["type"].dump());
        if (!tool.contains("function") || !tool["function"].is_object())
            throw Error(where + ".function: missing (expected {\"name\", \"parameters\"})");
        fn = &tool["function"];
        fn_where += ".function";
    } else if (tool.contains("function")) {
        fn = &tool["function"];
        fn_where += ".function";
    }
    if (!fn->contains("name") || !(*fn)["name"].is_string())
        throw Error(fn_where + ".name: missing or not a string");
    ToolSpec spec;
    spec.name = (*fn)["name"].get<std::string>();
    if (!valid_function_name(spec.name))
        throw Error(fn_where + ".name: '" + spec.name +
                    "' is not a valid function name (1-64 of letters, digits, '_', '-', '.')");
    if (fn->contains("description")) {
        if (!(*fn)["description"].is_string())
            throw Error(fn_where + ".description: must be a string");
        spec.description = (*fn)["description"].get<std::string>();
    }
    const Json params = fn->contains("parameters") ? (*fn)["parameters"] : Json();
    spec.parameters = object_schema(params, fn_where + ".parameters");
    spec.openai = Json{{"type", "function"}, {"function", *fn}};
    grammar::JsonSchemaOptions schema_options;
    schema_options.lenient = options.lenient;
    schema_options.default_max_length = spec.max_string_length = options.max_string_length;
    schema_options.default_max_items = spec.max_array_items = options.max_array_items;
    try {
        grammar::JsonSchemaResult r = grammar::compile_json_schema(spec.parameters, schema_options);
        spec.arguments_grammar = std::move(r.grammar);
        for (const std::string& w : r.warnings) spec.warnings.push_back(fn_where + ": " + w);
    } catch (const Error& e) {
        throw Error(fn_where + ".parameters: " + e.what());
    }
    spec.arguments_checker = grammar::CompiledGrammar::compile(spec.arguments_grammar);
    return spec;
}

// Properties in schema order, then any others in their own order: the order the arguments
// grammar expects.
Json canonical_order(const ToolSpec& tool, const Json& arguments) {
    Json out = Json::object();
    if (tool.parameters.contains("properties"))
        for (const auto& [name, _] : tool.parameters["properties"].items())
            if (arguments.contains(name)) out[name] = arguments[name];
    for (const auto& [name, value] : arguments.items())
        if (!out.contains(name)) out[name] = value;
    return out;
}

size_t code_points(const std::string& s) {
    size_t n = 0;
    for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

// The schema a value inside `schema` follows: a property's, the items', or additionalProperties'.
// Null when it cannot be told simply (the default caps are then assumed to apply).
const Json* child_schema(const Json* schema, const std::string& key, bool array_item) {
    if (!schema || !schema->is_object()) return nullptr;
    if (array_item) {
        const auto it = schema->find("items");
        return it != schema->end() && it->is_object() ? &*it : nullptr;
    }
    if (const auto props = schema->find("properties"); props != schema->end() &&
                                                         props->is_object() &&
                                                         props->contains(key))
        return &(*props)[key];
    const auto extra = schema->find("additionalProperties");
    return extra != schema->end() && extra->is_object() ? &*extra : nullptr;
}

// Whether the schema sets its own bound (`keyword`) or fixes the value outright: then the
// default cap was not imposed and reaching it says nothing.
bool own_bound(const Json* schema, const char* keyword) {
    return schema && schema->is_object() &&
           (schema->contains(keyword) || schema->contains("enum") || schema->contains("const"));
}

std::string find_capped(const Json& v, const Json* schema, const std::string& where,
                        int64_t max_length, int64_t max_items) {
    if (v.is_string() && max_length > 0 && !own_bound(schema, "maxLength") &&
        static_cast<int64_t>(code_points(v.get<std::string>())) >= max_length)
        return where + " reached the " + std::to_string(max_length) +
               "-character cap and may be cut short";
    if (v.is_array()) {
        if (max_items > 0 && !own_bound(schema, "maxItems") &&
            static_cast<int64_t>(v.size()) >= max_items)
            return where + " reached the " + std::to_string(max_items) +
                   "-item cap and may be cut short";
        const Json* items = child_schema(schema, "", true);
        for (size_t i = 0; i < v.size(); ++i) {
            const std::string found = find_capped(v[i], items, where + "[" + std::to_string(i) + "]",
                                                  max_length, max_items);
            if (!found.empty()) return found;
        }
    }
    if (v.is_object())
        for (const auto& [k, x] : v.items()) {
            const std::string found = find_capped(x, child_schema(schema, k, false), where + "." + k,
                                                  max_length, max_items);
            if (!found.empty()) return found;
        }
    return "";
}

}  // namespace

std::string capped_value(const ToolSpec& tool, const Json& arguments) {
    return find_capped(arguments, &tool.parameters, tool.name, tool.max_string_length,
                       tool.max_array_items);
}

std::vector<ToolSpec> parse_tools(const Json& tools, const ToolParseOptions& options) {
    if (!tools.is_array()) throw Error("tools: must be an array of {\"type\": \"function\", ...}");
    std::vector<ToolSpec> out;
    std::set<std::string> names;
    for (size_t i = 0; i < tools.size(); ++i) {
        const std::string where = "tools[" + std::to_string(i) + "]";
        ToolSpec spec = parse_tool(tools[i], where, options);
        if (!names.insert(spec.name).second)
            throw Error(where + ": duplicate tool name '" + spec.name + "'");
        out.push_back(std::move(spec));
    }
    return out;
}

std::vector<ToolSpec> parse_tools_text(std::string_view text, const ToolParseOptions& options) {
    return parse_tools(parse_json<Json>(text, "tools"), options);
}

const ToolSpec* find_tool(const std::vector<ToolSpec>& tools, std::string_view name) {
    for (const ToolSpec& t : tools)
        if (t.name == name) return &t;
    return nullptr;
}

bool arguments_valid(const ToolSpec& tool, const Json& arguments, std::string* why) {
    if (!arguments.is_object()) {
        if (why) *why = "arguments are not a JSON object";
        return false;
    }
    // Checking needs no real vocabulary: one placeholder token keeps the matcher well formed.
    static const auto vocab = grammar::TokenVocabulary::from_pieces({" "}, {});
    grammar::Matcher m(tool.arguments_checker, vocab);
    const std::string text = canonical_order(tool, arguments).dump();
    if (m.accept_bytes(text) && m.is_complete()) return true;
    if (why) {
        // Find which argument breaks the schema, for a useful report.
        *why = "arguments " + text + " do not satisfy the schema of '" + tool.name + "'";
        if (tool.parameters.contains("required"))
            for (const Json& r : tool.parameters["required"])
                if (!arguments.contains(r.get<std::string>()))
                    *why = "missing required argument '" + r.get<std::string>() + "'";
        if (tool.parameters["additionalProperties"] == false)
            for (const auto& [name, _] : arguments.items())
                if (!tool.parameters.contains("properties") ||
                    !tool.parameters["properties"].contains(name))
                    *why = "unknown argument '" + name + "'";
    }
    return false;
}

}  // namespace flash::tools
