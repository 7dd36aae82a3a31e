#include "chat/chat_template.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "chat/builtin_templates.h"
#include "chat/jinja/template.h"
#include "core/error.h"
#include "core/text_file.h"

namespace flash {
namespace {

// The stop text of an assistant turn, from the markers the template writes.
std::string end_of_turn_for(const std::string& source, const std::string& eos) {
    for (const char* marker : {"<|im_end|>", "<end_of_turn>", "<|eot_id|>", "<|end|>",
                               "<turn|>", "<|end_of_text|>"})
        if (source.find(marker) != std::string::npos) return marker;
    return eos;
}

std::string known_choices() {
    std::string out;
    for (const std::string& n : ChatTemplate::builtin_names()) out += n + ", ";
    return out + "raw, or a .jinja file";
}

std::string token_text(const GgufFile& gguf, const char* key) {
    const auto id = gguf.get_int(key);
    const auto* tokens = gguf.get_string_array("tokenizer.ggml.tokens");
    if (!id || !tokens || *id < 0 || static_cast<size_t>(*id) >= tokens->size()) return "";
    return std::string((*tokens)[*id]);
}

}  // namespace

std::vector<std::string> ChatTemplate::builtin_names() {
    std::vector<std::string> names;
    for (const auto& t : chat_detail::builtin_templates()) names.push_back(t.name);
    return names;
}

std::string ChatTemplate::choice_flag() {
    std::string out = "--chat-template ";
    for (const std::string& n : builtin_names()) out += n + "|";
    return out + "FILE.jinja";
}

ChatTemplate ChatTemplate::raw() { return ChatTemplate(); }

ChatTemplate ChatTemplate::from_source(const std::string& source, const std::string& name,
                                       const std::string& bos_token, const std::string& eos_token) {
    ChatTemplate t;
    try {
        t.tmpl_ = std::make_shared<const jinja::Template>(jinja::Template::parse(source));
    } catch (const Error& e) {
        throw Error("chat template '" + name + "': " + e.what());
    }
    t.name_ = name;
    t.source_ = source;
    t.bos_ = bos_token;
    t.eos_ = eos_token;
    t.end_of_turn_ = end_of_turn_for(source, eos_token);
    t.renders_tools_ = source.find("tools") != std::string::npos;
    return t;
}

ChatTemplate ChatTemplate::from_gguf(const GgufFile& gguf, const std::string& choice,
                                     const std::string& how_to_choose) {
    const std::string bos = token_text(gguf, "tokenizer.ggml.bos_token_id");
    const std::string eos = token_text(gguf, "tokenizer.ggml.eos_token_id");
    if (choice == "raw") return raw();
    if (!choice.empty()) {
        for (const auto& t : chat_detail::builtin_templates())
            if (t.name == choice) return from_source(t.source, t.name, bos, eos);
        if (std::filesystem::is_regular_file(choice))
            return from_source(read_text_file(choice, "chat template"), choice, bos, eos);
        throw Error("unknown chat template '" + choice + "' (known: " + known_choices() + ")");
    }
    const auto source = gguf.get_string("tokenizer.chat_template");
    // Only the caller knows its flags: `flash serve` has no --raw to suggest, `flash run` has.
    if (!source || source->empty())
        throw Error(gguf.path() +
                    ": the model has no chat template (tokenizer.chat_template), so "
                    "it may be a base model: " +
                    (how_to_choose.empty() ? "choose one with " + choice_flag() : how_to_choose));
    return from_source(std::string(*source), "the model's template", bos, eos);
}

std::string ChatTemplate::render(const Json& messages, const Json& tools,
                                 bool add_generation_prompt, const Json& extra) const {
    if (!tmpl_) {
        std::string out;
        for (const Json& m : messages)
            if (m.contains("content") && m["content"].is_string()) out += m["content"].get<std::string>();
        return out;
    }
    Json context = extra.is_object() ? extra : Json::object();
    context["messages"] = messages;
    if (!tools.is_null()) context["tools"] = tools;
    context["add_generation_prompt"] = add_generation_prompt;
    context["bos_token"] = bos_;
    context["eos_token"] = eos_;
    return tmpl_->render(context);
}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages,
                                 bool add_generation_prompt) const {
    Json list = Json::array();
    for (const ChatMessage& m : messages) list.push_back(Json{{"role", m.role}, {"content", m.content}});
    return render(list, Json(), add_generation_prompt);
}

}  // namespace flash
