// Checking an OpenAI-style conversation and shaping it for a chat template: roles and
// contents are validated, tool-call arguments given as JSON text become objects (templates
// index into them), every tool result must answer a call made earlier. For a template that
// knows nothing of tools, the format's tool prompt goes into the system turn and calls and
// results are written out as the model would see them. Depends on tools/tool_format.h.
#pragma once

#include <vector>

#include "tools/tool_call.h"
#include "tools/tool_format.h"
#include "tools/tool_spec.h"

namespace flash::tools {

struct PreparedConversation {
    Json messages = Json::array();  // ready for the template's `messages`
    Json tools;                     // for the template's `tools`; null when not passed
    int earlier_calls = 0;          // tool calls already in the conversation (for new ids)
};

// Throws flash::Error naming the message ("messages[3]: a tool result for unknown call id
// 'call_9'") for anything malformed. `offer_tools` false leaves the tools out entirely
// (tool_choice "none").
PreparedConversation prepare_conversation(const Json& messages, const std::vector<ToolSpec>& tools,
                                          const ToolFormat& format, bool template_renders_tools,
                                          bool offer_tools);

// The same checks without shaping anything, so a caller can reject a bad conversation before
// loading a model.
void check_conversation(const Json& messages);

}  // namespace flash::tools
