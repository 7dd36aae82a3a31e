// ChatML rendering as SmolLM2's template produces it, including its default system turn.
#include <gtest/gtest.h>

#include "chat/chat_format.h"
#include "common/gguf_builder.h"
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

TEST(ChatTemplate, ChatMLWithTheTemplatesDefaultSystemTurn) {
    const GgufFile g = file_with_template("smol_tmpl.gguf", kSmolTemplate);
    const ChatTemplate t = ChatTemplate::from_gguf(g);
    ASSERT_EQ(t.format, ChatFormat::ChatML);
    ASSERT_TRUE(t.default_system.has_value());
    EXPECT_EQ(t.render({{"user", "Hi"}}, true),
              "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
              "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    // A conversation with its own system turn gets no default one.
    EXPECT_EQ(t.render({{"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello"}}, false),
              "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
              "<|im_start|>assistant\nHello<|im_end|>\n");
    EXPECT_EQ(t.end_of_turn(), "<|im_end|>");
}

TEST(ChatTemplate, MissingOrUnknownTemplatesAreErrorsUnlessOverridden) {
    const GgufFile none = file_with_template("no_tmpl.gguf", nullptr);
    EXPECT_THROW(ChatTemplate::from_gguf(none), Error);
    EXPECT_EQ(ChatTemplate::from_gguf(none, "raw").render({{"user", "abc"}}, true), "abc");
    EXPECT_EQ(ChatTemplate::from_gguf(none, "chatml").render({{"user", "abc"}}, true),
              "<|im_start|>user\nabc<|im_end|>\n<|im_start|>assistant\n");
    EXPECT_THROW(ChatTemplate::from_gguf(none, "vicuna"), Error);
    const GgufFile other = file_with_template("other_tmpl.gguf", "{{ bos_token }}[INST] {{ m }} [/INST]");
    EXPECT_THROW(ChatTemplate::from_gguf(other), Error);
}

}  // namespace
}  // namespace flash
