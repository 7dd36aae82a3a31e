// `flash serve`: the OpenAI-compatible server (serve/). Checks that the model, its vocabulary
// and the chat template load, then binds and builds the engine in the background, so /health
// answers 503 until it is ready; SIGINT/SIGTERM stop it cleanly.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>

#include "chat/chat_template.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/device_choice.h"
#include "cli/option_checks.h"
#include "core/error.h"
#include "model/model.h"
#include "serve/http_server.h"
#include "store/store.h"
#include "tokenizer/tokenizer.h"

namespace flash::cli {
namespace {

struct ServeCliOptions {
    ModelOptions model;
    serve::ServerOptions server;
};

void run_serve(ServeCliOptions& o) {
    serve::ServerOptions& s = o.server;
    s.model_path = resolve_model(o.model.model);  // an unknown model fails before binding
    check_repack(o.model);
    // $FLASH_INDEX names the index as it does for `flash index` and `flash ask`.
    if (s.engine.index_dir.empty()) s.engine.index_dir = index_dir_from_env();
    {
        // What can fail in the file fails here, before "listening" is printed or the port is
        // taken (mapping and binding the weights is quick; the engine's set-up is not).
        const std::unique_ptr<Model> model = Model::load(s.model_path);
        const Tokenizer tokenizer = Tokenizer::from_gguf(model->gguf());
        ChatTemplate::from_gguf(model->gguf(), s.engine.chat_template);
        std::vector<std::string> warnings;
        const SamplerConfig preset = chat_sampling(model->gguf(), &warnings);
        for (const std::string& w : warnings)
            std::fprintf(stderr, "flash: warning: %s\n", w.c_str());
        // --device cuda that cannot be honoured fails here too (auto just stays on the CPU).
        device_choice(*model, o.model, s.engine.slots);
        std::fprintf(stderr, "flash serve: requests that set no sampling get %s\n",
                     describe(preset).c_str());
    }
    s.engine.n_ctx = o.model.ctx;
    s.engine.n_batch = o.model.batch;
    s.engine.threads = o.model.threads;
    s.engine.precision =
        o.model.precision == "fast" ? kernels::Precision::Fast : kernels::Precision::Exact;
    s.engine.repack = o.model.repack;
    s.engine.kv_types = kv_types(o.model);
    s.engine.device = [model = o.model, slots = s.engine.slots](const Model& m) {
        return gpu_batch_pass(m, model, slots);
    };
    if (s.api_key.empty())
        if (const char* key = std::getenv("FLASH_API_KEY"); key && *key) s.api_key = key;
    if (s.host != "127.0.0.1" && s.host != "localhost" && s.host != "::1" && s.api_key.empty())
        std::fprintf(stderr,
                     "flash serve: warning: listening on %s without an API key; anyone who can "
                     "reach it can use it (set --api-key or FLASH_API_KEY)\n",
                     s.host.c_str());

    // Signals are taken by one thread (sigwait), not by a handler, so stopping is ordinary code.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);  // a client gone mid-write is an error return, not a kill

    serve::HttpServer server(s);
    const int port = server.bind();
    std::fprintf(stderr, "flash serve: listening on http://%s:%d (loading %s)\n", s.host.c_str(),
                 port, s.model_path.c_str());
    std::fflush(stderr);

    bool load_failed = false;
    const auto t0 = std::chrono::steady_clock::now();
    server.load_in_background([&](const std::string& error) {
        if (error.empty()) {
            const double secs =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::fprintf(stderr,
                         "flash serve: ready in %.1f s: %d slots, %lld tokens of context each\n",
                         secs, s.engine.slots, static_cast<long long>(s.engine.n_ctx));
        } else {
            std::fprintf(stderr, "flash serve: error: %s\n", error.c_str());
            load_failed = true;
            server.stop();
        }
        std::fflush(stderr);
    });
    std::thread signal_watcher([&] {
        int sig = 0;
        sigwait(&stop_signals, &sig);
        std::fprintf(stderr, "flash serve: stopping\n");
        server.stop();
    });
    signal_watcher.detach();  // exits with the process
    server.run();
    if (load_failed) throw Error("the model could not be loaded");
}

}  // namespace

void add_serve_command(CLI::App& app) {
    auto o = std::make_shared<ServeCliOptions>();
    CLI::App* cmd = app.add_subcommand(
        "serve", "Serve the model over an OpenAI-compatible HTTP API, with a web page at /");
    cmd->footer(
        "Endpoints: POST /v1/chat/completions (tools, response_format, stream), POST\n"
        "/v1/completions, POST /v1/answers (grounded, with citations), GET /v1/models, GET\n"
        "/health, GET /metrics (Prometheus), GET / (web page). See docs/SERVER.md.\n"
        "Examples:\n"
        "  flash serve -m default\n"
        "  flash serve -m gemma3-270m --chat-template gemma --port 9000 --slots 8\n"
        "  FLASH_API_KEY=secret flash serve --host 0.0.0.0 --cors https://app.example");
    add_model_options(*cmd, o->model);
    serve::ServerOptions& s = o->server;
    cmd->add_option("--host", s.host, "Address to listen on (other machines: 0.0.0.0)")
        ->capture_default_str();
    cmd->add_option("--port", s.port, "Port (0: any free port, printed on stderr)")
        ->capture_default_str()
        ->check(CLI::Range(0, 65535));
    cmd->add_option("--api-key", s.api_key,
                    "Require 'Authorization: Bearer KEY' (default: $FLASH_API_KEY, else none)");
    cmd->add_option("--cors", s.cors_origins,
                    "Origin allowed to call from a browser; repeatable; * allows any");
    cmd->add_option("--max-body", s.max_body, "Largest request body in bytes")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--timeout", s.timeout_s, "Seconds a request may take, waiting included")
        ->capture_default_str()
        ->check(in_range({0.001, 1e6}));
    add_device_option(*cmd, o->model.device);
    cmd->add_option("--slots", s.engine.slots, "Sequences decoded together (continuous batching)")
        ->capture_default_str()
        ->check(CLI::Range(1, 256));
    cmd->add_option("--queue", s.engine.queue, "Requests that may wait for a slot; more get 429")
        ->capture_default_str()
        ->check(CLI::Range(0, 4096));
    cmd->add_option("--max-tokens", s.engine.default_max_tokens,
                    "Tokens generated when a request sets no max_tokens")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    cmd->add_option("--chat-template", s.engine.chat_template,
                    "chatml, gemma, llama3, or a .jinja file (default: the model's own)");
    cmd->add_option("--index", s.engine.index_dir,
                    "Document index /v1/answers searches when a request brings no documents "
                    "(default: $FLASH_INDEX when set, else none)");
    cmd->callback([o] { run_serve(*o); });
}

}  // namespace flash::cli
