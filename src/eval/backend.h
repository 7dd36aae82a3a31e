// What the evaluation suites run against: one interface with an in-process implementation
// (flash's own engine, with its grammars, verification and instruction enforcement) and an
// endpoint one (any OpenAI-compatible server: flash serve, llama-server, Ollama, vLLM), so the
// same cases are scored the same way whichever engine produced the outputs.
// Depends on ask/, follow/, tools/.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ask/grounded.h"
#include "follow/follow.h"
#include "tools/tool_caller.h"

namespace flash::eval {

class Backend {
  public:
    virtual ~Backend() = default;

    // "SmolLM2-135M-Instruct (in process, template chatml, format json-list)" and the like.
    virtual std::string description() const = 0;
    virtual std::string model_name() const = 0;
    // The tool-call format the engine uses ("json-list", "pythonic", ...; "(server's)").
    virtual std::string tool_format() = 0;

    // One assistant turn with tools. Calls that do not parse or break their schema are left out
    // of `calls` and named in `problems`, whichever engine made them.
    virtual tools::ToolResponse call_tools(const tools::ToolRequest& request) = 0;

    // A grounded answer: the context is retrieved here, the draft comes from the engine, and
    // it is resolved and verified here (so verification is the same for every engine).
    virtual ask::AskResult ask(const retrieval::Index& index, std::string_view question,
                               const ask::AskOptions& options, ask::AskTrace* trace) = 0;

    // A response to `prompt` with its instructions checked (enforced where the engine can).
    virtual follow::InstructedGeneration follow(
        const std::string& prompt, const std::vector<instruct::Instruction>& instructions,
        const follow::FollowOptions& options) = 0;
};

// flash's engine on a loaded model. `tool_format` empty: the template's own.
std::unique_ptr<Backend> make_in_process_backend(Session& session, ChatTemplate chat_template,
                                                 const std::string& tool_format = "");

struct EndpointOptions {
    std::string url;      // http://host:port or http://host:port/v1
    std::string model;    // sent as "model"; empty: the first of GET /v1/models
    std::string api_key;  // sent as a bearer token when set
    int timeout_s = 600;  // per request
};

// An OpenAI-compatible server. Through it, generation is whatever the server does (no flash
// citation grammar or instruction enforcement unless the server is flash and applies them);
// parsing, verification and checking are flash's. Throws flash::Error when the server cannot be
// reached or answers with an error.
std::unique_ptr<Backend> make_endpoint_backend(const EndpointOptions& options);

}  // namespace flash::eval
