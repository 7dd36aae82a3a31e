#include "serve/http_server.h"

#include <httplib.h>

#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "core/error.h"
#include "retrieval/index.h"
#include "serve/response.h"
#include "serve/web_assets.h"

namespace flash::serve {
namespace {

constexpr size_t kMaxHeaders = 100;  // browsers send about 20; nginx's default buffers ~100

void send_error(httplib::Response& res, const ApiError& e) {
    res.status = e.status();
    res.set_content(dump(e.to_json()), "application/json");
}

// The endpoint label for metrics: known routes by name, everything else together.
std::string endpoint_label(const std::string& path) {
    static const std::vector<std::string> known = {"/v1/chat/completions",
                                                   "/v1/completions",
                                                   "/v1/answers",
                                                   "/v1/models",
                                                   "/health",
                                                   "/metrics",
                                                   "/"};
    return std::find(known.begin(), known.end(), path) != known.end() ? path : "other";
}

}  // namespace

struct HttpServer::Impl {
    ServerOptions options;
    httplib::Server http;
    std::unique_ptr<Engine> engine;  // set once loaded
    std::atomic<bool> ready{false};
    std::atomic<bool> failed{false};  // load_error is written before this is set
    std::string load_error;
    std::thread loader;

    explicit Impl(ServerOptions o) : options(std::move(o)) { routes(); }

    Engine& ready_engine() {
        if (!ready.load()) {
            if (failed.load())
                throw ApiError(503, "The model failed to load: " + load_error, "", "server_error");
            throw ApiError(503, "The model is still loading; retry when /health says ok.", "",
                           "server_error");
        }
        return *engine;
    }

    Clock::time_point deadline_from(Clock::time_point arrival) const {
        return arrival + std::chrono::milliseconds(static_cast<int64_t>(options.timeout_s * 1000));
    }

    ApiError too_large() const {
        return ApiError(413,
                        "The request body is larger than the server's limit of " +
                            std::to_string(options.max_body) + " bytes.",
                        "", "invalid_request_error", "request_too_large");
    }

    // The API key is checked here, once the body has been read (refusing earlier would leave
    // the body on a kept-alive connection, to be read as the next request).
    void check_key(const httplib::Request& req) const {
        if (options.api_key.empty() ||
            req.get_header_value("Authorization") == "Bearer " + options.api_key)
            return;
        throw ApiError(401,
                       req.has_header("Authorization")
                           ? "Incorrect API key provided."
                           : "You didn't provide an API key: send 'Authorization: Bearer KEY'.",
                       "", "invalid_request_error", "invalid_api_key");
    }

    // Runs a handler behind the API key, turning ApiError and flash::Error into OpenAI-shaped
    // errors.
    template <typename F>
    auto guarded(F f) {
        return [this, f](const httplib::Request& req, httplib::Response& res) {
            try {
                check_key(req);
                f(req, res);
            } catch (const ApiError& e) {
                send_error(res, e);
            } catch (const Error& e) {
                send_error(res, bad_request(e.what()));
            } catch (const std::exception& e) {
                send_error(res, ApiError(500, std::string("internal error: ") + e.what()));
            }
        };
    }

    // A POST route: the body is read here under the size limit (httplib does not bound chunked
    // bodies), then the handler runs as a guarded one with the body in hand.
    template <typename F>
    auto posted(F f) {
        auto inner =
            guarded([f](const httplib::Request& req, httplib::Response& res) { f(req.body, res); });
        return [this, inner](const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& read) {
            std::string body;
            bool over = false;
            read([&](const char* data, size_t n) {
                if (body.size() + n > options.max_body) return !(over = true);
                body.append(data, n);
                return true;
            });
            if (over) {
                send_error(res, too_large());
                res.set_header("Connection", "close");  // the rest of the body is unread
                return;
            }
            httplib::Request with_body = req;
            with_body.body = std::move(body);
            inner(with_body, res);
        };
    }

    // Requests whose framing is ambiguous or abusive are refused before routing: two
    // Content-Length headers (which one a proxy in front believed is unknowable: the classic
    // request-smuggling setup), Content-Length beside a chunked body, or more headers than any
    // client sends.
    static std::optional<ApiError> framing_problem(const httplib::Request& req) {
        if (req.headers.size() > kMaxHeaders)
            return ApiError(431, "Too many request headers: " + std::to_string(req.headers.size()) +
                                     " (at most " + std::to_string(kMaxHeaders) + ").");
        if (req.get_header_value_count("Content-Length") > 1)
            return bad_request("More than one Content-Length header.");
        if (req.has_header("Content-Length") && req.has_header("Transfer-Encoding"))
            return bad_request("Content-Length together with Transfer-Encoding.");
        return std::nullopt;
    }

