#include "cli/eval_backend.h"

#include "cli/option_checks.h"

#include <cstdlib>

namespace flash::cli {

void add_eval_backend_options(CLI::App& cmd, EvalBackendOptions& o, bool tool_format) {
    add_model_options(cmd, o.model);
    cmd.add_option("--chat-template", o.chat_template, "chatml, gemma, llama3, or a .jinja file");
    if (tool_format)
        cmd.add_option("--tool-format", o.tool_format, "Override the tool-call format");
    cmd.add_option("--endpoint", o.endpoint.url,
                   "Evaluate an OpenAI-compatible server instead (http://host:port[/v1]): flash "
                   "serve, llama-server, Ollama, vLLM")
        ->group("Endpoint");
    cmd.add_option("--served-model", o.endpoint.model,
                   "Model name to send to the endpoint (default: the first of /v1/models)")
        ->group("Endpoint");
    cmd.add_option("--api-key", o.endpoint.api_key,
                   "Bearer token for the endpoint (default: $OPENAI_API_KEY)")
        ->group("Endpoint");
    cmd.add_option("--timeout", o.endpoint.timeout_s, "Seconds per endpoint request")
        ->check(in_range({0.001, 1e6}))
        ->capture_default_str()
        ->group("Endpoint");
}

EvalTarget open_eval_target(const EvalBackendOptions& o) {
    EvalTarget t;
    if (!o.endpoint.url.empty()) {
        eval::EndpointOptions e = o.endpoint;
        if (e.api_key.empty())
            if (const char* k = std::getenv("OPENAI_API_KEY")) e.api_key = k;
        t.backend = eval::make_endpoint_backend(e);
        t.endpoint = true;
        t.model_name = t.backend->model_name();
        t.model_file = e.url;
        t.template_name = "(server's)";
        return t;
    }
    t.loaded = load_model(o.model);
    t.session = std::make_unique<Session>(*t.loaded.model, t.loaded.tokenizer.get(),
                                          session_options(o.model));
    ChatTemplate tmpl = ChatTemplate::from_gguf(t.loaded.model->gguf(), o.chat_template);
    t.template_name = tmpl.name();
    t.backend = eval::make_in_process_backend(*t.session, std::move(tmpl), o.tool_format);
    t.model_name = t.loaded.model->config().name;
    t.model_file = t.loaded.model->gguf().path();
    return t;
}

}  // namespace flash::cli
