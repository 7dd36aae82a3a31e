// `flash chat`: an interactive conversation on the terminal; the KV cache carries over turns.
#include <cstdio>
#include <iostream>
#include <memory>

#include "chat/chat_template.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/option_checks.h"
#include "turn/turn.h"

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
    const turn::Turn turn(ChatTemplate::from_gguf(lm.model->gguf(), o.chat_template),
                          *lm.tokenizer);
    Session session(*lm.model, lm.tokenizer.get(), session_options(o.model));

    std::vector<ChatMessage> messages;
    if (!o.system.empty()) messages.push_back({"system", o.system});
    std::fprintf(stderr,
                 "flash chat — %s. Type a message; /reset starts over, /exit or Ctrl-D quits.\n",
                 lm.model->config().name.c_str());
    auto fits = [&](const turn::PreparedTurn& p) {
        return static_cast<int64_t>(p.tokens.size()) + o.gen.max_tokens < session.n_ctx();
    };
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
        turn::PreparedTurn prepared = turn.prepare(turn::Prompt::from(messages));
        while (!fits(prepared) && messages.size() > first + 1) {
            messages.erase(messages.begin() + static_cast<std::ptrdiff_t>(first));
            prepared = turn.prepare(turn::Prompt::from(messages));
        }
        if (!fits(prepared)) {
            std::fprintf(stderr, "[message too long for the %lld-token context]\n",
                         static_cast<long long>(session.n_ctx()));
            messages.pop_back();
            continue;
        }
        const turn::TurnOutput out = turn.run(session, prepared, o.gen, print_to_stdout);
        std::fputc('\n', stdout);
        messages.push_back({"assistant", out.text});
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
