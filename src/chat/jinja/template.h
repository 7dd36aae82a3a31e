// flash::jinja::Template — renders the chat templates models ship (GGUF metadata
// tokenizer.chat_template) exactly as Python's jinja2 does inside Hugging Face transformers:
// ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True) with the loopcontrols
// extension, the globals raise_exception(msg) and strftime_now(fmt), and transformers' tojson
// (json.dumps with ensure_ascii=False and key order kept).
// Depends on core/ (flash::Error) and nlohmann-json.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace flash::jinja {

struct Options {
    bool trim_blocks = true;  // transformers' settings
    bool lstrip_blocks = true;
    // Limits that stop a runaway template with a clear error instead of exhausting memory,
    // stack or time.
    size_t max_output_bytes = size_t{64} << 20;  // all text produced, captured blocks included
    size_t max_loop_iterations = 10'000'000;     // over the whole render
    int max_call_depth = 100;                    // macro calls inside macro calls
};

struct Program;

class Template {
  public:
    // Throws flash::Error "chat template line L, column C: <what>" on syntax errors.
    static Template parse(std::string_view source, Options options = {});

    // `context` is a JSON object whose members become top-level variables (messages, tools,
    // add_generation_prompt, bos_token, ...). Key order is kept: tojson and |items follow it.
    // Throws flash::Error: for raise_exception(msg) the message is msg exactly; other errors
    // read "chat template line L: <what>".
    std::string render(const nlohmann::ordered_json& context) const;

  private:
    std::shared_ptr<const Program> program_;
    Options options_;
};

}  // namespace flash::jinja
