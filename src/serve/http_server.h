// HttpServer: the HTTP face of the engine (cpp-httplib): OpenAI routes, flash's /v1/answers,
// /health, /metrics and the web page; API key, CORS allowlist, body limit; JSON errors in
// OpenAI's shape for everything refused; server-sent events for streams. The model loads in the
// background after the socket is bound, so /health can answer 503 meanwhile.
// Depends on serve/.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "serve/engine.h"

namespace httplib {
class Server;
}

namespace flash::serve {

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8080;  // 0: any free port
    std::string api_key;
    std::vector<std::string> cors_origins;  // "*" allows any
    size_t max_body = size_t{1} << 20;
    double timeout_s = 300;
    std::string model_path;
    EngineOptions engine;
};

class HttpServer {
  public:
    explicit HttpServer(ServerOptions options);
    ~HttpServer();

    // Binds the socket (throws flash::Error when it cannot) and returns the port.
    int bind();
    // Loads the model on a background thread; /health turns 200 when done. `on_loaded` gets ""
    // or the error that stopped the load.
    void load_in_background(std::function<void(const std::string& error)> on_loaded = {});
    // Serves until stop().
    void run();
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace flash::serve
