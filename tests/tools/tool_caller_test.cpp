// ToolCaller's prompts through real chat templates: a template that renders tools itself
// (Qwen2.5's, from the testdata) gets `tools`, `tool_calls` and tool turns; one that does not
// (the built-in ChatML) gets the format's tool prompt and calls and results written as text.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/testdata.h"
#include "core/error.h"
#include "core/gguf.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"
#include "tools/tool_caller.h"
#include "tools/tools_test_util.h"

namespace flash::tools {
namespace {

using flash::testing::testdata_path;

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error(path + ": missing (is FLASH_TESTDATA set?)");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Prompts need a vocabulary but no forward pass: the tiny test model's weights with the real
// Qwen2 vocabulary (its own is a 128-token stand-in).
struct Fixture {
    std::unique_ptr<Model> model = Model::load(testdata_path("models/qwen2-F16.gguf"));
    Tokenizer tokenizer = Tokenizer::from_gguf(GgufFile(testdata_path("tokenizer/ggml-vocab-qwen2.gguf")));
    Session session{*model, &tokenizer, SessionOptions{.n_ctx = 512, .n_threads = 1}};
};

ToolRequest conversation() {
    ToolRequest r;
    r.tools = testing::sample_tools();
    r.messages = Json::parse(R"([
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
            "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "18 C, sunny"}])");
    return r;
}

TEST(ToolCaller, TemplateThatRendersToolsGetsThemAsData) {
    Fixture f;
    const std::string source = read_text(testdata_path("templates/Qwen-Qwen2.5-7B-Instruct.jinja"));
    ToolCaller caller(f.session, ChatTemplate::from_source(source, "qwen2.5"));
    EXPECT_EQ(caller.format().name(), "hermes");
    const std::string p = caller.prompt(conversation());
    EXPECT_NE(p.find("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\""), std::string::npos) << p;
    EXPECT_NE(p.find("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>"),
              std::string::npos) << p;
    EXPECT_NE(p.find("<tool_response>\n18 C, sunny\n</tool_response>"), std::string::npos) << p;
    EXPECT_EQ(p.substr(p.size() - 22), "<|im_start|>assistant\n");
}

TEST(ToolCaller, TemplateWithoutToolsGetsTheFormatsPromptAndText) {
    Fixture f;
    GgufFile none(testdata_path("models/qwen2-F16.gguf"));
    ToolCaller caller(f.session, ChatTemplate::from_gguf(f.model->gguf(), "chatml"), make_tool_format("json-list"));
    ToolRequest r = conversation();
    r.messages.insert(r.messages.begin(), Json{{"role", "system"}, {"content", "Be terse."}});
    const std::string p = caller.prompt(r);
    EXPECT_EQ(p.rfind("<|im_start|>system\nYou are an expert in composing functions.", 0), 0u) << p;
    EXPECT_NE(p.find("Be terse.<|im_end|>"), std::string::npos) << p;
    EXPECT_NE(p.find("<|im_start|>assistant\n<tool_call>[\n{\"name\": \"get_weather\", \"arguments\": "
                     "{\"city\": \"Paris\"}}\n]</tool_call><|im_end|>"),
              std::string::npos) << p;
    EXPECT_NE(p.find("<|im_start|>user\n<tool_response>\n18 C, sunny\n</tool_response><|im_end|>"),
              std::string::npos) << p;
    // tool_choice "none": no tools in the prompt at all.
    r.choice = ToolChoice::parse("none");
    EXPECT_EQ(caller.prompt(r).find("composing functions"), std::string::npos);
}

TEST(ToolCaller, RawTextCannotCallTools) {
    Fixture f;
    EXPECT_THROW(ToolCaller(f.session, ChatTemplate::raw()), Error);
}

}  // namespace
}  // namespace flash::tools