    bool origin_allowed(const std::string& origin) const {
        for (const std::string& o : options.cors_origins)
            if (o == "*" || o == origin) return true;
        return false;
    }

    void routes() {
        // Only SO_REUSEADDR (restart while old connections linger), never httplib's default
        // SO_REUSEPORT: with it a second server could bind the same port and take every other
        // connection — a keyless one answering for one that has a key.
        http.set_socket_options([](socket_t sock) {
            int yes = 1;
            setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        });
        http.set_payload_max_length(options.max_body);
        // A slow or silent client is dropped after this long without progress.
        http.set_read_timeout(10, 0);
        http.set_write_timeout(30, 0);
        http.set_keep_alive_timeout(5);
        // Connections waiting for a slot hold a worker thread, so the pool covers slots and
        // queue, with room for health checks, scrapes and idle or slow connections.
        const size_t workers =
            static_cast<size_t>(options.engine.slots + options.engine.queue) + 128;
        http.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };

        http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
            const std::string origin = req.get_header_value("Origin");
            if (!origin.empty() && origin_allowed(origin)) {
                res.set_header("Access-Control-Allow-Origin", origin);
                res.set_header("Vary", "Origin");
                res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
                res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
                res.set_header("Access-Control-Max-Age", "600");
            }
            if (req.method == "OPTIONS") {
                res.status = origin.empty() || origin_allowed(origin) ? 204 : 403;
                return httplib::Server::HandlerResponse::Handled;
            }
            if (const auto refusal = framing_problem(req)) {
                send_error(res, *refusal);
                res.set_header("Connection", "close");
                return httplib::Server::HandlerResponse::Handled;
            }
            // A declared body over the limit is refused before it is read; the connection is
            // closed, since the unread body would otherwise be taken for the next request.
            if (const std::string length = req.get_header_value("Content-Length");
                !length.empty()) {
                char* end = nullptr;
                const unsigned long long n = std::strtoull(length.c_str(), &end, 10);
                if (end == length.c_str() || *end != '\0' || n > options.max_body) {
                    send_error(res, too_large());
                    res.set_header("Connection", "close");
                    return httplib::Server::HandlerResponse::Handled;
                }
            }
            return httplib::Server::HandlerResponse::Unhandled;
        });
        http.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
            if (!res.body.empty()) return;  // our own error already has its body
            if (res.status == 404) {
                send_error(
                    res, ApiError(404, "Unknown request URL: " + req.method + " " + req.path + ".",
                                  "", "not_found_error", "unknown_url"));
            } else if (res.status == 413) {
                send_error(res, ApiError(413,
                                         "The request body is larger than the server's limit of " +
                                             std::to_string(options.max_body) + " bytes.",
                                         "", "invalid_request_error", "request_too_large"));
            } else {
                send_error(res, ApiError(res.status, "HTTP error " + std::to_string(res.status)));
            }
        });
        http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
            if (ready.load()) engine->metrics().count_request(endpoint_label(req.path), res.status);
        });

        http.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
            if (ready.load()) {
                res.set_content(R"({"status":"ok"})", "application/json");
            } else {
                res.status = 503;
                res.set_content(!failed.load() ? R"({"status":"loading"})"
                                               : dump({{"status", "error"}, {"error", load_error}}),
                                "application/json");
            }
        });
        for (const WebAsset& a : web_assets()) {
            const std::string path(a.path);
            const WebAsset asset = a;
            http.Get(path == "/index.html" ? "/" : path,
                     [asset](const httplib::Request&, httplib::Response& res) {
                         res.set_content(std::string(asset.body), std::string(asset.content_type));
                     });
        }
        http.Get("/metrics", guarded([this](const httplib::Request&, httplib::Response& res) {
                     Gauges g;
                     std::string text;
                     if (ready.load()) {
                         text = engine->metrics().prometheus(engine->gauges());
                     } else {
                         text = Metrics().prometheus(g);
                     }
                     res.set_content(text, "text/plain; version=0.0.4");
                 }));
        http.Get("/v1/models", guarded([this](const httplib::Request&, httplib::Response& res) {
                     Engine& e = ready_engine();
                     Json model{{"id", e.model_id()},
                                {"object", "model"},
                                {"created", unix_now()},
                                {"owned_by", "flash"},
                                {"context_length", e.n_ctx()}};
                     Json list{{"object", "list"}, {"data", Json::array({model})}};
                     add_index_info(list);
                     res.set_content(dump(list), "application/json");
                 }));
        http.Post(
            "/v1/chat/completions",
            posted([this](const std::string& body, httplib::Response& res) { chat(body, res); }));
        http.Post("/v1/completions",
                  posted([this](const std::string& body, httplib::Response& res) {
                      complete(body, res);
                  }));
        http.Post("/v1/answers", posted([this](const std::string& body, httplib::Response& res) {
                      answer(body, res);
                  }));
    }

    // Whether /v1/answers may go without documents (the server has an --index), and how many
    // documents that index holds: what the web page tells the user before they ask. An index
    // that cannot be read still counts as configured; /v1/answers then says what is wrong.
    void add_index_info(Json& out) const {
        out["index"] = !options.engine.index_dir.empty();
        if (options.engine.index_dir.empty()) return;
        try {
            out["index_documents"] =
                retrieval::Index::open(options.engine.index_dir).documents().size();
        } catch (const std::exception& e) {  // flash::Error, or the filesystem refusing
            out["index_error"] = e.what();
        }
    }

    void chat(const std::string& body, httplib::Response& res) {
        const auto arrival = Clock::now();
        Engine& e = ready_engine();
        auto job =
            std::make_shared<PreparedChat>(e.prepare(parse_chat_request(parse_json_body(body))));
        const auto deadline = deadline_from(arrival);
        std::shared_ptr<SlotLease> lease = e.acquire(job->prompt(), deadline);
        const ResponseIds ids{new_id("chatcmpl-"), e.model_id(), unix_now()};
        if (!job->request.sampling.stream) {
            const Outcome out = e.chat(*lease, *job, {}, arrival, deadline);
            if (out.timed_out)
                throw ApiError(504, "The request ran past the server's timeout.", "",
                               "timeout_error");
            res.set_content(dump(chat_completion_json(ids, out, job->request.logprobs)),
                            "application/json");
            return;
        }
        res.set_header("Cache-Control", "no-cache");
        res.set_header("X-Accel-Buffering", "no");
        res.set_chunked_content_provider(
            "text/event-stream",
            [this, &e, job, lease, ids, arrival, deadline](size_t, httplib::DataSink& sink) {
                stream_chat(e, *job, *lease, ids, arrival, deadline, sink);
                return false;  // the stream is complete (or the client is gone)
            });
    }

    static bool write(httplib::DataSink& sink, const Json& event) {
        const std::string text = sse_event(event);
        return sink.write(text.data(), text.size());
    }

    void stream_chat(Engine& e, const PreparedChat& job, const SlotLease& lease,
                     const ResponseIds& ids, Clock::time_point arrival, Clock::time_point deadline,
                     httplib::DataSink& sink) {
        const ChatRequest& req = job.request;
        const bool usage = req.sampling.include_usage;
        auto chunk = [&](Json delta, Json finish = nullptr, Json logprobs = nullptr) {
            Json c = chat_chunk_json(ids, std::move(delta), std::move(finish), std::move(logprobs));
            if (usage) c["usage"] = nullptr;
            return c;
        };
        bool open =
            write(sink, chunk({{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}));
        OutputSink out_sink;
        out_sink.gone = [&] { return !open; };
        out_sink.text = [&](std::string_view text, std::vector<TokenLogprob>& lps) {
            open = open && write(sink, chunk({{"content", std::string(text)}}, nullptr,
                                             req.logprobs ? chat_logprobs_json(lps) : Json()));
            return open;
        };
        const Outcome out = e.chat(lease, job, out_sink, arrival, deadline);
        if (!open) return;
        if (out.timed_out) {
            write(sink,
                  ApiError(504, "The request ran past the server's timeout.", "", "timeout_error")
                      .to_json());
            sink.done();
            return;
        }
        if (req.offers_tools()) {
            if (!out.content.empty()) open = write(sink, chunk({{"content", out.content}}));
            for (size_t i = 0; open && i < out.tool_calls.size(); ++i) {
                Json call = out.tool_calls[i];
                call["index"] = i;
                open = write(sink, chunk({{"tool_calls", Json::array({call})}}));
            }
        }
        if (open) open = write(sink, chunk(Json::object(), out.finish_reason));
        if (open && usage) {
            Json u = chat_chunk_json(ids, Json::object());
            u["choices"] = Json::array();
            u["usage"] = usage_json(out.stats);
            open = write(sink, u);
        }
        if (open) {
            const std::string done = "data: [DONE]\n\n";
            sink.write(done.data(), done.size());
            sink.done();
        }
    }

    void complete(const std::string& body, httplib::Response& res) {
        const auto arrival = Clock::now();
        Engine& e = ready_engine();
        auto job = std::make_shared<PreparedCompletion>(
            e.prepare(parse_completion_request(parse_json_body(body))));
        const auto deadline = deadline_from(arrival);
        std::shared_ptr<SlotLease> lease = e.acquire(job->prompt, deadline);
        const ResponseIds ids{new_id("cmpl-"), e.model_id(), unix_now()};
        const bool with_logprobs = job->request.logprobs >= 0;
        if (!job->request.sampling.stream) {
            const Outcome out = e.complete(*lease, *job, {}, arrival, deadline);
            if (out.timed_out)
                throw ApiError(504, "The request ran past the server's timeout.", "",
                               "timeout_error");
            res.set_content(dump(completion_json(ids, out, with_logprobs)), "application/json");
            return;
        }
        res.set_header("Cache-Control", "no-cache");
        res.set_chunked_content_provider(
            "text/event-stream", [&e, job, lease, ids, arrival, deadline, with_logprobs](
                                     size_t, httplib::DataSink& sink) {
                bool open = true;
                size_t offset = 0;
                OutputSink out_sink;
                out_sink.gone = [&] { return !open; };
                out_sink.text = [&](std::string_view text, std::vector<TokenLogprob>& lps) {
                    Json lp = with_logprobs ? completion_logprobs_json(lps, offset) : Json();
                    offset += text.size();
                    open = open &&
                           write(sink, completion_chunk_json(ids, std::string(text), nullptr, lp));
                    return open;
                };
                if (job->request.echo)
                    open = write(sink, completion_chunk_json(ids, job->request.prompt));
                const Outcome out = e.complete(*lease, *job, out_sink, arrival, deadline);
                if (!open) return false;
                if (out.timed_out) {
                    write(sink, ApiError(504, "The request ran past the server's timeout.", "",
                                         "timeout_error")
                                    .to_json());
                } else {
                    Json last = completion_chunk_json(ids, "", out.finish_reason);
                    if (job->request.sampling.include_usage) last["usage"] = usage_json(out.stats);
                    write(sink, last);
                    const std::string done = "data: [DONE]\n\n";
                    sink.write(done.data(), done.size());
                }
                sink.done();
                return false;
            });
    }

    void answer(const std::string& body, httplib::Response& res) {
        const auto arrival = Clock::now();
        Engine& e = ready_engine();
        const AnswerRequest request = parse_answer_request(parse_json_body(body));
        const auto deadline = deadline_from(arrival);
        const auto lease = e.acquire({}, deadline);
        Json answer = e.answer(*lease, request, deadline);
        res.set_content(dump({{"id", new_id("answer-")},
                              {"object", "answer"},
                              {"created", unix_now()},
                              {"model", e.model_id()},
                              {"answer", std::move(answer)}}),
                        "application/json");
    }
};

