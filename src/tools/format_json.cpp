// The JSON-object tool formats: hermes (<tool_call>\n{...}\n</tool_call> per call), json-list
// (SmolLM2: <tool_call>[{...}, ...]</tool_call>) and llama-json (a bare {"name",
// "parameters"} object per call).
#include "tools/formats.h"

#include "tools/format_support.h"

namespace flash::tools {
namespace {

using namespace detail;

// {"name": "NAME", "<args_key>": ARGS} for each tool, as alternatives; with `open` false the
// leading "{" is left out (it was the trigger).
uint32_t json_call_rule(GrammarBuilder& b, const std::vector<const ToolSpec*>& tools,
                        const char* args_key, bool open) {
    std::vector<Sequence> alternatives;
    for (const ToolSpec* t : tools) {
        Sequence s = lit(std::string(open ? "{" : "") + "\"name\": " + Json(t->name).dump() +
                         ", \"" + args_key + "\": ");
        s.push_back(ref(arguments_rule(b, *t)));
        alternatives.push_back(cat(s, lit("}")));
    }
    return b.add(b.unique_name(open ? "call" : "call-rest"), std::move(alternatives));
}

std::string json_call_text(const ToolCall& c, const char* args_key) {
    return python_json(Json{{"name", c.name}, {args_key, c.arguments}});
}

void add_call(const Json& object, ParsedOutput& out) {
    std::string error;
    if (auto call = read_json_call(object, &error)) out.calls.push_back(std::move(*call));
    else out.errors.push_back(error);
}

class HermesFormat : public ToolFormat {
  public:
    std::string name() const override { return "hermes"; }
    std::string trigger() const override { return "<tool_call>"; }

    uint32_t calls_after_trigger(GrammarBuilder& b, const std::vector<const ToolSpec*>& tools,
                                 CallCount count) const override {
        const uint32_t call = json_call_rule(b, tools, "arguments", true);
        const uint32_t first = b.add(b.unique_name("first-call"), {cat(cat(lit("\n"), {ref(call)}), lit("\n</tool_call>"))});
        const uint32_t next =
            b.add(b.unique_name("next-call"), {cat(cat(lit("<tool_call>\n"), {ref(call)}), lit("\n</tool_call>"))});
        return repeat_calls(b, first, lit("\n"), next, count);
    }

    ParsedOutput parse(std::string_view s, const std::vector<ToolSpec>&) const override {
        ParsedOutput out;
        const std::string open = trigger(), close = "</tool_call>";
        size_t pos = s.find(open);
        out.content = trim(s.substr(0, pos));
        while (pos != std::string_view::npos) {
            out.attempted = true;
            const size_t body = pos + open.size();
            const size_t end = s.find(close, body);
            if (end == std::string_view::npos) out.errors.push_back("a <tool_call> is not closed");
            const std::string text = trim(s.substr(body, end == std::string_view::npos ? s.npos : end - body));
            if (auto json = parse_json(text, out.errors)) add_call(*json, out);
            if (end == std::string_view::npos) break;
            pos = s.find(open, end + close.size());
        }
        return out;
    }

    std::string render_calls(const std::vector<ToolCall>& calls) const override {
        std::string out;
        for (const ToolCall& c : calls) {
            if (!out.empty()) out += '\n';
            out += "<tool_call>\n" + json_call_text(c, "arguments") + "\n</tool_call>";
        }
        return out;
    }

    std::string system_prompt(const std::vector<ToolSpec>& tools) const override {
        return "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
               "You are provided with function signatures within <tools></tools> XML tags:\n"
               "<tools>\n" + tool_lines(tools) + "\n</tools>\n\n"
               "For each function call, return a json object with function name and arguments "
               "within <tool_call></tool_call> XML tags:\n<tool_call>\n"
               "{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>";
    }
};

class JsonListFormat : public ToolFormat {
  public:
    std::string name() const override { return "json-list"; }
    std::string trigger() const override { return "<tool_call>"; }

    uint32_t calls_after_trigger(GrammarBuilder& b, const std::vector<const ToolSpec*>& tools,
                                 CallCount count) const override {
        const uint32_t call = json_call_rule(b, tools, "arguments", true);
        const uint32_t nl = b.add(b.unique_name("nl"), {lit("\n"), {}});
        std::vector<Sequence> list;
        const uint32_t items = repeat_calls(b, call, cat(lit(","), {ref(b.add(b.unique_name("sep-ws"), {lit("\n"), lit(" ")}))}),
                                            call, {std::max(count.min, 1), count.max});
        list.push_back({ref(nl), ref(items), ref(nl)});
        if (count.min == 0) list.push_back({});  // "[]": no call fits
        const uint32_t body = b.add(b.unique_name("call-list"), std::move(list));
        return b.add(b.unique_name("calls"), {cat(cat(lit("["), {ref(body)}), lit("]</tool_call>"))});
    }

