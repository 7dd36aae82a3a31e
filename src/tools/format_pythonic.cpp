// The pythonic tool format (Gemma, Llama 3.2's Python-list style): the whole reply is
// [name(key=value, ...), ...] with Python literals as values.
#include "core/error.h"
#include "tools/format_support.h"
#include "tools/formats.h"
#include "tools/python_literal.h"

namespace flash::tools {
namespace {

using namespace detail;

// key=value for each property in schema order; booleans as Python's True/False, everything
// else as JSON (a double-quoted JSON string is a Python string literal too).
uint32_t python_call_rule(GrammarBuilder& b, const ToolSpec& t) {
    std::vector<Member> members;
    for (const auto& [name, required] : properties(t)) {
        uint32_t value;
        if (property_type(t, name) == "boolean")
            value = b.add(b.unique_name(t.name + "-" + name + "-bool"), {lit("True"), lit("False")});
        else
            value = property_value_rule(b, t, name);
        members.push_back({cat(lit(name + "="), {ref(value)}), required});
    }
    const uint32_t args = ordered_members(b, t.name + "-kwargs", members, lit(", "));
    return b.add(b.unique_name(t.name + "-call"), {cat(cat(lit(t.name + "("), {ref(args)}), lit(")"))});
}

class PythonicFormat : public ToolFormat {
  public:
    std::string name() const override { return "pythonic"; }
    std::string trigger() const override { return "["; }
    bool trigger_at_start() const override { return true; }

    uint32_t calls_after_trigger(GrammarBuilder& b, const std::vector<const ToolSpec*>& tools,
                                 CallCount count) const override {
        std::vector<Sequence> alternatives;
        for (const ToolSpec* t : tools) alternatives.push_back({ref(python_call_rule(b, *t))});
        const uint32_t call = b.add(b.unique_name("call"), std::move(alternatives));
        const uint32_t calls = repeat_calls(b, call, lit(", "), call, count);
        return b.add(b.unique_name("calls"), {{ref(calls), GrammarBuilder::chars({{']', ']'}})}});
    }

    ParsedOutput parse(std::string_view s, const std::vector<ToolSpec>&) const override {
        ParsedOutput out;
        std::string text = trim(s);
        // Gemma sometimes fences its calls as a tool_code block.
        if (text.rfind("```tool_code", 0) == 0 || text.rfind("```python", 0) == 0) {
            const size_t nl = text.find('\n');
            const size_t fence = text.rfind("```");
            if (nl != std::string::npos && fence > nl) text = trim(text.substr(nl + 1, fence - nl - 1));
        }
        if (text.empty() || text[0] != '[') {
            out.content = text;
            return out;
        }
        out.attempted = true;
        size_t pos = 1;
        try {
            for (;;) {
                skip_space(text, pos);
                if (pos < text.size() && text[pos] == ']') break;
                ToolCall call;
                call.name = read_identifier(text, pos);
                if (call.name.empty()) throw Error("expected a function name at offset " + std::to_string(pos));
                skip_space(text, pos);
                if (pos >= text.size() || text[pos] != '(')
                    throw Error("expected '(' after " + call.name + " at offset " + std::to_string(pos));
                ++pos;
                for (;;) {
                    skip_space(text, pos);
                    if (pos < text.size() && text[pos] == ')') break;
                    const std::string key = read_identifier(text, pos);
                    skip_space(text, pos);
                    if (key.empty() || pos >= text.size() || text[pos] != '=')
                        throw Error("expected key=value in the call of " + call.name +
                                    " at offset " + std::to_string(pos));
                    ++pos;
                    call.arguments[key] = parse_python_value(text, pos);
                    skip_space(text, pos);
                    if (pos < text.size() && text[pos] == ',') ++pos;
                    else if (pos >= text.size() || text[pos] != ')')
                        throw Error("expected ',' or ')' at offset " + std::to_string(pos));
                }
                ++pos;
                out.calls.push_back(std::move(call));
                skip_space(text, pos);
                if (pos < text.size() && text[pos] == ',') ++pos;
                else if (pos >= text.size() || text[pos] != ']')
                    throw Error("expected ',' or ']' at offset " + std::to_string(pos));
            }
            out.content = trim(text.substr(pos + 1));
        } catch (const Error& e) {
            out.errors.push_back(std::string("malformed pythonic call: ") + e.what());
        }
        return out;
    }

    std::string render_calls(const std::vector<ToolCall>& calls) const override {
        std::string out = "[";
        for (size_t i = 0; i < calls.size(); ++i) {
            if (i) out += ", ";
            out += calls[i].name + "(";
            bool first = true;
            for (const auto& [k, v] : calls[i].arguments.items()) {
                out += (first ? "" : ", ") + k + "=" + python_literal(v);
                first = false;
            }
            out += ")";
        }
        return out + "]";
    }

    std::string system_prompt(const std::vector<ToolSpec>& tools) const override {
        std::string list = "[\n";
        for (size_t i = 0; i < tools.size(); ++i)
            {
            if (i) list += ",\n";
            list += python_json(tools[i].openai["function"]);
        }
        list += "\n]";
        return "You have access to functions. If you decide to invoke any of the function(s), "
               "you MUST put it in the format of\n[func_name1(params_name1=params_value1, "
               "params_name2=params_value2...), func_name2(params)]\n\nYou SHOULD NOT include any "
               "other text in the response if you call a function. If none of the functions "
               "fits the request, answer it in plain text without calling any.\n\n" + list;
    }

    std::pair<std::string, std::string> render_result(const std::string& name,
                                                      const std::string& content) const override {
        return {"user", "Result of " + name + ": " + content};
    }
};

}  // namespace

std::unique_ptr<ToolFormat> make_pythonic_format() { return std::make_unique<PythonicFormat>(); }

}  // namespace flash::tools
