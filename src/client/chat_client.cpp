#include "client/chat_client.h"

#include <httplib.h>

namespace flash::client {
namespace {

bool retryable_status(int status) {
    return status == 408 || status == 429 || status >= 500;
}

}  // namespace

ChatClient::ChatClient(const EndpointConfig& config) {
    std::string url = config.url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.size() >= 3 && url.compare(url.size() - 3, 3, "/v1") == 0) url.resize(url.size() - 3);
    if (url.rfind("http://", 0) != 0)
        throw Error("endpoint '" + config.url + "': give an http:// URL (https is not built in)");
    base_ = url;
    http_ = std::make_unique<httplib::Client>(base_);
    http_->set_connection_timeout(10);
    http_->set_read_timeout(config.timeout_s);
    http_->set_write_timeout(config.timeout_s);
    if (!config.api_key.empty()) http_->set_bearer_token_auth(config.api_key.c_str());
}

ChatClient::~ChatClient() = default;

std::string ChatClient::first_model() {
    auto res = http_->Get("/v1/models");
    if (!res)
        throw EndpointError(
            "endpoint " + base_ + ": cannot connect (" + httplib::to_string(res.error()) + ")",
            true);
    if (res->status != 200)
        throw EndpointError("endpoint " + base_ + ": GET /v1/models answered " +
                                std::to_string(res->status) + "; name the model with --model",
                            retryable_status(res->status));
    try {
        const Json j = Json::parse(res->body);
        return j.at("data").at(0).at("id").get<std::string>();
    } catch (const std::exception&) {
        throw EndpointError(
            "endpoint " + base_ + ": GET /v1/models lists no model; name it with --model", false);
    }
}

ChatReply ChatClient::complete(const Json& body) {
    auto res = http_->Post("/v1/chat/completions", body.dump(), "application/json");
    if (!res)
        throw EndpointError(
            "endpoint " + base_ + ": request failed (" + httplib::to_string(res.error()) + ")",
            true);
    Json j;
    try {
        j = Json::parse(res->body);
    } catch (const std::exception&) {
        throw EndpointError("endpoint " + base_ + ": answered " + std::to_string(res->status) +
                                " with a body that is not JSON: " + res->body.substr(0, 200),
                            retryable_status(res->status));
    }
    if (res->status != 200) {
        const std::string msg = j.contains("error") && j["error"].is_object()
                                    ? j["error"].value("message", res->body)
                                    : res->body.substr(0, 300);
        throw EndpointError(
            "endpoint " + base_ + ": answered " + std::to_string(res->status) + ": " + msg,
            retryable_status(res->status));
    }
    if (!j.contains("choices") || !j["choices"].is_array() || j["choices"].empty() ||
        !j["choices"][0].is_object() || !j["choices"][0].contains("message") ||
        !j["choices"][0]["message"].is_object())
        throw EndpointError("endpoint " + base_ + ": the reply has no choices[0].message", false);
    ChatReply reply;
    reply.message = j["choices"][0]["message"];
    const Json finish = j["choices"][0].value("finish_reason", Json());
    reply.finish_reason = finish.is_string() ? finish.get<std::string>() : "";
    const Json usage = j.value("usage", Json::object());
    auto count = [&](const char* key) {
        const auto it = usage.is_object() ? usage.find(key) : usage.end();
        return it != usage.end() && it->is_number_integer() ? it->get<int>() : 0;
    };
    reply.prompt_tokens = count("prompt_tokens");
    reply.completion_tokens = count("completion_tokens");
    return reply;
}

std::string content_of(const Json& message) {
    const auto it = message.find("content");
    return it != message.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace flash::client