    ParsedOutput parse(std::string_view s, const std::vector<ToolSpec>&) const override {
        ParsedOutput out;
        const std::string open = trigger();
        size_t pos = s.find(open);
        size_t start;
        if (pos != std::string_view::npos) {
            out.content = trim(s.substr(0, pos));
            start = s.find_first_not_of(" \t\r\n", pos + open.size());
        } else {
            // Without the wrapper, a reply that is nothing but a JSON list still reads as calls.
            start = s.find_first_not_of(" \t\r\n");
            if (start == std::string_view::npos || (s[start] != '[' && s[start] != '{')) {
                out.content = trim(s);
                return out;
            }
        }
        out.attempted = true;
        if (start == std::string_view::npos || (s[start] != '[' && s[start] != '{')) {
            out.errors.push_back("expected a JSON list of calls after <tool_call>");
            return out;
        }
        const size_t end = json_value_end(s, start);
        if (end == std::string_view::npos) {
            out.errors.push_back("the list of tool calls is not closed");
            return out;
        }
        const auto json = parse_json(s.substr(start, end - start), out.errors);
        if (!json) return out;
        if (json->is_array()) for (const Json& c : *json) add_call(c, out);
        else add_call(*json, out);
        const size_t close = s.find("</tool_call>", end);
        const std::string_view rest = s.substr(close == s.npos ? end : close + 12);
        if (const std::string tail = trim(rest); !tail.empty()) {
            if (!out.content.empty()) out.content += '\n';
            out.content += tail;
        }
        return out;
    }

    std::string render_calls(const std::vector<ToolCall>& calls) const override {
        std::string out = "<tool_call>[\n";
        for (size_t i = 0; i < calls.size(); ++i)
            {
            if (i) out += ",\n";
            out += json_call_text(calls[i], "arguments");
        }
        return out + "\n]</tool_call>";
    }

    std::string system_prompt(const std::vector<ToolSpec>& tools) const override {
        return "You are an expert in composing functions. You are given a question and a set of "
               "possible functions.\nBased on the question, you will need to make one or more "
               "function/tool calls to achieve the purpose.\nIf none of the functions can be "
               "used, point it out and refuse to answer.\nIf the given question lacks the "
               "parameters required by the function, also point it out.\n\nYou have access to "
               "the following tools:\n<tools>" + tool_lines(tools) + "</tools>\n\n"
               "The output MUST strictly adhere to the following format, and NO other text MUST "
               "be included.\nThe example format is as follows. Please make sure the parameter "
               "type is correct. If no function call is needed, please make the tool calls an "
               "empty list '[]'.\n<tool_call>[\n{\"name\": \"func_name1\", \"arguments\": "
               "{\"argument1\": \"value1\", \"argument2\": \"value2\"}},\n... (more tool calls as "
               "required)\n]</tool_call>";
    }
};

class LlamaJsonFormat : public ToolFormat {
  public:
    std::string name() const override { return "llama-json"; }
    std::string trigger() const override { return "{"; }
    bool trigger_at_start() const override { return true; }

    uint32_t calls_after_trigger(GrammarBuilder& b, const std::vector<const ToolSpec*>& tools,
                                 CallCount count) const override {
        const uint32_t first = json_call_rule(b, tools, "parameters", false);
        const uint32_t next = json_call_rule(b, tools, "parameters", true);
        return repeat_calls(b, first, lit("\n"), next, count);
    }

    ParsedOutput parse(std::string_view s, const std::vector<ToolSpec>&) const override {
        ParsedOutput out;
        std::string text = trim(s);
        if (text.rfind("<|python_tag|>", 0) == 0) text = trim(text.substr(14));
        if (text.empty() || text[0] != '{') {
            out.content = text;
            return out;
        }
        out.attempted = true;
        size_t pos = 0;
        while (pos < text.size() && text[pos] == '{') {
            const size_t end = json_value_end(text, pos);
            if (end == std::string::npos) {
                out.errors.push_back("a tool call object is not closed");
                break;
            }
            if (auto json = parse_json(std::string_view(text).substr(pos, end - pos), out.errors))
                add_call(*json, out);
            pos = text.find_first_not_of(" \t\r\n;", end);
        }
        if (pos != std::string::npos && pos < text.size()) out.content = trim(text.substr(pos));
        return out;
    }

    std::string render_calls(const std::vector<ToolCall>& calls) const override {
        std::string out;
        for (const ToolCall& c : calls) {
            if (!out.empty()) out += '\n';
            out += json_call_text(c, "parameters");
        }
        return out;
    }

    std::string system_prompt(const std::vector<ToolSpec>& tools) const override {
        std::string list;
        for (const ToolSpec& t : tools) list += python_json(t.openai) + "\n\n";
        return "Given the following functions, please respond with a JSON for a function call "
               "with its proper arguments that best answers the given prompt.\n\n"
               "Respond in the format {\"name\": function name, \"parameters\": dictionary of "
               "argument name and its value}. Do not use variables.\n\n" + list;
    }

    std::pair<std::string, std::string> render_result(const std::string&,
                                                      const std::string& content) const override {
        return {"ipython", content};
    }
};

}  // namespace

std::unique_ptr<ToolFormat> make_hermes_format() { return std::make_unique<HermesFormat>(); }
std::unique_ptr<ToolFormat> make_json_list_format() { return std::make_unique<JsonListFormat>(); }
std::unique_ptr<ToolFormat> make_llama_json_format() { return std::make_unique<LlamaJsonFormat>(); }

}  // namespace flash::tools
