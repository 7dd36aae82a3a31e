// ToolCaller: one assistant turn with tools — the conversation rendered through the chat
// template, generation under the tool-call grammar (unless constraints are off), and the
// output read back into OpenAI-shaped tool_calls, each checked against its schema. The one
// function the CLI, the server and the evaluation share.
// Depends on chat/, grammar/, runtime/ and tools/.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chat/chat_template.h"
#include "grammar/vocabulary.h"
#include "runtime/session.h"
#include "tools/tool_call.h"
#include "tools/tool_format.h"
#include "tools/tool_spec.h"
#include "turn/turn.h"

namespace flash::tools {

struct ToolRequest {
    Json messages = Json::array();  // OpenAI chat messages
    std::vector<ToolSpec> tools;
    ToolChoice choice;
    bool parallel = true;     // parallel_tool_calls
    bool constrained = true;  // false: free generation, calls parsed from whatever comes out
    GenerateOptions generation;
    Json template_variables = Json::object();  // enable_thinking and the like
};

struct ToolResponse {
    std::string content;          // text outside the calls
    std::vector<ToolCall> calls;  // well-formed calls to offered functions (ids assigned)
    // Why output was not accepted as calls: malformed syntax, unknown function, arguments
    // that break the schema. Never silently passed on: a call with a problem is left out.
    std::vector<std::string> problems;
    // Kept calls with something to know: a value that reached a length cap.
    std::vector<std::string> warnings;
    bool attempted = false;     // the output contained tool-call syntax
    std::string raw;            // the model's output as generated
    std::string finish_reason;  // "tool_calls", "stop", "length"
    GenerationStats stats;

    // {"role": "assistant", "content": ..., "tool_calls": [...]} as OpenAI returns it.
    Json message() const;
};

// A request made ready once (turn::Turn::prepare): its prompt tokens and call grammar.
struct PreparedCall {
    turn::PreparedTurn turn;
    bool offered = false;   // tools are on offer (tool_choice is not "none")
    int earlier_calls = 0;  // calls already in the conversation (new ids follow them)
};

class ToolCaller {
  public:
    // `format` null: the one detected from the template (json-list for SmolLM2's, pythonic
    // for Gemma's, hermes otherwise).
    ToolCaller(Session& session, ChatTemplate chat_template,
               std::unique_ptr<ToolFormat> format = nullptr);
    // Sharing a Turn (and so its grammar vocabulary) with other callers on other sessions.
    ToolCaller(Session& session, turn::Turn turn, std::unique_ptr<ToolFormat> format = nullptr);

    const ToolFormat& format() const { return *format_; }
    const ChatTemplate& chat_template() const { return turn_.chat_template(); }

    // The prompt text the model sees for this request.
    std::string prompt(const ToolRequest& request) const;
    // The grammar calls are generated under: null when tools are not offered or constraints
    // are off. Throws flash::Error for a schema it cannot enforce.
    std::shared_ptr<const grammar::CompiledGrammar> call_grammar(const ToolRequest& request) const;
    // Renders and encodes the request, with call_grammar(). Needs no session.
    PreparedCall prepare(const ToolRequest& request) const;
    // The same with a grammar of the caller's choosing (a response_format; null: none).
    PreparedCall prepare(const ToolRequest& request,
                         std::shared_ptr<const grammar::CompiledGrammar> grammar) const;
    ToolResponse respond(const ToolRequest& request,
                         const std::function<bool(std::string_view)>& on_text = {});
    // Runs what prepare() made of the same request.
    ToolResponse respond(const ToolRequest& request, const PreparedCall& prepared,
                         const std::function<bool(std::string_view)>& on_text = {});

  private:
    turn::Prompt turn_prompt(const ToolRequest& request, int* earlier_calls = nullptr) const;

    Session& session_;
    turn::Turn turn_;
    std::unique_ptr<ToolFormat> format_;
};

// The format for a template: detected from its source, else hermes.
std::unique_ptr<ToolFormat> format_for_template(const ChatTemplate& chat_template);

}  // namespace flash::tools
