// `flash call`: one assistant turn with tools, printed as OpenAI's choice object
// ({"finish_reason", "message": {"content", "tool_calls"}}); with --loop, an agent loop in which
// the caller answers each call on stdin.
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/device_choice.h"
#include "cli/option_checks.h"
#include "core/error.h"
#include "core/json_input.h"
#include "tools/conversation.h"
#include "tools/tool_caller.h"

namespace flash::cli {
namespace {

struct CallOptions {
    ModelOptions model;
    GenerateOptions gen;
    SamplingOverrides sampling;
    std::string tools_file;
    std::string messages_file;
    std::string request;
    std::string system;
    std::string tool_choice = "auto";
    std::string tool_format;
    std::string chat_template;
    bool no_parallel = false;
    bool unconstrained = false;
    bool lenient = false;
    bool show_prompt = false;
    bool loop = false;
    int max_turns = 8;
    int64_t max_string_length = tools::ToolParseOptions{}.max_string_length;
    int64_t max_array_items = tools::ToolParseOptions{}.max_array_items;
};

constexpr int kExitProblems = 4;

tools::Json load_messages(const CallOptions& o) {
    tools::Json messages = tools::Json::array();
    if (!o.messages_file.empty()) {
        messages = parse_json<tools::Json>(read_text_file(o.messages_file, "messages file"),
                                           o.messages_file);
        if (!messages.is_array())
            throw Error(o.messages_file + ": expected a JSON array of messages");
    }
    if (!o.system.empty())
        messages.insert(messages.begin(), tools::Json{{"role", "system"}, {"content", o.system}});
    if (!o.request.empty())
        messages.push_back(tools::Json{{"role", "user"}, {"content", o.request}});
    if (messages.empty()) throw Error("nothing to answer: give a request or --messages FILE");
    return messages;
}

void print_json(const tools::Json& j) {
    std::fputs(j.dump(2, ' ', false).c_str(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

int call(const CallOptions& o) {
    // Tools, choice and conversation are checked before the model is loaded: bad input fails fast.
    tools::ToolRequest req;
    tools::ToolParseOptions parse_options;
    parse_options.lenient = o.lenient;
    parse_options.max_string_length = o.max_string_length;
    parse_options.max_array_items = o.max_array_items;
    req.tools = tools::parse_tools_text(read_text_file(o.tools_file, "tools file"), parse_options);
    for (const auto& t : req.tools)
        for (const auto& w : t.warnings) std::fprintf(stderr, "flash: warning: %s\n", w.c_str());
    req.choice = tools::ToolChoice::parse(tools::Json(o.tool_choice));
    if (req.choice.mode == tools::ToolChoice::Mode::Named &&
        !tools::find_tool(req.tools, req.choice.name))
        throw Error("tool_choice names '" + req.choice.name + "', which is not among the tools");
    req.parallel = !o.no_parallel;
    req.constrained = !o.unconstrained;
    req.generation = o.gen;
    req.generation.sampling = o.sampling.over(greedy_sampling());
    req.messages = load_messages(o);
    tools::check_conversation(req.messages);
    auto format = o.tool_format.empty() ? nullptr : tools::make_tool_format(o.tool_format);

    LoadedModel lm = load_model(o.model);
    attach_device(lm, o.model);
    Session session(*lm.model, lm.tokenizer.get(), session_options(o.model, lm));
    tools::ToolCaller caller(session, ChatTemplate::from_gguf(lm.model->gguf(), o.chat_template),
                             std::move(format));
    std::fprintf(stderr, "[format %s, template %s, tool_choice %s%s]\n",
                 caller.format().name().c_str(), caller.chat_template().name().c_str(),
                 req.choice.to_string().c_str(), req.constrained ? "" : ", unconstrained");
    if (o.show_prompt) std::fprintf(stderr, "%s\n", caller.prompt(req).c_str());

    for (int turn = 0;; ++turn) {
        const tools::ToolResponse r = caller.respond(req);
        for (const std::string& p : r.problems)
            std::fprintf(stderr, "flash: warning: %s\n", p.c_str());
        for (const std::string& w : r.warnings)
            std::fprintf(stderr, "flash: warning: %s\n", w.c_str());
        print_json(tools::Json{{"finish_reason", r.finish_reason}, {"message", r.message()}});
        if (!r.problems.empty() && r.calls.empty()) return kExitProblems;
        if (!o.loop || r.calls.empty()) return 0;
        if (turn + 1 >= o.max_turns)
            throw Error("--max-turns reached while the model still calls tools");
        // The caller runs each call and answers with one line on stdin.
        req.messages.push_back(r.message());
        for (const tools::ToolCall& c : r.calls) {
            std::fprintf(stderr, "[result for %s (%s)?]\n", c.id.c_str(), c.name.c_str());
            std::string line;
            if (!std::getline(std::cin, line))
                throw Error("stdin closed while waiting for the result of " + c.id);
            req.messages.push_back(
                tools::Json{{"role", "tool"}, {"tool_call_id", c.id}, {"content", line}});
        }
        req.choice = tools::ToolChoice{};  // after results, the model may answer in text
    }
}

}  // namespace

void add_call_command(CLI::App& app) {
    auto o = std::make_shared<CallOptions>();
    CLI::App* cmd = app.add_subcommand(
        "call", "Answer a request with tool calls: prints OpenAI-shaped tool_calls JSON");
    cmd->footer(
        "Calls are constrained by a grammar built from the tools' JSON schemas, so a call cannot\n"
        "name an unknown function, miss a required argument or carry an ill-typed value.\n"
        "Exit status 4: the model attempted a call that could not be accepted (see warnings).\n"
        "Example: flash call -m smollm2 --tools tools.json \"What's the weather in Paris?\"");
    add_model_options(*cmd, o->model);
    add_device_option(*cmd, o->model.device);
    cmd->add_option("request", o->request, "The user's request (appended to --messages)");
    cmd->add_option("--tools", o->tools_file, "JSON file with an OpenAI `tools` array")->required();
    cmd->add_option("--messages", o->messages_file,
                    "JSON file with earlier OpenAI messages (assistant tool_calls, tool results)");
    cmd->add_option("--system", o->system, "System message");
    cmd->add_option("--tool-choice", o->tool_choice, "auto, none, required, or a function name")
        ->capture_default_str();
    cmd->add_flag("--no-parallel", o->no_parallel, "At most one call (parallel_tool_calls false)");
    cmd->add_flag("--no-constrain", o->unconstrained,
                  "Generate freely and parse what comes out (to compare with the grammar)");
    cmd->add_option(
        "--tool-format", o->tool_format,
        "hermes, qwen-xml, json-list, llama-json or pythonic (default: from the template)");
    cmd->add_option("--chat-template", o->chat_template,
                    "chatml, gemma, llama3, or a .jinja file (default: the model's own)");
    cmd->add_flag("--lenient", o->lenient,
                  "Schema keywords flash cannot enforce warn instead of failing");
    cmd->add_option("--max-arg-length", o->max_string_length,
                    "Cap on string arguments whose schema sets no maxLength (0: none)")
        ->check(in_range({0, 1 << 20}, true))
        ->capture_default_str();
    cmd->add_option("--max-arg-items", o->max_array_items,
                    "Cap on array arguments whose schema sets no maxItems (0: none)")
        ->check(in_range({0, 1 << 20}, true))
        ->capture_default_str();
    cmd->add_flag("--show-prompt", o->show_prompt, "Print the rendered prompt to stderr");
    cmd->add_flag("--loop", o->loop,
                  "Agent loop: after each call, read its result as one line on stdin and continue");
    cmd->add_option("--max-turns", o->max_turns, "Turns allowed in --loop")
        ->check(in_range({1, 1000}, true))
        ->capture_default_str();
    cmd->add_option("-n,--n-predict", o->gen.max_tokens, "Maximum tokens per turn")
        ->check(in_range(sampling_range::kMaxTokens, true))
        ->capture_default_str();
    add_sampling_options(*cmd, o->sampling, kGreedyPresetText);
    cmd->callback([o] {
        if (const int status = call(*o); status != 0) throw CLI::RuntimeError(status);
    });
}

}  // namespace flash::cli
