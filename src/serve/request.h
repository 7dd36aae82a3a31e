// OpenAI request bodies read into what the engine runs: /v1/chat/completions,
// /v1/completions and flash's /v1/answers. Every field is type-checked and range-checked
// here, so a bad request is a 400 naming the parameter before a slot is taken; an unknown
// field is refused as OpenAI refuses it. Depends on grammar/, runtime/ and tools/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/constraint_spec.h"
#include "runtime/sampling_preset.h"
#include "runtime/session.h"
#include "serve/api_error.h"
#include "tools/tool_call.h"
#include "tools/tool_spec.h"

namespace flash::serve {

// The body as JSON; malformed text is a 400 with the line and column of the fault.
Json parse_json_body(std::string_view body);

// What every generating endpoint shares.
struct Sampling {
    int max_tokens = 0;  // 0: the server's default
    // What the request set; the rest comes from the engine's preset (runtime/sampling_preset.h).
    SamplingOverrides sampler;
    std::vector<std::string> stop;
    bool stream = false;
    bool include_usage = false;  // stream_options.include_usage
};

struct ChatRequest {
    Json messages = Json::array();  // OpenAI messages, content parts joined into strings
    std::vector<tools::ToolSpec> tools;
    tools::ToolChoice choice;
    bool parallel = true;
    grammar::ConstraintSpec format;  // response_format (empty: free text)
    bool logprobs = false;
    int top_logprobs = 0;
    Sampling sampling;

    bool offers_tools() const {
        return !tools.empty() && choice.mode != tools::ToolChoice::Mode::None;
    }
};

struct CompletionRequest {
    std::string prompt;
    int logprobs = -1;  // -1: none; else how many alternatives per token (0..5)
    bool echo = false;
    Sampling sampling;
};

struct Document {
    std::string title;
    std::string text;
};

struct AnswerRequest {
    std::string question;
    std::vector<Document> documents;  // empty: the server's index
    int max_claims = 0;               // 0: the default shape
};

ChatRequest parse_chat_request(const Json& body);
CompletionRequest parse_completion_request(const Json& body);
AnswerRequest parse_answer_request(const Json& body);

}  // namespace flash::serve
