// Turning a conversation into the prompt text a model was trained on. For now: ChatML
// (SmolLM2, Qwen) and Gemma's turns, detected from the GGUF's tokenizer.chat_template, and raw
// text. The tool-calling work replaces detection with a Jinja interpreter over the real
// template.
// Depends on core/.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/gguf.h"

namespace flash {

struct ChatMessage {
    std::string role;  // "system", "user", "assistant"
    std::string content;
};

enum class ChatFormat { ChatML, Gemma, Raw };

struct ChatTemplate {
    ChatFormat format = ChatFormat::Raw;
    // System prompt the model's template inserts when the conversation has none.
    std::optional<std::string> default_system;

    // Picks the format from tokenizer.chat_template; `override_name` ("chatml", "gemma",
    // "raw") wins.
    // Throws flash::Error for an unknown override or a template flash cannot render yet.
    static ChatTemplate from_gguf(const GgufFile& gguf, const std::string& override_name = "");

    // The prompt for `messages`, ending with the assistant's turn opener when asked.
    std::string render(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const;
    // Text that ends an assistant turn, used as a stop string ("<|im_end|>" for ChatML).
    // Empty for raw prompts.
    std::string end_of_turn() const;
};

}  // namespace flash
