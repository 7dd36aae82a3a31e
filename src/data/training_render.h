// A dataset row rendered as flash renders it at inference, with the spans a trainer computes
// the loss on: the conversation goes through the same shaping as ToolCaller (tools described
// and calls written in the template's call format when the template has no tool support of its
// own) and the model's chat template; each assistant reply's span is found by prefix rendering
// (the conversation up to the reply with the generation prompt, then up to and including it)
// rather than by template markers, which most templates lack. So a model is trained on exactly
// the text it will read and write under flash.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "chat/chat_template.h"
#include "data/example.h"
#include "tools/tool_caller.h"

namespace flash::data {

struct RenderedSequence {
    std::string text;                              // what the model reads
    std::vector<std::pair<size_t, size_t>> spans;  // byte ranges it is trained to write
};

struct RenderedExample {
    std::string id;
    // Usually one sequence: the whole conversation, every reply a span. When the template
    // renders earlier turns differently once the conversation goes on (Qwen3 drops earlier
    // reasoning, Phi-3.5 closes the last turn differently), one sequence per reply instead:
    // the conversation up to and including that reply.
    std::vector<RenderedSequence> sequences;
};

// The row (as train.jsonl stores it) rendered; nullopt with `why` when the template cannot
// render it, renders a reply's prompt differently from the reply's turn, or drops the reply.
std::optional<RenderedExample> render_for_training(const Json& row, const ChatTemplate& tmpl,
                                                   const tools::ToolFormat& format,
                                                   std::string* why);

}  // namespace flash::data
