#include "data/example.h"

namespace flash::data {

namespace {

// Every message with the same four keys (null where they do not apply), as a columnar loader
// reads them back anyway: one struct type for the whole column.
Json uniform_messages(const Json& messages) {
    Json out = Json::array();
    for (const Json& m : messages)
        out.push_back(Json{{"role", m.at("role")},
                           {"content", m.value("content", Json())},
                           {"tool_calls", m.value("tool_calls", Json())},
                           {"tool_call_id", m.value("tool_call_id", Json())}});
    return out;
}

}  // namespace

Json Example::to_json() const {
    return Json{{"id", id},
                {"family", family},
                {"kind", kind},
                {"source", source},
                {"messages", uniform_messages(messages)},
                {"tools", tools.is_null() ? std::string("[]") : tools.dump()},
                {"checks", checks},
                {"verifier", verifier.is_null() ? std::string() : verifier.dump()}};
}

Json Example::to_state() const {
    Json j = to_json();
    j["group"] = group;
    j["context"] = context;
    return j;
}

Example Example::from_state(const Json& j) {
    Example e;
    e.id = j.at("id").get<std::string>();
    e.family = j.at("family").get<std::string>();
    e.kind = j.at("kind").get<std::string>();
    e.source = j.at("source").get<std::string>();
    e.group = j.at("group").get<std::string>();
    e.messages = compact_messages(j.at("messages"));
    const std::string tools = j.at("tools").get<std::string>();
    if (tools != "[]") e.tools = Json::parse(tools);
    e.checks = j.at("checks").get<std::vector<std::string>>();
    const std::string verifier = j.at("verifier").get<std::string>();
    if (!verifier.empty()) e.verifier = Json::parse(verifier);
    e.context = j.value("context", Json());
    return e;
}

Json compact_messages(const Json& messages) {
    Json out = Json::array();
    for (const Json& m : messages) {
        Json message = Json::object();
        for (const auto& [key, value] : m.items())
            if (!value.is_null() || key == "content") message[key] = value;
        out.push_back(std::move(message));
    }
    return out;
}

std::string example_text(const Example& example) {
    std::string text;
    for (const Json& m : example.messages) {
        if (m.contains("content") && m["content"].is_string())
            text += m["content"].get<std::string>() + "\n";
        if (m.contains("tool_calls"))
            for (const Json& c : m["tool_calls"]) text += c["function"]["arguments"].dump() + "\n";
    }
    return text;
}

}  // namespace flash::data
