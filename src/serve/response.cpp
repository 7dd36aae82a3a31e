#include "serve/response.h"

#include <chrono>
#include <random>

namespace flash::serve {
namespace {

Json bytes_of(const std::string& s) {
    Json b = Json::array();
    for (const unsigned char c : s) b.push_back(static_cast<int>(c));
    return b;
}

}  // namespace

std::string new_id(const std::string& prefix) {
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::string id = prefix;
    for (int i = 0; i < 24; ++i) id += alphabet[rng() % (sizeof alphabet - 1)];
    return id;
}

int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string dump(const Json& j) {
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string sse_event(const Json& j) {
    return "data: " + dump(j) + "\n\n";
}

Json usage_json(const GenerationStats& s) {
    return {{"prompt_tokens", s.prompt_tokens},
            {"completion_tokens", s.generated_tokens},
            {"total_tokens", s.prompt_tokens + s.generated_tokens},
            {"prompt_tokens_details", {{"cached_tokens", s.cached_tokens}}}};
}

Json chat_logprobs_json(const std::vector<TokenLogprob>& lps) {
    Json content = Json::array();
    for (const TokenLogprob& lp : lps) {
        Json top = Json::array();
        for (const auto& [token, logprob] : lp.top)
            top.push_back({{"token", token}, {"logprob", logprob}, {"bytes", bytes_of(token)}});
        content.push_back({{"token", lp.token},
                           {"logprob", lp.logprob},
                           {"bytes", bytes_of(lp.token)},
                           {"top_logprobs", std::move(top)}});
    }
    return {{"content", std::move(content)}, {"refusal", nullptr}};
}

Json chat_completion_json(const ResponseIds& ids, const Outcome& out, bool with_logprobs) {
    Json message{
        {"role", "assistant"},
        {"content", out.content.empty() && !out.tool_calls.empty() ? Json() : Json(out.content)},
        {"refusal", nullptr}};
    if (!out.tool_calls.empty()) message["tool_calls"] = out.tool_calls;
    Json choice{{"index", 0},
                {"message", std::move(message)},
                {"logprobs", with_logprobs ? chat_logprobs_json(out.logprobs) : Json()},
                {"finish_reason", out.finish_reason}};
    return {{"id", ids.id},
            {"object", "chat.completion"},
            {"created", ids.created},
            {"model", ids.model},
            {"system_fingerprint", "flash"},
            {"choices", Json::array({std::move(choice)})},
            {"usage", usage_json(out.stats)}};
}

Json chat_chunk_json(const ResponseIds& ids, Json delta, Json finish_reason, Json logprobs) {
    Json choice{{"index", 0},
                {"delta", std::move(delta)},
                {"logprobs", std::move(logprobs)},
                {"finish_reason", std::move(finish_reason)}};
    return {{"id", ids.id},
            {"object", "chat.completion.chunk"},
            {"created", ids.created},
            {"model", ids.model},
            {"system_fingerprint", "flash"},
            {"choices", Json::array({std::move(choice)})}};
}

Json completion_logprobs_json(const std::vector<TokenLogprob>& lps, size_t text_offset) {
    Json tokens = Json::array(), token_logprobs = Json::array(), top = Json::array(),
         offsets = Json::array();
    for (const TokenLogprob& lp : lps) {
        tokens.push_back(lp.token);
        token_logprobs.push_back(lp.logprob);
        Json alternatives = Json::object();
        for (const auto& [token, logprob] : lp.top) alternatives[token] = logprob;
        top.push_back(std::move(alternatives));
        offsets.push_back(text_offset);
        text_offset += lp.token.size();
    }
    return {{"tokens", std::move(tokens)},
            {"token_logprobs", std::move(token_logprobs)},
            {"top_logprobs", std::move(top)},
            {"text_offset", std::move(offsets)}};
}

Json completion_json(const ResponseIds& ids, const Outcome& out, bool with_logprobs) {
    Json choice{{"index", 0},
                {"text", out.content},
                {"logprobs", with_logprobs ? completion_logprobs_json(out.logprobs) : Json()},
                {"finish_reason", out.finish_reason}};
    return {{"id", ids.id},
            {"object", "text_completion"},
            {"created", ids.created},
            {"model", ids.model},
            {"system_fingerprint", "flash"},
            {"choices", Json::array({std::move(choice)})},
            {"usage", usage_json(out.stats)}};
}

Json completion_chunk_json(const ResponseIds& ids, const std::string& text, Json finish_reason,
                           Json logprobs) {
    Json choice{{"index", 0},
                {"text", text},
                {"logprobs", std::move(logprobs)},
                {"finish_reason", std::move(finish_reason)}};
    return {{"id", ids.id},
            {"object", "text_completion"},
            {"created", ids.created},
            {"model", ids.model},
            {"system_fingerprint", "flash"},
            {"choices", Json::array({std::move(choice)})}};
}

}  // namespace flash::serve