HttpServer::HttpServer(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpServer::~HttpServer() {
    stop();
    if (impl_->loader.joinable()) impl_->loader.join();
}

int HttpServer::bind() {
    const ServerOptions& o = impl_->options;
    int port = o.port;
    if (port == 0) {
        port = impl_->http.bind_to_any_port(o.host);
        if (port < 0) throw Error("cannot listen on " + o.host + ": no free port");
    } else if (!impl_->http.bind_to_port(o.host, port)) {
        throw Error("cannot listen on " + o.host + ":" + std::to_string(port) +
                    " (in use, or not an address of this machine); choose another with --port");
    }
    return port;
}

void HttpServer::load_in_background(std::function<void(const std::string&)> on_loaded) {
    impl_->loader = std::thread([this, on_loaded] {
        try {
            impl_->engine =
                std::make_unique<Engine>(impl_->options.model_path, impl_->options.engine);
            impl_->ready.store(true);
            if (on_loaded) on_loaded("");
        } catch (const std::exception& e) {
            impl_->load_error = e.what();
            impl_->failed.store(true);
            if (on_loaded) on_loaded(e.what());
        }
    });
}

void HttpServer::run() {
    impl_->http.listen_after_bind();
}

void HttpServer::stop() {
    impl_->http.stop();
}

}  // namespace flash::serve
