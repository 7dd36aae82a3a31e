// `flash run`: one prompt in, the model's answer streamed to stdout, timings to stderr.
#include <cstdio>
#include <memory>

#include "chat/chat_template.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "core/error.h"

namespace flash::cli {
namespace {

struct RunOptions {
    ModelOptions model;
    ConstraintOptions constraint;
    GenerateOptions gen;
    std::string prompt;
    std::string system;
    std::string chat_template;
    bool raw = false;
    bool quiet = false;
};

void print_stats(const GenerationStats& s) {
    std::fprintf(stderr,
                 "\n[prompt %lld tokens (%lld cached) %.1f ms, %.1f t/s | generated %lld tokens "
                 "%.1f ms, %.1f t/s | "
                 "stop: %s]\n",
                 static_cast<long long>(s.prompt_tokens), static_cast<long long>(s.cached_tokens),
                 s.prefill_ms, s.prefill_tps(), static_cast<long long>(s.generated_tokens),
                 s.decode_ms, s.decode_tps(), s.stop_reason.c_str());
}

void run(const RunOptions& o) {
    LoadedModel lm = load_model(o.model);
    const ChatTemplate tmpl =
        ChatTemplate::from_gguf(lm.model->gguf(), o.raw ? "raw" : o.chat_template);
    std::vector<ChatMessage> messages;
    if (!o.system.empty()) messages.push_back({"system", o.system});
    messages.push_back({"user", o.prompt});
    const std::vector<int32_t> ids = tokenize_prompt(*lm.tokenizer, tmpl.render(messages, true));

    Session session(*lm.model, lm.tokenizer.get(), session_options(o.model));
    GenerateOptions gen = o.gen;
    if (const std::string eot = tmpl.end_of_turn(); !eot.empty()) gen.stop.push_back(eot);
    const auto constraint = make_constraint(constraint_spec(o.constraint), *lm.tokenizer);
    if (constraint) constraint->attach(gen);
    GenerationStats stats;
    session.generate(ids, gen, print_to_stdout, &stats);
    std::fputc('\n', stdout);
    if (!o.quiet) print_stats(stats);
    if (constraint && !constraint->complete())
        throw Error("the output is incomplete: generation stopped (" + stats.stop_reason +
                    ") before the constrained output was finished; raise -n");
}

}  // namespace

void add_run_command(CLI::App& app) {
    auto o = std::make_shared<RunOptions>();
    CLI::App* cmd =
        app.add_subcommand("run", "Answer one prompt (streamed to stdout; timings on stderr)");
    add_model_options(*cmd, o->model);
    cmd->add_option("-p,--prompt", o->prompt, "The prompt (user message)")->required();
    cmd->add_option("-n,--n-predict", o->gen.max_tokens, "Maximum tokens to generate")
        ->capture_default_str();
    cmd->add_option("--system", o->system, "System message (default: the model template's own)");
    cmd->add_option("--chat-template", o->chat_template, "chatml, gemma, llama3, raw, or a .jinja file (default: the model's own template)");
    cmd->add_flag("--raw", o->raw, "Send the prompt as plain text, no chat template");
    cmd->add_flag("-q,--quiet", o->quiet, "Do not print timings to stderr");
    add_sampling_options(*cmd, o->gen.sampling);
    add_constraint_options(*cmd, o->constraint);
    cmd->callback([o] { run(*o); });
}

}  // namespace flash::cli
