#include "chat/chat_format.h"

#include "core/error.h"

namespace flash {
namespace {

constexpr std::string_view kImStart = "<|im_start|>";
constexpr std::string_view kImEnd = "<|im_end|>";

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
    if (override_name == "raw") return t;
    if (override_name == "chatml" || (override_name.empty() && tmpl.find(kImStart) != std::string_view::npos)) {
        t.format = ChatFormat::ChatML;
        t.default_system = chatml_default_system(tmpl);
        return t;
    }
    if (!override_name.empty())
        throw Error("unknown chat template '" + override_name + "' (known: chatml, raw)");
    if (tmpl.empty())
        throw Error(gguf.path() + ": the model has no chat template (tokenizer.chat_template); pass "
                    "--chat-template chatml|raw");
    throw Error(gguf.path() + ": this model's chat template is not ChatML and flash cannot render it yet; pass "
                "--chat-template chatml|raw");
}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const {
    std::string out;
    if (format == ChatFormat::Raw) {
        for (const ChatMessage& m : messages) out += m.content;
        return out;
    }
    auto turn = [&](std::string_view role, std::string_view content) {
        out.append(kImStart).append(role).append("\n").append(content).append(kImEnd).append("\n");
    };
    if (default_system && (messages.empty() || messages.front().role != "system")) turn("system", *default_system);
    for (const ChatMessage& m : messages) turn(m.role, m.content);
    if (add_generation_prompt) out.append(kImStart).append("assistant\n");
    return out;
}

std::string ChatTemplate::end_of_turn() const { return format == ChatFormat::ChatML ? std::string(kImEnd) : ""; }

}  // namespace flash
