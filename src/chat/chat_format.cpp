#include "chat/chat_format.h"

#include <utility>

#include "core/error.h"

namespace flash {
namespace {

constexpr std::string_view kImStart = "<|im_start|>";
constexpr std::string_view kImEnd = "<|im_end|>";
constexpr std::string_view kTurnStart = "<start_of_turn>";
constexpr std::string_view kTurnEnd = "<end_of_turn>";

// ChatML templates that insert a default system turn spell it out as a literal.
std::optional<std::string> chatml_default_system(std::string_view tmpl) {
    const std::string opener = std::string(kImStart) + "system\n";
    const size_t at = tmpl.find(opener);
    if (at == std::string_view::npos) return std::nullopt;
    const size_t begin = at + opener.size();
    const size_t end = tmpl.find(kImEnd, begin);
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view text = tmpl.substr(begin, end - begin);
    // A template that builds the system turn from variables has no literal default.
    if (text.find('{') != std::string_view::npos || text.find('\'') != std::string_view::npos) return std::nullopt;
    return std::string(text);
}

}  // namespace

ChatTemplate ChatTemplate::from_gguf(const GgufFile& gguf, const std::string& override_name) {
    ChatTemplate t;
    const std::string_view tmpl = gguf.get_string("tokenizer.chat_template").value_or("");
    std::string name = override_name;
    if (name.empty()) {
        if (tmpl.find(kImStart) != std::string_view::npos) name = "chatml";
        if (tmpl.find(kTurnStart) != std::string_view::npos) name = "gemma";
    }
    if (name == "raw") return t;
    if (name == "chatml") {
        t.format = ChatFormat::ChatML;
        t.default_system = chatml_default_system(tmpl);
        return t;
    }
    if (name == "gemma") {
        t.format = ChatFormat::Gemma;
        return t;
    }
    if (!override_name.empty())
        throw Error("unknown chat template '" + override_name + "' (known: chatml, gemma, raw)");
    if (tmpl.empty())
        throw Error(gguf.path() + ": the model has no chat template (tokenizer.chat_template), so it may be a base "
                    "model: use --raw for plain text completion, or --chat-template chatml|gemma");
    throw Error(gguf.path() + ": flash cannot render this model's chat template yet; use --raw or "
                "--chat-template chatml|gemma");
}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const {
    std::string out;
    switch (format) {
        case ChatFormat::Raw:
            for (const ChatMessage& m : messages) out += m.content;
            return out;
        case ChatFormat::ChatML: {
            auto turn = [&](std::string_view role, std::string_view content) {
                out.append(kImStart).append(role).append("\n").append(content).append(kImEnd).append("\n");
            };
            if (default_system && (messages.empty() || messages.front().role != "system")) turn("system", *default_system);
            for (const ChatMessage& m : messages) turn(m.role, m.content);
            if (add_generation_prompt) out.append(kImStart).append("assistant\n");
            return out;
        }
        case ChatFormat::Gemma: {
            // Gemma has user and model turns only; a system message opens the first user turn.
            std::string pending_system;
            for (const ChatMessage& m : messages) {
                if (m.role == "system") {
                    pending_system += m.content + "\n\n";
                    continue;
                }
                const std::string_view role = m.role == "assistant" ? "model" : std::string_view(m.role);
                out.append(kTurnStart).append(role).append("\n");
                if (m.role == "user") out.append(std::exchange(pending_system, {}));
                out.append(m.content).append(kTurnEnd).append("\n");
            }
            if (add_generation_prompt) out.append(kTurnStart).append("model\n");
            return out;
        }
    }
    return out;
}

std::string ChatTemplate::end_of_turn() const {
    switch (format) {
        case ChatFormat::ChatML: return std::string(kImEnd);
        case ChatFormat::Gemma: return std::string(kTurnEnd);
        case ChatFormat::Raw: return "";
    }
    return "";
}

}  // namespace flash
