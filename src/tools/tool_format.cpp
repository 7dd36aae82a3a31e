#include "tools/tool_format.h"

#include "core/error.h"
#include "tools/formats.h"

namespace flash::tools {

std::pair<std::string, std::string> ToolFormat::render_result(const std::string&,
                                                              const std::string& content) const {
    return {"user", "<tool_response>\n" + content + "\n</tool_response>"};
}

const std::vector<std::string>& tool_format_names() {
    static const std::vector<std::string> names = {"hermes", "qwen-xml", "json-list", "llama-json",
                                                   "pythonic"};
    return names;
}

std::unique_ptr<ToolFormat> make_tool_format(std::string_view name) {
    if (name == "hermes") return make_hermes_format();
    if (name == "qwen-xml") return make_qwen_xml_format();
    if (name == "json-list") return make_json_list_format();
    if (name == "llama-json") return make_llama_json_format();
    if (name == "pythonic") return make_pythonic_format();
    std::string known;
    for (const std::string& n : tool_format_names()) known += (known.empty() ? "" : ", ") + n;
    throw Error("unknown tool-call format '" + std::string(name) + "' (known: " + known + ")");
}

std::string detect_tool_format(std::string_view source) {
    const auto has = [&](std::string_view s) { return source.find(s) != std::string_view::npos; };
    if (has("<function=") && has("<parameter=")) return "qwen-xml";
    if (has("<tool_call>")) return "hermes";
    if (has("<|python_tag|>") || has("\"parameters\": ")) return "llama-json";
    if (has("SmolLM")) return "json-list";  // SmolLM2's template has no tools; its training does
    if (has("<start_of_turn>")) return "pythonic";
    return "";
}

}  // namespace flash::tools
