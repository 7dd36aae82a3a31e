#include "data/training_render.h"

#include "core/error.h"
#include "tools/conversation.h"
#include "tools/tool_spec.h"

namespace flash::data {
namespace {

// Whether `span` shows the assistant `message`: each called function's name, or the start of
// its text (templates may trim the ends).
bool holds_reply(const std::string& span, const Json& message) {
    if (const auto calls = message.find("tool_calls");
        calls != message.end() && calls->is_array()) {
        for (const Json& c : *calls)
            if (span.find(c.at("function").at("name").get<std::string>()) == std::string::npos)
                return false;
        return true;
    }
    const Json& content = message.at("content");
    if (!content.is_string()) return true;
    std::string text = content.get<std::string>();
    const size_t first = text.find_first_not_of(" \n\t");
    if (first == std::string::npos) return true;
    return span.find(text.substr(first, 30)) != std::string::npos;
}

}  // namespace

std::optional<RenderedExample> render_for_training(const Json& row, const ChatTemplate& tmpl,
                                                   const tools::ToolFormat& format,
                                                   std::string* why) {
    const Json messages = compact_messages(row.at("messages"));
    const std::string tools_text = row.value("tools", std::string("[]"));
    const std::vector<tools::ToolSpec> specs = tools::parse_tools(Json::parse(tools_text));
    auto render = [&](size_t count, bool generation_prompt) {
        Json part = Json::array();
        for (size_t i = 0; i < count; ++i) part.push_back(messages[i]);
        const tools::PreparedConversation conv =
            tools::prepare_conversation(part, specs, format, tmpl.renders_tools(), !specs.empty());
        return tmpl.render(conv.messages, conv.tools, generation_prompt);
    };
    RenderedExample out;
    out.id = row.value("id", "");
    try {
        const std::string whole = render(messages.size(), false);
        RenderedSequence one{whole, {}};
        std::vector<RenderedSequence> per_reply;
        bool consistent = true;
        for (size_t k = 0; k < messages.size(); ++k) {
            if (messages[k].value("role", "") != "assistant") continue;
            const std::string before = render(k, true);
            std::string through = render(k + 1, false);
            if (through.compare(0, before.size(), before) != 0 || through.size() <= before.size()) {
                if (why) *why = "the template renders the reply's prompt differently from its turn";
                return std::nullopt;
            }
            // The span must hold the reply: some templates drop an assistant turn's tool calls
            // (Granite 3.3 renders only `content`), and training on that would teach silence.
            if (!holds_reply(through.substr(before.size()), messages[k])) {
                if (why) *why = "the template drops or rewrites the reply";
                return std::nullopt;
            }
            consistent = consistent && whole.compare(0, through.size(), through) == 0;
            one.spans.push_back({before.size(), through.size()});
            const size_t end = through.size();
            per_reply.push_back({std::move(through), {{before.size(), end}}});
        }
        if (one.spans.empty()) {
            if (why) *why = "no assistant reply";
            return std::nullopt;
        }
        if (consistent)
            out.sequences.push_back(std::move(one));
        else
            out.sequences = std::move(per_reply);
    } catch (const Error& e) {
        if (why) *why = std::string("the template refused it: ") + e.what();
        return std::nullopt;
    }
    return out;
}

}  // namespace flash::data
