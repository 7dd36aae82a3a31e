// OpenAI response bodies built from an engine Outcome: chat.completion and its streaming
// chat.completion.chunk events, text_completion, usage and logprobs, and the SSE framing.
// Depends on serve/engine.h (Outcome, TokenLogprob).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "serve/engine.h"

namespace flash::serve {

// "chatcmpl-" + 24 random characters, and the like.
std::string new_id(const std::string& prefix);
int64_t unix_now();

// JSON text; invalid UTF-8 (a token that is half a character) is replaced, never thrown on.
std::string dump(const Json& j);
// One server-sent event: "data: {json}\n\n".
std::string sse_event(const Json& j);

Json usage_json(const GenerationStats& s);
// {"content": [{"token", "logprob", "bytes", "top_logprobs": [...]}]}
Json chat_logprobs_json(const std::vector<TokenLogprob>& lps);

struct ResponseIds {
    std::string id;
    std::string model;
    int64_t created = 0;
};

Json chat_completion_json(const ResponseIds& ids, const Outcome& out, bool with_logprobs);
Json chat_chunk_json(const ResponseIds& ids, Json delta, Json finish_reason = nullptr,
                     Json logprobs = nullptr);
Json completion_json(const ResponseIds& ids, const Outcome& out, bool with_logprobs);
Json completion_chunk_json(const ResponseIds& ids, const std::string& text,
                           Json finish_reason = nullptr, Json logprobs = nullptr);
// The legacy completions logprobs shape: tokens, token_logprobs, top_logprobs, text_offset.
Json completion_logprobs_json(const std::vector<TokenLogprob>& lps, size_t text_offset = 0);

}  // namespace flash::serve
