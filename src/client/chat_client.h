// A client for OpenAI-compatible chat servers (flash serve, llama-server, vLLM, Ollama) over
// cpp-httplib: the URL normalised, GET /v1/models and POST /v1/chat/completions, and every
// failure a flash::Error naming the server — marked retryable when trying again may help
// (no connection, 408, 429, 5xx). Used by the evaluation suites' endpoint backend and the
// dataset's teacher. Depends on core/.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace httplib {
class Client;
}

namespace flash::client {

using Json = nlohmann::ordered_json;

struct EndpointConfig {
    std::string url;      // http://host:port or http://host:port/v1
    std::string api_key;  // sent as a bearer token when set
    int timeout_s = 600;  // per request
};

class EndpointError : public Error {
  public:
    EndpointError(const std::string& what, bool retryable) : Error(what), retryable_(retryable) {}
    bool retryable() const { return retryable_; }

  private:
    bool retryable_;
};

struct ChatReply {
    Json message;  // choices[0].message
    std::string finish_reason;
    int prompt_tokens = 0, completion_tokens = 0;
};

class ChatClient {
  public:
    explicit ChatClient(const EndpointConfig& config);
    ~ChatClient();
    ChatClient(const ChatClient&) = delete;
    ChatClient& operator=(const ChatClient&) = delete;

    const std::string& base() const { return base_; }
    // The first model GET /v1/models lists.
    std::string first_model();
    // A non-streaming chat completion.
    ChatReply complete(const Json& body);

  private:
    std::string base_;
    std::unique_ptr<httplib::Client> http_;
};

// The assistant text of a message; "" when content is null or absent (a tool-call turn).
std::string content_of(const Json& message);

}  // namespace flash::client
