// ChatTemplate over the Jinja interpreter: a GGUF's own template, the built-in ones, raw text,
// and the errors for a model without a template or an unknown choice.
#include <gtest/gtest.h>

#include <functional>

#include "chat/chat_template.h"
#include "common/gguf_builder.h"
#include "common/error_of.h"
#include "core/error.h"
#include "core/gguf.h"

namespace flash {
namespace {

using testing::GgufBuilder;
using testing::temp_path;

const char* kSmolTemplate =
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ "
    "'<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging "
    "Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + "
    "'<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

GgufFile file_with_template(const std::string& name, const char* tmpl) {
    GgufBuilder b;
    b.header(0, tmpl ? 1 : 0);
    if (tmpl) b.kv_str("tokenizer.chat_template", tmpl);
    return GgufFile(b.write(temp_path(name)));
}

using flash::testing::error_of;

TEST(ChatTemplate, TheModelsOwnTemplateWithItsDefaultSystemTurn) {
    const GgufFile g = file_with_template("smol_tmpl.gguf", kSmolTemplate);
    const ChatTemplate t = ChatTemplate::from_gguf(g);
    EXPECT_EQ(t.render({{"user", "Hi"}}, true),
              "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
              "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    EXPECT_EQ(t.render({{"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello"}}, false),
              "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
              "<|im_start|>assistant\nHello<|im_end|>\n");
    EXPECT_EQ(t.end_of_turn(), "<|im_end|>");
    EXPECT_FALSE(t.renders_tools());
    EXPECT_FALSE(t.is_raw());
}

TEST(ChatTemplate, BuiltinsForModelsWithoutOne) {
    const GgufFile none = file_with_template("no_tmpl.gguf", nullptr);
    const std::string e = error_of([&] { ChatTemplate::from_gguf(none); });
    EXPECT_NE(e.find("has no chat template"), std::string::npos) << e;
    EXPECT_NE(e.find("--chat-template"), std::string::npos) << e;
    EXPECT_NE(e.find("gemma"), std::string::npos) << e;

    const ChatTemplate gemma = ChatTemplate::from_gguf(none, "gemma");
    EXPECT_EQ(gemma.render({{"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello"}, {"user", "Bye"}}, true),
              "<start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello<end_of_turn>\n"
              "<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\n");
    EXPECT_EQ(gemma.end_of_turn(), "<end_of_turn>");
    EXPECT_EQ(ChatTemplate::from_gguf(none, "chatml").render({{"user", "abc"}}, true),
              "<|im_start|>user\nabc<|im_end|>\n<|im_start|>assistant\n");
    EXPECT_EQ(ChatTemplate::from_gguf(none, "llama3").render({{"user", " abc "}}, true),
              "<|start_header_id|>user<|end_header_id|>\n\nabc<|eot_id|>"
              "<|start_header_id|>assistant<|end_header_id|>\n\n");
    const ChatTemplate raw = ChatTemplate::from_gguf(none, "raw");
    EXPECT_TRUE(raw.is_raw());
    EXPECT_EQ(raw.render({{"user", "abc"}}, true), "abc");
    EXPECT_EQ(raw.end_of_turn(), "");
    const std::string unknown = error_of([&] { ChatTemplate::from_gguf(none, "vicuna"); });
    EXPECT_NE(unknown.find("unknown chat template 'vicuna'"), std::string::npos) << unknown;
}

TEST(ChatTemplate, TemplateErrorsComeBackAsFlashErrors) {
    const ChatTemplate t = ChatTemplate::from_source(
        "{% if messages[0].role != 'user' %}{{ raise_exception('Conversations must start with a user turn.') }}"
        "{% endif %}{% for m in messages %}{{ m.content }}{% endfor %}{% if tools %}T{% endif %}",
        "test");
    EXPECT_TRUE(t.renders_tools());
    EXPECT_EQ(t.render({{"user", "a"}}, true), "a");
    const std::string e = error_of([&] { t.render({{"assistant", "a"}}, true); });
    EXPECT_NE(e.find("Conversations must start with a user turn."), std::string::npos) << e;
    const std::string syntax = error_of([&] { ChatTemplate::from_source("{% if %}", "broken"); });
    EXPECT_NE(syntax.find("chat template 'broken'"), std::string::npos) << syntax;
}

}  // namespace
}  // namespace flash
