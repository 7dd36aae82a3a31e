// The XML-style tool format of Qwen3.5:
//   <tool_call>\n<function=NAME>\n<parameter=KEY>\nVALUE\n</parameter>\n...</function>\n</tool_call>
// String values are written raw; other values as JSON (booleans also as Python's True/False,
// which is how the model's own template prints them).
#include "tools/format_support.h"
#include "tools/formats.h"

namespace flash::tools {
namespace {

using namespace detail;

// A raw string value: an enum's members, else any text without '<' (which would open the
// closing tag). Length, pattern and format of raw strings are not enforced by the grammar;
// the arguments are checked against the schema afterwards and reported if they fail.
uint32_t raw_string_rule(GrammarBuilder& b, const ToolSpec& t, const std::string& property) {
    const Json& s = t.parameters["properties"][property];
    if (s.contains("enum") && s["enum"].is_array()) {
        std::vector<Sequence> members;
        for (const Json& v : s["enum"])
            if (v.is_string()) members.push_back(lit(v.get<std::string>()));
        if (!members.empty()) return b.add(b.unique_name(t.name + "-" + property + "-enum"), std::move(members));
    }
    const grammar::Element text_char = GrammarBuilder::chars({{'<', '<'}}, /*negated=*/true);
    if (t.max_string_length > 0) return b.repeat(t.name + "-" + property + "-text", {text_char}, 0, t.max_string_length);
    return b.star(t.name + "-" + property + "-text", {text_char});
}

uint32_t xml_call_rule(GrammarBuilder& b, const ToolSpec& t) {
    std::vector<Member> members;
    for (const auto& [name, required] : properties(t)) {
        const std::string type = property_type(t, name);
        uint32_t value;
        if (type == "string") {
            value = raw_string_rule(b, t, name);
        } else {
            std::vector<Sequence> alternatives = {{ref(property_value_rule(b, t, name))}};
            if (type == "boolean") alternatives = {lit("true"), lit("false"), lit("True"), lit("False")};
            value = b.add(b.unique_name(t.name + "-" + name + "-value"), std::move(alternatives));
        }
        Sequence body = lit("<parameter=" + name + ">\n");
        body.push_back(ref(value));
        members.push_back({cat(body, lit("\n</parameter>\n")), required});
    }
    const uint32_t params = ordered_members(b, t.name + "-params", members, {});
    return b.add(b.unique_name(t.name + "-function"),
                 {cat(cat(lit("<function=" + t.name + ">\n"), {ref(params)}), lit("</function>"))});
}

Json typed_value(const ToolSpec* tool, const std::string& key, const std::string& raw) {
    const std::string type = tool ? property_type(*tool, key) : "";
    if (type == "string") return Json(raw);
    if (raw == "True") return Json(true);
    if (raw == "False") return Json(false);
    try {
        return Json::parse(raw);
    } catch (const Json::parse_error&) {
        return Json(raw);  // not JSON: kept as text, and the schema check reports a wrong type
    }
}

class QwenXmlFormat : public ToolFormat {
  public:
    std::string name() const override { return "qwen-xml"; }
    std::string trigger() const override { return "<tool_call>"; }

    uint32_t calls_after_trigger(GrammarBuilder& b, const std::vector<const ToolSpec*>& tools,
                                 CallCount count) const override {
        std::vector<Sequence> alternatives;
        for (const ToolSpec* t : tools) alternatives.push_back({ref(xml_call_rule(b, *t))});
        const uint32_t fn = b.add(b.unique_name("function"), std::move(alternatives));
        const uint32_t first = b.add(b.unique_name("first-call"), {cat(cat(lit("\n"), {ref(fn)}), lit("\n</tool_call>"))});
        const uint32_t next = b.add(b.unique_name("next-call"),
                                    {cat(cat(lit("<tool_call>\n"), {ref(fn)}), lit("\n</tool_call>"))});
        return repeat_calls(b, first, lit("\n"), next, count);
    }

    ParsedOutput parse(std::string_view s, const std::vector<ToolSpec>& tools) const override {
        ParsedOutput out;
        size_t pos = s.find("<tool_call>");
        out.content = trim(s.substr(0, pos));
        while (pos != std::string_view::npos) {
            out.attempted = true;
            const size_t end = s.find("</tool_call>", pos);
            const std::string_view block = s.substr(pos, end == s.npos ? s.npos : end - pos);
            if (end == s.npos) out.errors.push_back("a <tool_call> is not closed");
            read_function(block, tools, out);
            if (end == s.npos) break;
            pos = s.find("<tool_call>", end);
        }
        return out;
    }

    std::string render_calls(const std::vector<ToolCall>& calls) const override {
        std::string out;
        for (const ToolCall& c : calls) {
            if (!out.empty()) out += '\n';
            out += "<tool_call>\n<function=" + c.name + ">\n";
            for (const auto& [k, v] : c.arguments.items())
                out += "<parameter=" + k + ">\n" + (v.is_string() ? v.get<std::string>() : python_json(v)) +
                       "\n</parameter>\n";
            out += "</function>\n</tool_call>";
        }
        return out;
    }

    std::string system_prompt(const std::vector<ToolSpec>& tools) const override {
        std::string list;
        for (const ToolSpec& t : tools) {
            list += '\n';
            list += python_json(t.openai);
        }
        return "# Tools\n\nYou have access to the following functions:\n\n<tools>" + list +
               "\n</tools>\n\nIf you choose to call a function ONLY reply in the following format "
               "with NO suffix:\n\n<tool_call>\n<function=example_function_name>\n"
               "<parameter=example_parameter_1>\nvalue_1\n</parameter>\n</function>\n</tool_call>";
    }

  private:
    static void read_function(std::string_view block, const std::vector<ToolSpec>& tools,
                              ParsedOutput& out) {
        const size_t f = block.find("<function=");
        const size_t gt = f == block.npos ? block.npos : block.find('>', f);
        if (gt == block.npos) {
            out.errors.push_back("a <tool_call> without <function=NAME>");
            return;
        }
        ToolCall call;
        call.name = trim(block.substr(f + 10, gt - f - 10));
        const ToolSpec* tool = find_tool(tools, call.name);
        size_t p = block.find("<parameter=", gt);
        while (p != block.npos) {
            const size_t name_end = block.find('>', p);
            const size_t close = block.find("</parameter>", p);
            if (name_end == block.npos || close == block.npos) {
                out.errors.push_back("a <parameter> of " + call.name + " is not closed");
                return;
            }
            const std::string key = trim(block.substr(p + 11, name_end - p - 11));
            std::string raw(block.substr(name_end + 1, close - name_end - 1));
            // The template puts one newline on each side of the value.
            if (!raw.empty() && raw.front() == '\n') raw.erase(0, 1);
            if (!raw.empty() && raw.back() == '\n') raw.pop_back();
            call.arguments[key] = typed_value(tool, key, raw);
            p = block.find("<parameter=", close);
        }
        out.calls.push_back(std::move(call));
    }
};

}  // namespace

std::unique_ptr<ToolFormat> make_qwen_xml_format() { return std::make_unique<QwenXmlFormat>(); }

}  // namespace flash::tools
