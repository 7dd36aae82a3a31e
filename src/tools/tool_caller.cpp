#include "tools/tool_caller.h"

#include "core/error.h"
#include "grammar/compiled_grammar.h"
#include "tools/call_grammar.h"
#include "tools/conversation.h"

namespace flash::tools {

std::unique_ptr<ToolFormat> format_for_template(const ChatTemplate& chat_template) {
    std::string name = detect_tool_format(chat_template.source());
    if (name.empty() && chat_template.name() == "gemma") name = "pythonic";
    return make_tool_format(name.empty() ? "hermes" : name);
}

Json ToolResponse::message() const {
    Json m{{"role", "assistant"},
           {"content", content.empty() && !calls.empty() ? Json() : Json(content)}};
    if (!calls.empty()) {
        Json list = Json::array();
        for (const ToolCall& c : calls) list.push_back(c.to_openai());
        m["tool_calls"] = std::move(list);
    }
    return m;
}

ToolCaller::ToolCaller(Session& session, ChatTemplate chat_template,
                       std::unique_ptr<ToolFormat> format)
    : ToolCaller(session, turn::Turn(std::move(chat_template), session.tokenizer()),
                 std::move(format)) {}

ToolCaller::ToolCaller(Session& session, turn::Turn turn, std::unique_ptr<ToolFormat> format)
    : session_(session),
      turn_(std::move(turn)),
      format_(format ? std::move(format) : format_for_template(turn_.chat_template())) {
    if (turn_.chat_template().is_raw())
        throw Error("tool calling needs a chat template, not raw text");
}

turn::Prompt ToolCaller::turn_prompt(const ToolRequest& request, int* earlier_calls) const {
    const bool offer = request.choice.mode != ToolChoice::Mode::None;
    PreparedConversation conv = prepare_conversation(request.messages, request.tools, *format_,
                                                     turn_.chat_template().renders_tools(), offer);
    if (earlier_calls) *earlier_calls = conv.earlier_calls;
    turn::Prompt p;
    p.messages = std::move(conv.messages);
    p.tools = std::move(conv.tools);
    p.variables = request.template_variables;
    return p;
}

std::string ToolCaller::prompt(const ToolRequest& request) const {
    return turn_.render(turn_prompt(request));
}

std::shared_ptr<const grammar::CompiledGrammar> ToolCaller::call_grammar(
    const ToolRequest& request) const {
    if (!request.constrained || request.choice.mode == ToolChoice::Mode::None) return nullptr;
    const auto g = tool_call_grammar(*format_, request.tools, request.choice, request.parallel);
    return g ? grammar::CompiledGrammar::compile(*g) : nullptr;
}

PreparedCall ToolCaller::prepare(const ToolRequest& request) const {
    return prepare(request, call_grammar(request));
}

PreparedCall ToolCaller::prepare(const ToolRequest& request,
                                 std::shared_ptr<const grammar::CompiledGrammar> grammar) const {
    PreparedCall p;
    p.offered = request.choice.mode != ToolChoice::Mode::None;
    p.turn = turn_.prepare(turn_prompt(request, &p.earlier_calls), std::move(grammar));
    return p;
}

ToolResponse ToolCaller::respond(const ToolRequest& request,
                                 const std::function<bool(std::string_view)>& on_text) {
    return respond(request, prepare(request), on_text);
}

ToolResponse ToolCaller::respond(const ToolRequest& request, const PreparedCall& prepared,
                                 const std::function<bool(std::string_view)>& on_text) {
    turn::TurnOutput out = turn_.run(session_, prepared.turn, request.generation, on_text);
    ToolResponse r;
    r.raw = std::move(out.text);
    r.stats = out.stats;
    if (!prepared.offered) {
        r.content = r.raw;
        r.finish_reason = finish_reason(r.stats.stop_reason);
        return r;
    }
    ParsedOutput parsed = format_->parse(r.raw, request.tools);
    r.content = std::move(parsed.content);
    r.attempted = parsed.attempted;
    r.problems = std::move(parsed.errors);
    int next_id = prepared.earlier_calls;
    for (ToolCall& call : parsed.calls) {
        const ToolSpec* tool = find_tool(request.tools, call.name);
        std::string why;
        if (!tool) {
            r.problems.push_back("call to unknown function '" + call.name + "'");
        } else if (!arguments_valid(*tool, call.arguments, &why)) {
            r.problems.push_back(call.name + ": " + why);
        } else {
            if (const std::string capped = capped_value(*tool, call.arguments); !capped.empty())
                r.warnings.push_back(capped);
            call.id = "call_" + std::to_string(++next_id);
            r.calls.push_back(std::move(call));
        }
    }
    if (!request.parallel && r.calls.size() > 1) {
        r.problems.push_back("parallel_tool_calls is off but " + std::to_string(r.calls.size()) +
                             " calls were made; only the first is kept");
        r.calls.resize(1);
    }
    if (out.constrained && r.attempted && !out.complete)
        r.problems.push_back("generation stopped (" + std::string(to_string(r.stats.stop_reason)) +
                             ") before the tool call was finished");
    // "context" is "length" here too, as in the server: one mapping (runtime/session.h).
    r.finish_reason = !r.calls.empty() ? "tool_calls" : finish_reason(r.stats.stop_reason);
    return r;
}

}  // namespace flash::tools
