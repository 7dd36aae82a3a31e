#include "tools/conversation.h"

#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json_input.h"

namespace flash::tools {
namespace {

// Content as text: a string, null, or OpenAI's list of {"type": "text", "text": ...} parts.
std::string content_text(const Json& m, const std::string& where) {
    if (!m.contains("content") || m["content"].is_null()) return "";
    const Json& c = m["content"];
    if (c.is_string()) return c.get<std::string>();
    if (c.is_array()) {
        std::string out;
        for (const Json& part : c) {
            if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") ||
                !part["text"].is_string())
                throw Error(where +
                            ".content: only text parts ({\"type\": \"text\", \"text\": ...}) "
                            "are supported");
            out += part["text"].get<std::string>();
        }
        return out;
    }
    throw Error(where + ".content: must be a string, null or a list of text parts");
}

ToolCall read_call(const Json& c, const std::string& where) {
    if (!c.is_object() || !c.contains("function") || !c["function"].is_object())
        throw Error(where + ": expected {\"id\", \"type\": \"function\", \"function\": {...}}");
    const Json& fn = c["function"];
    if (!fn.contains("name") || !fn["name"].is_string())
        throw Error(where + ".function.name: missing or not a string");
    ToolCall call;
    call.name = fn["name"].get<std::string>();
    call.id = c.contains("id") && c["id"].is_string() ? c["id"].get<std::string>() : "";
    if (call.id.empty()) throw Error(where + ".id: missing (tool results refer to calls by id)");
    if (fn.contains("arguments")) {
        Json args = fn["arguments"];
        if (args.is_string()) {
            args = parse_json<Json>(args.get<std::string>(), where + ".function.arguments");
        }
        if (!args.is_object()) throw Error(where + ".function.arguments: must be a JSON object");
        call.arguments = std::move(args);
    }
    return call;
}

}  // namespace

PreparedConversation prepare_conversation(const Json& messages, const std::vector<ToolSpec>& tools,
                                          const ToolFormat& format, bool template_renders_tools,
                                          bool offer_tools) {
    if (!messages.is_array() || messages.empty())
        throw Error("messages: must be a non-empty array of {\"role\", \"content\"}");
    PreparedConversation out;
    std::map<std::string, std::string> call_names;  // id -> function name
    const bool inline_tools = offer_tools && !tools.empty() && !template_renders_tools;
    if (offer_tools && !tools.empty() && template_renders_tools) {
        out.tools = Json::array();
        for (const ToolSpec& t : tools) out.tools.push_back(t.openai);
    }
    std::string system_prefix = inline_tools ? format.system_prompt(tools) : "";
    // Calls of the last assistant turn still waiting for their results: as in OpenAI's API,
    // every call must be answered by a tool message before the conversation moves on.
    std::vector<std::string> unanswered;
    for (size_t i = 0; i < messages.size(); ++i) {
        const std::string where = "messages[" + std::to_string(i) + "]";
        const Json& m = messages[i];
        if (!m.is_object() || !m.contains("role") || !m["role"].is_string())
            throw Error(where + ": expected an object with a \"role\"");
        const std::string role = m["role"].get<std::string>();
        const std::string text = content_text(m, where);
        if (role != "tool" && !unanswered.empty()) {
            std::string ids;
            for (const std::string& id : unanswered) ids += (ids.empty() ? "'" : ", '") + id + "'";
            throw Error(where + ": " + std::string(role == "assistant" ? "an " : "a ") + role +
                        " message cannot follow an assistant message with tool_calls until "
                        "every call has a tool result (missing: " +
                        ids + ")");
        }
        if (role == "system" || role == "developer") {
            if (i != 0) throw Error(where + ": a system message must come first");
            const std::string merged =
                system_prefix.empty() ? text : system_prefix + (text.empty() ? "" : "\n\n" + text);
            out.messages.push_back(Json{{"role", "system"}, {"content", merged}});
            system_prefix.clear();
        } else if (role == "user") {
            out.messages.push_back(Json{{"role", "user"}, {"content", text}});
        } else if (role == "assistant") {
            std::vector<ToolCall> calls;
            if (m.contains("tool_calls") && !m["tool_calls"].is_null()) {
                if (!m["tool_calls"].is_array())
                    throw Error(where + ".tool_calls: must be an array");
                for (size_t k = 0; k < m["tool_calls"].size(); ++k) {
                    const std::string cw = where + ".tool_calls[" + std::to_string(k) + "]";
                    ToolCall call = read_call(m["tool_calls"][k], cw);
                    if (!call_names.emplace(call.id, call.name).second)
                        throw Error(cw + ".id: '" + call.id +
                                    "' is used twice in the conversation");
                    unanswered.push_back(call.id);
                    calls.push_back(std::move(call));
                }
            }
            out.earlier_calls += static_cast<int>(calls.size());
            Json msg{{"role", "assistant"}, {"content", text}};
            if (!calls.empty()) {
                if (template_renders_tools) {
                    Json list = Json::array();
                    for (const ToolCall& c : calls)
                        list.push_back(
                            Json{{"id", c.id},
                                 {"type", "function"},
                                 {"function", Json{{"name", c.name}, {"arguments", c.arguments}}}});
                    msg["tool_calls"] = std::move(list);
                } else {
                    msg["content"] = (text.empty() ? "" : text + "\n") + format.render_calls(calls);
                }
            }
            out.messages.push_back(std::move(msg));
        } else if (role == "tool") {
            if (!m.contains("tool_call_id") || !m["tool_call_id"].is_string())
                throw Error(where + ".tool_call_id: missing (which call does this result answer?)");
            const std::string id = m["tool_call_id"].get<std::string>();
            const auto call = call_names.find(id);
            if (call == call_names.end())
                throw Error(where + ": a tool result for unknown call id '" + id +
                            "' (no earlier assistant message made a call with that id)");
            std::erase(unanswered, id);
            if (template_renders_tools) {
                out.messages.push_back(Json{{"role", "tool"},
                                            {"tool_call_id", id},
                                            {"name", call->second},
                                            {"content", text}});
            } else {
                auto [r, c] = format.render_result(call->second, text);
                out.messages.push_back(Json{{"role", r}, {"content", c}});
            }
        } else {
            throw Error(where + ".role: '" + role +
                        "' is not one of system, user, assistant, tool");
        }
    }
    if (!system_prefix.empty())
        out.messages.insert(out.messages.begin(),
                            Json{{"role", "system"}, {"content", system_prefix}});
    return out;
}

void check_conversation(const Json& messages) {
    prepare_conversation(messages, {}, *make_tool_format("hermes"), /*template_renders_tools=*/true,
                         /*offer_tools=*/false);
}

}  // namespace flash::tools
