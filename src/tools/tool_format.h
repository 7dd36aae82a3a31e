// ToolFormat: how one model family writes tool calls — the text that opens them, the grammar
// that makes them well formed and schema-valid by construction, the parser that reads them
// back into OpenAI-shaped calls, and the prompt text for templates that know nothing of tools.
//
// Formats: hermes (<tool_call>{"name", "arguments"}</tool_call>: Qwen2.5, Qwen3, Hermes),
// qwen-xml (<tool_call><function=NAME><parameter=K>V</parameter></function></tool_call>:
// Qwen3.5), json-list (<tool_call>[{...}, ...]</tool_call>: SmolLM2), llama-json
// ({"name", "parameters"}: Llama 3.x) and pythonic ([name(key=value, ...)]: Gemma).
// Depends on grammar/ and tools/tool_spec.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "grammar/grammar.h"
#include "tools/tool_call.h"
#include "tools/tool_spec.h"

namespace flash::tools {

// How many calls the grammar allows: min..max, max < 0 for no limit.
struct CallCount {
    int min = 1;
    int max = 1;
};

class ToolFormat {
  public:
    virtual ~ToolFormat() = default;
    virtual std::string name() const = 0;

    // The text that opens the calls. With tool_choice auto the model writes free text until
    // it writes this; from there on the grammar holds.
    virtual std::string trigger() const = 0;
    // The trigger counts only as the very start of the output (pythonic "[", Llama's "{"),
    // since the same character is common in prose.
    virtual bool trigger_at_start() const { return false; }

    // Grammar of the calls section after the trigger, for these tools and this many calls.
    virtual uint32_t calls_after_trigger(grammar::GrammarBuilder& b,
                                         const std::vector<const ToolSpec*>& tools,
                                         CallCount count) const = 0;

    // Reads the calls (and the free text around them) from a model's output. Never throws on
    // malformed output: what could not be read is listed in ParsedOutput::errors.
    virtual ParsedOutput parse(std::string_view output,
                               const std::vector<ToolSpec>& tools) const = 0;

    // The calls as the model would write them, for assistant turns in a conversation whose
    // template does not render tool_calls itself.
    virtual std::string render_calls(const std::vector<ToolCall>& calls) const = 0;

    // Tool list and format instructions for the system turn, when the template has none.
    virtual std::string system_prompt(const std::vector<ToolSpec>& tools) const = 0;

    // A tool result as a turn {role, content}, when the template has no tool role of its own.
    virtual std::pair<std::string, std::string> render_result(const std::string& name,
                                                              const std::string& content) const;
};

// "hermes", "qwen-xml", "json-list", "llama-json", "pythonic"; throws flash::Error listing
// them for another name.
std::unique_ptr<ToolFormat> make_tool_format(std::string_view name);
const std::vector<std::string>& tool_format_names();

// The format a chat template writes calls in, from its source text; "" when nothing in it
// says (the caller picks a default or asks the user).
std::string detect_tool_format(std::string_view template_source);

}  // namespace flash::tools
