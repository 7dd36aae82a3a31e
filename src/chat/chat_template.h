// ChatTemplate: turning a conversation into the prompt text a model was trained on, by
// running the model's own Jinja chat template (GGUF tokenizer.chat_template) the way Hugging
// Face transformers does, or a built-in one chosen by name, or plain text (raw).
// Depends on core/ and chat/jinja/.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/gguf.h"

namespace flash {

namespace jinja {
class Template;
}

struct ChatMessage {
    std::string role;  // "system", "user", "assistant", "tool"
    std::string content;
};

class ChatTemplate {
  public:
    using Json = nlohmann::ordered_json;

    // The model's template, or `choice` when given: a built-in name (see builtin_names()),
    // "raw", or a path to a .jinja file. A model without a template is an error that says
    // how to choose one: `how_to_choose` when the caller has other ways (run's --raw), else
    // "choose one with " + choice_flag(), which every command that renders chats has.
    static ChatTemplate from_gguf(const GgufFile& gguf, const std::string& choice = "",
                                  const std::string& how_to_choose = "");
    // "--chat-template chatml|gemma|llama3|FILE.jinja"
    static std::string choice_flag();
    // From template text; bos/eos are the strings the template may print.
    static ChatTemplate from_source(const std::string& source, const std::string& name,
                                    const std::string& bos_token = "",
                                    const std::string& eos_token = "");
    static ChatTemplate raw();
    static std::vector<std::string> builtin_names();

    // Renders OpenAI-shaped messages (and tools, when not null) with add_generation_prompt;
    // `extra` members become further template variables (enable_thinking, ...). Errors
    // raised by the template (raise_exception) come back as flash::Error with its message.
    std::string render(const Json& messages, const Json& tools, bool add_generation_prompt,
                       const Json& extra = Json::object()) const;
    std::string render(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const;

    // Text that ends an assistant turn, used as a stop string; empty for raw prompts.
    std::string end_of_turn() const { return end_of_turn_; }
    bool is_raw() const { return !tmpl_; }
    // Whether the template reads `tools` (and so renders tool lists and calls itself).
    bool renders_tools() const { return renders_tools_; }
    const std::string& name() const { return name_; }
    const std::string& source() const { return source_; }

  private:
    std::shared_ptr<const jinja::Template> tmpl_;
    std::string name_ = "raw";
    std::string source_;
    std::string bos_, eos_;
    std::string end_of_turn_;
    bool renders_tools_ = false;
};

}  // namespace flash
