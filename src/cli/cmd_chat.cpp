// `flash chat`: an interactive conversation on the terminal; the KV cache carries over turns.
#include <cstdio>
#include <iostream>
#include <memory>

#include "chat/chat_template.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/option_checks.h"

namespace flash::cli {
namespace {

struct ChatOptions {
    ModelOptions model;
    GenerateOptions gen;
    std::string system;
    std::string chat_template;
};

void chat(const ChatOptions& o) {
    LoadedModel lm = load_model(o.model);
    const ChatTemplate tmpl = ChatTemplate::from_gguf(lm.model->gguf(), o.chat_template);
    Session session(*lm.model, lm.tokenizer.get(), session_options(o.model));
    GenerateOptions gen = o.gen;
    if (const std::string eot = tmpl.end_of_turn(); !eot.empty()) gen.stop.push_back(eot);

    std::vector<ChatMessage> messages;
    if (!o.system.empty()) messages.push_back({"system", o.system});
    std::fprintf(stderr,
                 "flash chat — %s. Type a message; /reset starts over, /exit or Ctrl-D quits.\n",
                 lm.model->config().name.c_str());
    std::string line;
    while (true) {
        std::fprintf(stderr, "> ");
        if (!std::getline(std::cin, line) || line == "/exit" || line == "/quit") break;
        if (line.empty()) continue;
        if (line == "/reset") {
            messages.resize(o.system.empty() ? 0 : 1);
            continue;
        }
        messages.push_back({"user", line});
        const size_t first = o.system.empty() ? 0 : 1;  // oldest turn that may be dropped
        std::vector<int32_t> ids = tokenize_prompt(*lm.tokenizer, tmpl.render(messages, true));
        while (static_cast<int64_t>(ids.size()) + gen.max_tokens >= session.n_ctx() &&
               messages.size() > first + 1) {
            messages.erase(messages.begin() + static_cast<std::ptrdiff_t>(first));
            ids = tokenize_prompt(*lm.tokenizer, tmpl.render(messages, true));
        }
        if (static_cast<int64_t>(ids.size()) + gen.max_tokens >= session.n_ctx()) {
            std::fprintf(stderr, "[message too long for the %lld-token context]\n",
                         static_cast<long long>(session.n_ctx()));
            messages.pop_back();
            continue;
        }
        const std::string answer = session.generate(ids, gen, print_to_stdout);
        std::fputc('\n', stdout);
        messages.push_back({"assistant", answer});
    }
}

}  // namespace

void add_chat_command(CLI::App& app) {
    auto o = std::make_shared<ChatOptions>();
    CLI::App* cmd = app.add_subcommand("chat", "Interactive chat on the terminal");
    add_model_options(*cmd, o->model);
    cmd->add_option("-n,--n-predict", o->gen.max_tokens, "Maximum tokens per answer")
        ->check(in_range(sampling_range::kMaxTokens, true))
        ->capture_default_str();
    cmd->add_option("--system", o->system, "System message");
    cmd->add_option(
        "--chat-template", o->chat_template,
        "chatml, gemma, llama3, raw, or a .jinja file (default: the model's own template)");
    add_sampling_options(*cmd, o->gen.sampling);
    cmd->callback([o] { chat(*o); });
}

}  // namespace flash::cli
