#include "tools/tool_call.h"

#include "core/error.h"
#include "core/json_input.h"

namespace flash::tools {

Json ToolCall::to_openai() const {
    return Json{{"id", id},
                {"type", "function"},
                {"function", Json{{"name", name}, {"arguments", arguments.dump()}}}};
}

ToolChoice ToolChoice::parse(const Json& value) {
    ToolChoice c;
    if (value.is_string()) {
        const std::string s = value.get<std::string>();
        if (s == "auto") return c;
        if (s == "none")
            c.mode = Mode::None;
        else if (s == "required" || s == "any")
            c.mode = Mode::Required;
        else if (s.empty())
            throw Error("tool_choice: empty");
        else
            c.mode = Mode::Named, c.name = s;
        return c;
    }
    if (value.is_object() && value.value("type", "") == "function" && value.contains("function") &&
        value["function"].is_object() && value["function"].contains("name") &&
        value["function"]["name"].is_string()) {
        c.mode = Mode::Named;
        c.name = value["function"]["name"].get<std::string>();
        return c;
    }
    throw Error(
        "tool_choice: expected \"auto\", \"none\", \"required\" or "
        "{\"type\": \"function\", \"function\": {\"name\": ...}}, got " +
        json_excerpt(value));
}

std::string ToolChoice::to_string() const {
    switch (mode) {
        case Mode::Auto:
            return "auto";
        case Mode::None:
            return "none";
        case Mode::Required:
            return "required";
        case Mode::Named:
            return name;
    }
    return "auto";
}

}  // namespace flash::tools
