// `flash template`: render a chat template with a conversation and print exactly the prompt the
// model would see — the Jinja interpreter's window for checking a model's template, and what
// tests/chat/jinja_reference.py holds against Python's jinja2.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>

#include "chat/jinja/template.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "core/error.h"
#include "core/gguf.h"
#include "core/json_input.h"
#include "store/store.h"

namespace flash::cli {
namespace {

struct TemplateOptions {
    std::string file;
    std::string model;
    std::string context;
};

void render_template(const TemplateOptions& o) {
    if (o.file.empty() == o.model.empty())
        throw Error("give the template with exactly one of --file or --model");
    std::string source;
    if (!o.file.empty()) {
        source = read_text_file(o.file, "template");
    } else {
        const std::string path = resolve_model(o.model);
        const GgufFile g(path);
        const std::optional<std::string_view> t = g.get_string("tokenizer.chat_template");
        if (!t) throw Error(path + ": no tokenizer.chat_template in the metadata");
        source = std::string(*t);
    }
    std::string text = "{}";
    if (o.context == "-")
        text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    else if (!o.context.empty())
        text = read_text_file(o.context, "context");
    auto context = parse_json<nlohmann::ordered_json>(text, "context " + o.context);
    // A bare array is the conversation alone, as chat APIs and saved chats write it.
    if (context.is_array()) {
        nlohmann::ordered_json variables = nlohmann::ordered_json::object();
        variables["messages"] = std::move(context);
        context = std::move(variables);
    }
    if (!context.is_object())
        throw Error("context " + o.context +
                    ": expected a JSON object of template variables or an array of messages");
    const std::string out = jinja::Template::parse(source).render(context);
    std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

void add_template_command(CLI::App& app) {
    auto o = std::make_shared<TemplateOptions>();
    CLI::App* cmd = app.add_subcommand(
        "template",
        "Render a chat template with a conversation — for checking what prompt a model sees");
    cmd->add_option("--file", o->file, "Jinja chat template file");
    cmd->add_option("-m,--model", o->model,
                    "GGUF file or model name whose tokenizer.chat_template to render");
    cmd->add_option("--context", o->context,
                    "JSON object of template variables (messages, tools, add_generation_prompt, "
                    "bos_token, ...), or an array of messages alone; '-' reads stdin")
        ->capture_default_str();
    cmd->footer(
        "Prints the rendered prompt exactly, with no newline added. Renders as Hugging Face "
        "transformers does (jinja2, trim_blocks, lstrip_blocks, raise_exception, strftime_now).");
    cmd->callback([o] { render_template(*o); });
}

}  // namespace flash::cli
