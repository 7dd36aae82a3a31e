// The Jinja chat-template interpreter: a template (as a GGUF file or --file carries it)
// rendered with a conversation, tools and the usual variables. Limits are lowered so a
// runaway template is refused within the fuzzer's time budget; the defaults are the same code.
#include <nlohmann/json.hpp>

#include "chat/jinja/template.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const nlohmann::ordered_json context = nlohmann::ordered_json::parse(R"({
        "messages": [{"role": "system", "content": "Be brief."},
                     {"role": "user", "content": "What is 2+2?"},
                     {"role": "assistant", "content": null, "tool_calls": [
                         {"id": "c1", "type": "function",
                          "function": {"name": "add", "arguments": {"a": 2, "b": 2}}}]},
                     {"role": "tool", "tool_call_id": "c1", "content": "4"}],
        "tools": [{"type": "function", "function": {"name": "add", "description": "Adds",
                   "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}}}}],
        "add_generation_prompt": true, "bos_token": "<s>", "eos_token": "</s>"})");
    flash::jinja::Options options;
    options.max_output_bytes = 1 << 20;
    options.max_loop_iterations = 100000;
    flash::fuzz::expect_only_flash_errors([&] {
        const auto t = flash::jinja::Template::parse(flash::fuzz::as_text(data, size), options);
        (void)t.render(context);
    });
    return 0;
}
