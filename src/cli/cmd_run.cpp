// `flash run`: one prompt in, the model's answer streamed to stdout, timings to stderr. With
// instructions (--instructions FILE or --lowercase, --bullets N, ...) the answer is generated
// by the instruction follower and printed whole; each instruction's outcome goes to stderr
// and the exit status is 4 when one is not met.
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "chat/chat_template.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/device_choice.h"
#include "cli/instruction_list.h"
#include "cli/option_checks.h"
#include "core/error.h"
#include "core/json_input.h"
#include "follow/follow.h"
#include "instruct/check.h"
#include "turn/turn.h"

namespace flash::cli {
namespace {

// Instructions as flags; each adds one instruct::Instruction.
struct InstructionFlags {
    std::string file;  // a JSON array of {"type", "args"}
    bool lowercase = false;
    bool uppercase = false;
    bool no_commas = false;
    int max_words = 0;
    int bullets = 0;
    std::string start_with;
    std::string end_with;
    int retries = 2;
    bool no_enforce = false;
};

struct RunOptions {
    ModelOptions model;
    ConstraintOptions constraint;
    InstructionFlags instructions;
    GenerateOptions gen;
    SamplingOverrides sampling;
    std::string prompt;
    std::string prompt_file;  // -f FILE; "-" is stdin
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
                 s.decode_ms, s.decode_tps(), to_string(s.stop_reason));
}

constexpr int kInstructionNotMet = 4;  // exit status

// run, unlike the other commands, can also read a prompt without any template.
const std::string kRawHint =
    "use --raw for plain text completion, or " + ChatTemplate::choice_flag();

// The prompt from the argument, -p, -f FILE (or -f -), or stdin when it is a pipe.
std::string read_prompt(const RunOptions& o) {
    if (!o.prompt.empty() && !o.prompt_file.empty())
        throw Error("give the prompt once: as an argument or -p, or with -f FILE, not both");
    std::string text = o.prompt;
    if (!o.prompt_file.empty())
        text = o.prompt_file == "-" ? read_stdin("the prompt")
                                    : read_text_file(o.prompt_file, "prompt file");
    else if (text.empty() && !stdin_is_terminal())
        text = read_stdin("the prompt");
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw Error(
            "no prompt: give one as an argument (flash run \"...\"), with -p TEXT, with -f FILE, "
            "or on stdin");
    return text;
}

std::vector<instruct::Instruction> instructions_from(const InstructionFlags& f) {
    std::vector<instruct::Instruction> out;
    if (!f.file.empty()) {
        const std::string text = read_text_file(f.file, "instructions file");
        const auto list = parse_json<nlohmann::json>(text, f.file);
        if (!list.is_array())
            throw Error(f.file + ": expected a JSON array of {\"type\", \"args\"} objects");
        for (size_t i = 0; i < list.size(); ++i) {
            try {
                out.push_back(instruct::instruction_from_json(list[i]));
            } catch (const Error& e) {
                throw Error(f.file + ": instruction " + std::to_string(i + 1) + ": " + e.what());
            }
        }
    }
    auto add = [&](const char* type, nlohmann::json args = nlohmann::json::object()) {
        out.push_back({type, std::move(args)});
    };
    if (f.lowercase) add("case:lowercase");
    if (f.uppercase) add("case:uppercase");
    if (f.no_commas) add("punctuation:no_comma");
    if (f.max_words > 0)
        add("length:words", {{"relation", "less than"}, {"num_words", f.max_words + 1}});
    if (f.bullets > 0) add("format:bullet_count", {{"num_bullets", f.bullets}});
    if (!f.start_with.empty()) add("startend:start_checker", {{"start_phrase", f.start_with}});
    if (!f.end_with.empty()) add("startend:end_checker", {{"end_phrase", f.end_with}});
    for (const auto& instruction : out) instruct::validate(instruction);  // before loading
    return out;
}

void print_outcomes(const follow::InstructedGeneration& g) {
    std::fprintf(stderr, "\n[instructions: %d %s, kept try %d]\n", g.tries,
                 g.tries == 1 ? "try" : "tries", g.kept_try);
    for (const auto& r : g.instructions)
        std::fprintf(stderr, "  %-30s %s — %s\n", r.instruction.type.c_str(), r.status().c_str(),
                     r.reason.c_str());
}

// Generates under the instructions; exits with status 4 when one is not met.
void run_instructed(const RunOptions& o, const std::string& prompt,
                    const std::vector<instruct::Instruction>& instructions) {
    if (!constraint_spec(o.constraint).empty())
        throw Error(
            "instructions cannot be combined with --json-schema, --grammar, --regex or "
            "--json (use the format:json instruction)");
    if (!o.system.empty()) throw Error("--system is not supported with instructions yet");
    LoadedModel lm = load_model(o.model);
    attach_device(lm, o.model);
    const ChatTemplate tmpl =
        ChatTemplate::from_gguf(lm.model->gguf(), o.raw ? "raw" : o.chat_template, kRawHint);
    Session session(*lm.model, lm.tokenizer.get(), session_options(o.model, lm));
    follow::FollowOptions options;
    options.generation = o.gen;
    options.generation.sampling = chat_sampling_for(*lm.model, o.sampling);
    options.enforce = !o.instructions.no_enforce;
    options.retries = o.instructions.retries;
    const follow::InstructedGeneration g =
        follow::follow_instructions(session, tmpl, prompt, instructions, options);
    std::fwrite(g.response.data(), 1, g.response.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    print_outcomes(g);
    if (!g.all_met()) throw CLI::RuntimeError(kInstructionNotMet);
}

void run(const RunOptions& o) {
    const std::string prompt = read_prompt(o);
    if (const auto instructions = instructions_from(o.instructions); !instructions.empty())
        return run_instructed(o, prompt, instructions);
    const grammar::ConstraintSpec spec = constraint_spec(o.constraint);  // bad files fail fast
    LoadedModel lm = load_model(o.model);
    attach_device(lm, o.model);
    const ChatTemplate tmpl =
        ChatTemplate::from_gguf(lm.model->gguf(), o.raw ? "raw" : o.chat_template, kRawHint);
    std::vector<ChatMessage> messages;
    if (!o.system.empty()) messages.push_back({"system", o.system});
    messages.push_back({"user", prompt});
    const turn::Turn turn(tmpl, *lm.tokenizer);
    const turn::PreparedTurn prepared =
        turn.prepare(turn::Prompt::from(messages), compile_constraint(spec));

    Session session(*lm.model, lm.tokenizer.get(), session_options(o.model, lm));
    GenerateOptions gen = o.gen;
    gen.sampling = chat_sampling_for(*lm.model, o.sampling);
    const turn::TurnOutput out = turn.run(session, prepared, gen, print_to_stdout);
    std::fputc('\n', stdout);
    note_if_cut(out.stats);
    if (!o.quiet) print_stats(out.stats);
    if (!out.complete)
        throw Error("the output is incomplete: generation stopped (" +
                    std::string(to_string(out.stats.stop_reason)) +
                    ") before the constrained output was finished; raise -n");
}

void add_instruction_options(CLI::App& cmd, InstructionFlags& f) {
    const char* group = "Instructions";
    cmd.add_option("--instructions", f.file,
                   "JSON array of {\"type\", \"args\"} instructions (as in data/eval/instruct)")
        ->group(group);
    cmd.add_flag("--lowercase", f.lowercase, "All lowercase (case:lowercase)")->group(group);
    cmd.add_flag("--uppercase", f.uppercase, "All capitals (case:uppercase)")->group(group);
    cmd.add_flag("--no-commas", f.no_commas, "No commas (punctuation:no_comma)")->group(group);
    cmd.add_option("--max-words", f.max_words, "At most N words (length:words)")
        ->check(CLI::PositiveNumber)
        ->group(group);
    cmd.add_option("--bullets", f.bullets, "Exactly N \"* \" bullets (format:bullet_count)")
        ->check(in_range({1, 1000}, true))
        ->check(CLI::PositiveNumber)
        ->group(group);
    cmd.add_option("--start-with", f.start_with, "Start with this phrase (startend:start_checker)")
        ->group(group);
    cmd.add_option("--end-with", f.end_with, "End with this phrase (startend:end_checker)")
        ->group(group);
    cmd.add_option("--retries", f.retries, "Further tries when an instruction fails its check")
        ->check(CLI::Range(0, 10))
        ->capture_default_str()
        ->group(group);
    cmd.add_flag("--no-enforce", f.no_enforce,
                 "Only check and retry; enforce nothing while generating")
        ->group(group);
}

}  // namespace

void add_run_command(CLI::App& app) {
    auto o = std::make_shared<RunOptions>();
    CLI::App* cmd =
        app.add_subcommand("run", "Answer one prompt (streamed to stdout; timings on stderr)");
    cmd->footer(
        "The prompt: an argument, -p TEXT, -f FILE, or stdin (echo ... | flash run). Examples:\n"
        "  flash run \"What is the capital of France?\"\n"
        "  flash run -f question.txt --temp 0 -n 64");
    add_model_options(*cmd, o->model);
    add_device_option(*cmd, o->model.device);
    cmd->add_option("prompt,-p,--prompt", o->prompt, "The prompt (user message)");
    cmd->add_option("-f,--file", o->prompt_file, "Read the prompt from FILE (- for stdin)");
    o->gen.max_tokens = kDefaultMaxTokens;
    cmd->add_option("-n,--n-predict", o->gen.max_tokens, "Maximum tokens to generate")
        ->check(in_range(sampling_range::kMaxTokens, true))
        ->capture_default_str();
    cmd->add_option("--system", o->system, "System message (default: the model template's own)");
    cmd->add_option(
        "--chat-template", o->chat_template,
        "chatml, gemma, llama3, raw, or a .jinja file (default: the model's own template)");
    cmd->add_flag("--raw", o->raw, "Send the prompt as plain text, no chat template");
    cmd->add_option("--stop", o->gen.stop, "Stop before this text (repeatable; llama.cpp: -r)")
        ->allow_extra_args(false);
    cmd->add_flag("-q,--quiet", o->quiet, "Do not print timings to stderr");
    add_sampling_options(*cmd, o->sampling, kChatPresetText);
    add_constraint_options(*cmd, o->constraint);
    add_instruction_options(*cmd, o->instructions);
    // --list-instructions: the types and args of --instructions, from instruct/'s registry.
    add_list_instructions_flag(*cmd);
    cmd->callback([o] { run(*o); });
}

}  // namespace flash::cli
