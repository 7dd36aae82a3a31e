#include "tools/format_support.h"

#include "core/error.h"
#include "core/json_input.h"
#include "grammar/compose.h"
#include "grammar/json_schema.h"

namespace flash::tools::detail {

Sequence lit(std::string_view text) {
    return GrammarBuilder::literal(text);
}

Sequence cat(Sequence a, const Sequence& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

Element ref(uint32_t rule) {
    return GrammarBuilder::ref(rule);
}

uint32_t arguments_rule(GrammarBuilder& b, const ToolSpec& tool) {
    return grammar::embed(b, tool.arguments_grammar, tool.name + "-args");
}

uint32_t property_value_rule(GrammarBuilder& b, const ToolSpec& tool, const std::string& property) {
    Json schema = tool.parameters["properties"][property];
    // $refs inside a property point at the arguments schema's definitions.
    for (const char* defs : {"$defs", "definitions"})
        if (tool.parameters.contains(defs) && schema.is_object())
            schema[defs] = tool.parameters[defs];
    grammar::JsonSchemaOptions options;
    options.lenient = !tool.warnings.empty();
    options.default_max_length = tool.max_string_length;
    options.default_max_items = tool.max_array_items;
    const grammar::JsonSchemaResult r = grammar::compile_json_schema(schema, options);
    return grammar::embed(b, r.grammar, tool.name + "-" + property);
}

uint32_t ordered_members(GrammarBuilder& b, std::string_view name,
                         const std::vector<Member>& members, const Sequence& separator) {
    // after[i]: members i.. when one was written before (each starts with the separator);
    // first[i]: members i.. when none was. Linear in the number of members.
    const size_t n = members.size();
    std::vector<uint32_t> after(n + 1), first(n + 1);
    after[n] = b.add(b.unique_name(std::string(name) + "-end"), {{}});
    first[n] = after[n];
    for (size_t i = n; i-- > 0;) {
        const Member& m = members[i];
        std::vector<Sequence> a = {cat(cat(separator, m.body), {ref(after[i + 1])})};
        if (!m.required) a.push_back({ref(after[i + 1])});
        after[i] = b.add(b.unique_name(std::string(name) + "-rest"), std::move(a));
        std::vector<Sequence> f = {cat(m.body, {ref(after[i + 1])})};
        if (!m.required) f.push_back({ref(first[i + 1])});
        first[i] = b.add(b.unique_name(std::string(name) + "-first"), std::move(f));
    }
    return first[0];
}

uint32_t repeat_calls(GrammarBuilder& b, uint32_t first, const Sequence& separator, uint32_t next,
                      CallCount count) {
    const int min_more = std::max(0, count.min - 1);
    const int max_more = count.max < 0 ? -1 : std::max(0, count.max - 1);
    if (max_more == 0) return first;
    const uint32_t more = b.repeat("more-calls", cat(separator, {ref(next)}), min_more, max_more);
    return b.add(b.unique_name("calls"), {{ref(first), ref(more)}});
}

std::vector<std::pair<std::string, bool>> properties(const ToolSpec& tool) {
    std::vector<std::pair<std::string, bool>> out;
    if (!tool.parameters.contains("properties")) return out;
    const Json required = tool.parameters.value("required", Json::array());
    for (const auto& [name, _] : tool.parameters["properties"].items()) {
        bool req = false;
        for (const Json& r : required) req = req || r == name;
        out.emplace_back(name, req);
    }
    return out;
}

std::string property_type(const ToolSpec& tool, const std::string& property) {
    const Json& props = tool.parameters.value("properties", Json::object());
    if (!props.contains(property)) return "";
    const Json& s = props[property];
    if (s.is_object() && s.contains("type") && s["type"].is_string())
        return s["type"].get<std::string>();
    if (s.is_object() && s.contains("enum") && s["enum"].is_array() && !s["enum"].empty() &&
        s["enum"][0].is_string())
        return "string";
    return "";
}

size_t json_value_end(std::string_view s, size_t start) {
    int depth = 0;
    bool in_string = false;
    for (size_t i = start; i < s.size(); ++i) {
        const char c = s[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) return i + 1;
        }
    }
    return std::string_view::npos;
}

std::optional<Json> parse_json(std::string_view text, std::vector<std::string>& errors) {
    try {
        return Json::parse(text);
    } catch (const Json::parse_error& e) {
        std::string shown(text.substr(0, 80));
        errors.push_back("malformed JSON in a tool call (" + std::string(e.what()) + "): " + shown);
        return std::nullopt;
    }
}

std::optional<ToolCall> read_json_call(const Json& object, std::string* error) {
    if (!object.is_object()) {
        *error = "a tool call is not a JSON object: " + json_excerpt(object);
        return std::nullopt;
    }
    if (!object.contains("name") || !object["name"].is_string()) {
        *error = "a tool call has no \"name\" string: " + json_excerpt(object);
        return std::nullopt;
    }
    ToolCall call;
    call.name = object["name"].get<std::string>();
    const char* key = object.contains("arguments") ? "arguments" : "parameters";
    if (!object.contains(key)) return call;  // no arguments: judged against the schema later
    Json args = object[key];
    if (args.is_string()) {  // some models write the arguments as JSON text
        try {
            args = Json::parse(args.get<std::string>());
        } catch (const Json::parse_error&) {
            *error = "the arguments of '" + call.name + "' are a string, not a JSON object";
            return std::nullopt;
        }
    }
    if (!args.is_object()) {
        *error =
            "the arguments of '" + call.name + "' are not a JSON object: " + json_excerpt(args);
        return std::nullopt;
    }
    call.arguments = std::move(args);
    return call;
}

namespace {

void write_python_json(const Json& v, std::string& out) {
    if (v.is_object()) {
        out += '{';
        bool first = true;
        for (const auto& [k, x] : v.items()) {
            if (!first) out += ", ";
            first = false;
            out += Json(k).dump(-1, ' ', false);
            out += ": ";
            write_python_json(x, out);
        }
        out += '}';
    } else if (v.is_array()) {
        out += '[';
        for (size_t i = 0; i < v.size(); ++i) {
            if (i) out += ", ";
            write_python_json(v[i], out);
        }
        out += ']';
    } else {
        out += v.dump(-1, ' ', false);
    }
}

}  // namespace

std::string python_json(const Json& value) {
    std::string out;
    write_python_json(value, out);
    return out;
}

std::string trim(std::string_view s) {
    const size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return "";
    const size_t e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

std::string tool_lines(const std::vector<ToolSpec>& tools) {
    std::string out;
    for (const ToolSpec& t : tools) {
        if (!out.empty()) out += '\n';
        out += python_json(t.openai);
    }
    return out;
}

}  // namespace flash::tools::detail
