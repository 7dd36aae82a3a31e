#include "tools/tool_caller.h"

#include "core/error.h"
#include "grammar/compiled_grammar.h"
#include "tools/call_grammar.h"
#include "tools/conversation.h"
#include "turn/grammar_constraint.h"

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
    : session_(session),
      template_(std::move(chat_template)),
      format_(format ? std::move(format) : format_for_template(template_)),
      vocab_(grammar::TokenVocabulary::from_tokenizer(session.tokenizer())) {
    if (template_.is_raw()) throw Error("tool calling needs a chat template, not raw text");
}

std::string ToolCaller::prompt(const ToolRequest& request) const {
    const bool offer = request.choice.mode != ToolChoice::Mode::None;
    const PreparedConversation conv = prepare_conversation(
        request.messages, request.tools, *format_, template_.renders_tools(), offer);
    return template_.render(conv.messages, conv.tools, true, request.template_variables);
}

ToolResponse ToolCaller::respond(const ToolRequest& request,
                                 const std::function<bool(std::string_view)>& on_text) {
    const bool offer = request.choice.mode != ToolChoice::Mode::None;
    const PreparedConversation conv = prepare_conversation(
        request.messages, request.tools, *format_, template_.renders_tools(), offer);
    const std::string text =
        template_.render(conv.messages, conv.tools, true, request.template_variables);

    GenerateOptions gen = request.generation;
    if (const std::string eot = template_.end_of_turn(); !eot.empty()) gen.stop.push_back(eot);
    std::unique_ptr<turn::GrammarConstraint> constraint;
    if (request.constrained && offer) {
        if (auto g = tool_call_grammar(*format_, request.tools, request.choice, request.parallel)) {
            constraint = std::make_unique<turn::GrammarConstraint>(
                grammar::CompiledGrammar::compile(*g), vocab_, &session_.tokenizer());
            constraint->attach(gen);
        }
    }
    ToolResponse r;
    r.raw = session_.generate(session_.tokenizer().encode_prompt(text), gen, on_text, &r.stats);
    if (!offer) {
        r.content = r.raw;
        r.finish_reason = finish_reason(r.stats.stop_reason);
        return r;
    }
    ParsedOutput parsed = format_->parse(r.raw, request.tools);
    r.content = std::move(parsed.content);
    r.attempted = parsed.attempted;
    r.problems = std::move(parsed.errors);
    int next_id = conv.earlier_calls;
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
    if (constraint && r.attempted && !constraint->complete())
        r.problems.push_back("generation stopped (" + std::string(to_string(r.stats.stop_reason)) +
                             ") before the tool call was finished");
    // "context" is "length" here too, as in the server: one mapping (runtime/session.h).
    r.finish_reason = !r.calls.empty() ? "tool_calls" : finish_reason(r.stats.stop_reason);
    return r;
}

}  // namespace flash::tools
