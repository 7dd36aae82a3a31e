#include "serve/request.h"

#include <random>
#include <set>

#include "core/error.h"
#include "core/json_input.h"
#include "runtime/sampler.h"
#include "tools/conversation.h"

namespace flash::serve {
namespace {

std::string type_name(const Json& v) {
    if (v.is_null()) return "null";
    if (v.is_boolean()) return "a boolean";
    if (v.is_number_integer() || v.is_number_unsigned()) return "an integer";
    if (v.is_number()) return "a number";
    if (v.is_string()) return "a string";
    if (v.is_array()) return "an array";
    return "an object";
}

ApiError wrong_type(const std::string& param, const Json& v, const std::string& expected) {
    return bad_request("Invalid type for '" + param + "': expected " + expected + ", but got " +
                           type_name(v) + ".",
                       param);
}

// Refuses members no endpoint knows, as OpenAI does.
void check_fields(const Json& body, const std::set<std::string>& known) {
    if (!body.is_object()) throw bad_request("The request body must be a JSON object.");
    for (const auto& [key, _] : body.items())
        if (!known.count(key))
            throw bad_request("Unrecognized request argument supplied: " + excerpt(key, 60),
                              excerpt(key, 60));
}

bool get_bool(const Json& body, const std::string& key, bool fallback) {
    if (!body.contains(key) || body[key].is_null()) return fallback;
    if (!body[key].is_boolean()) throw wrong_type(key, body[key], "a boolean");
    return body[key].get<bool>();
}

double get_number(const Json& body, const std::string& key, double fallback, ValueRange range) {
    const auto [lo, hi] = range;
    if (!body.contains(key) || body[key].is_null()) return fallback;
    if (!body[key].is_number()) throw wrong_type(key, body[key], "a number");
    const double v = body[key].get<double>();
    if (v < lo || v > hi)
        throw bad_request(key + " must be between " + Json(lo).dump() + " and " + Json(hi).dump() +
                              ", got " + body[key].dump() + ".",
                          key);
    return v;
}

int64_t get_int(const Json& body, const std::string& key, int64_t fallback, int64_t lo,
                int64_t hi) {
    if (!body.contains(key) || body[key].is_null()) return fallback;
    const Json& v = body[key];
    if (!v.is_number_integer() && !v.is_number_unsigned()) throw wrong_type(key, v, "an integer");
    const int64_t n = v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)
                          ? INT64_MAX
                          : v.get<int64_t>();
    if (n < lo || n > hi)
        throw bad_request(key + " must be between " + std::to_string(lo) + " and " +
                              std::to_string(hi) + ", got " + std::to_string(n) + ".",
                          key);
    return n;
}

// A whole-number setting whose range is in the shared table (runtime/sampler.h).
int64_t get_int(const Json& body, const std::string& key, int64_t fallback, ValueRange range) {
    return get_int(body, key, fallback, static_cast<int64_t>(range.lo),
                   static_cast<int64_t>(range.hi));
}

std::string get_string(const Json& body, const std::string& key) {
    if (!body.contains(key) || body[key].is_null()) return {};
    if (!body[key].is_string()) throw wrong_type(key, body[key], "a string");
    return body[key].get<std::string>();
}

// max_tokens, temperature, top_p, seed, stop, stream and flash's sampling extensions.
Sampling read_sampling(const Json& body) {
    Sampling s;
    // max_completion_tokens is chat's newer name for max_tokens; it wins when both are given.
    using namespace sampling_range;
    s.max_tokens = static_cast<int>(get_int(body, "max_tokens", 0, kMaxTokens));
    s.max_tokens =
        static_cast<int>(get_int(body, "max_completion_tokens", s.max_tokens, kMaxTokens));
    SamplingOverrides& c = s.sampler;
    // Only what the request names; the engine fills the rest from its preset.
    const auto given = [&](const char* key) { return body.contains(key) && !body[key].is_null(); };
    if (given("temperature"))
        c.temperature = static_cast<float>(get_number(body, "temperature", 0.0, kTemperature));
    if (given("top_p")) c.top_p = static_cast<float>(get_number(body, "top_p", 1.0, kTopP));
    if (given("top_k")) c.top_k = static_cast<int>(get_int(body, "top_k", 0, kTopK));
    if (given("min_p")) c.min_p = static_cast<float>(get_number(body, "min_p", 0.0, kMinP));
    if (given("repeat_penalty"))
        c.repeat_penalty =
            static_cast<float>(get_number(body, "repeat_penalty", 1.0, kRepeatPenalty));
    if (body.contains("seed") && !body["seed"].is_null()) {
        c.seed = static_cast<uint64_t>(get_int(body, "seed", 0, INT64_MIN, INT64_MAX));
    } else {
        c.seed = std::random_device{}();  // OpenAI: no seed, no promise of repetition
    }
    if (body.contains("stop") && !body["stop"].is_null()) {
        const Json& stop = body["stop"];
        if (stop.is_string()) {
            s.stop.push_back(stop.get<std::string>());
        } else if (stop.is_array()) {
            if (stop.size() > 4) throw bad_request("stop takes at most 4 sequences.", "stop");
            for (const Json& x : stop) {
                if (!x.is_string()) throw wrong_type("stop", x, "a string or an array of strings");
                s.stop.push_back(x.get<std::string>());
            }
        } else {
            throw wrong_type("stop", stop, "a string or an array of strings");
        }
    }
    s.stream = get_bool(body, "stream", false);
    if (body.contains("stream_options") && !body["stream_options"].is_null()) {
        const Json& so = body["stream_options"];
        if (!so.is_object()) throw wrong_type("stream_options", so, "an object");
        if (!s.stream)
            throw bad_request("stream_options is only allowed when stream is true.",
                              "stream_options");
        for (const auto& [key, _] : so.items())
            if (key != "include_usage" && key != "include_obfuscation")
                throw bad_request(
                    "Unrecognized request argument supplied: stream_options." + excerpt(key, 60),
                    "stream_options." + excerpt(key, 60));
        if (so.contains("include_usage") && !so["include_usage"].is_null()) {
            if (!so["include_usage"].is_boolean())
                throw wrong_type("stream_options.include_usage", so["include_usage"], "a boolean");
            s.include_usage = so["include_usage"].get<bool>();
        }
    }
    const int64_t n = get_int(body, "n", 1, 1, 128);
    if (n != 1) throw bad_request("n must be 1: flash returns one choice per request.", "n");
    if (body.contains("logit_bias") && !body["logit_bias"].is_null()) {
        if (!body["logit_bias"].is_object())
            throw wrong_type("logit_bias", body["logit_bias"], "an object");
        if (!body["logit_bias"].empty())
            throw bad_request("logit_bias is not supported.", "logit_bias");
    }
    get_number(body, "frequency_penalty", 0, {-2, 2});
    get_number(body, "presence_penalty", 0, {-2, 2});
    get_string(body, "model");
    get_string(body, "user");
    get_string(body, "service_tier");
    get_bool(body, "store", false);
    return s;
}

// A message's content as one string: a string, null, or an array of text parts.
Json flatten_content(const Json& content, const std::string& where) {
    if (content.is_null() || content.is_string()) return content;
    if (!content.is_array())
        throw wrong_type(where, content, "a string or an array of content parts");
    std::string text;
    for (size_t i = 0; i < content.size(); ++i) {
        const Json& part = content[i];
        const std::string at = where + "[" + std::to_string(i) + "]";
        if (!part.is_object() || !part.contains("type") || !part["type"].is_string())
            throw bad_request(at + ": a content part must be an object with a type.", at);
        const std::string type = part["type"].get<std::string>();
        if (type != "text")
            throw bad_request(
                at + ": content of type '" + excerpt(type, 40) + "' is not supported (text only).",
                at);
        if (!part.contains("text") || !part["text"].is_string())
            throw bad_request(at + ".text must be a string.", at + ".text");
        text += part["text"].get<std::string>();
    }
    return text;
}

Json read_messages(const Json& body) {
    if (!body.contains("messages"))
        throw bad_request("Missing required parameter: 'messages'.", "messages");
    const Json& in = body["messages"];
    if (!in.is_array()) throw wrong_type("messages", in, "an array");
    if (in.empty()) throw bad_request("'messages' must hold at least one message.", "messages");
    static const std::set<std::string> roles = {"system", "developer", "user", "assistant", "tool"};
    Json out = Json::array();
    for (size_t i = 0; i < in.size(); ++i) {
        const std::string at = "messages[" + std::to_string(i) + "]";
        const Json& m = in[i];
        if (!m.is_object()) throw wrong_type(at, m, "an object");
        if (!m.contains("role") || !m["role"].is_string())
            throw bad_request(at + ".role must be one of system, developer, user, assistant, tool.",
                              at + ".role");
        const std::string role = m["role"].get<std::string>();
        if (!roles.count(role))
            throw bad_request(at + ".role: '" + excerpt(role, 40) +
                                  "' is not one of system, developer, user, assistant, tool.",
                              at + ".role");
        const bool has_calls = m.contains("tool_calls") && !m["tool_calls"].is_null();
        if (!m.contains("content") && !(role == "assistant" && has_calls))
            throw bad_request(
                at + ".content is missing" +
                    (role == "assistant" ? " (an assistant message needs content or tool_calls)."
                                         : "."),
                at + ".content");
        Json msg = m;
        if (role == "developer") msg["role"] = "system";  // templates know system
        if (m.contains("content")) msg["content"] = flatten_content(m["content"], at + ".content");
        out.push_back(std::move(msg));
    }
    try {
        tools::check_conversation(out);
    } catch (const Error& e) {
        throw bad_request(e.what(), "messages");
    }
    return out;
}

grammar::ConstraintSpec read_response_format(const Json& body) {
    grammar::ConstraintSpec spec;
    if (!body.contains("response_format") || body["response_format"].is_null()) return spec;
    const Json& rf = body["response_format"];
    if (!rf.is_object()) throw wrong_type("response_format", rf, "an object");
    if (!rf.contains("type") || rf["type"].is_null())
        throw bad_request("response_format.type is missing: text, json_object or json_schema.",
                          "response_format.type");
    const std::string type = get_string(rf, "type");
    if (type == "text") return spec;
    if (type == "json_object") {
        spec.json_schema = R"({"type":"object"})";
        return spec;
    }
    if (type != "json_schema")
        throw bad_request("response_format.type must be text, json_object or json_schema, not '" +
                              excerpt(type, 40) + "'.",
                          "response_format.type");
    if (!rf.contains("json_schema") || !rf["json_schema"].is_object())
        throw bad_request("response_format.json_schema must be an object with a schema.",
                          "response_format.json_schema");
    const Json& js = rf["json_schema"];
    if (!js.contains("schema") || !(js["schema"].is_object() || js["schema"].is_boolean()))
        throw bad_request("response_format.json_schema.schema must be a JSON Schema object.",
                          "response_format.json_schema.schema");
    get_bool(js, "strict", false);
    // Always strict: flash enforces the whole schema or refuses it, strict or not.
    spec.json_schema = js["schema"].dump();
    return spec;
}

}  // namespace

Json parse_json_body(std::string_view body) {
    if (body.empty()) throw bad_request("The request body is empty; expected a JSON object.");
    try {
        return parse_json<Json>(body, "request body");
    } catch (const JsonInputError& e) {
        // "request body: invalid JSON at line 3, column 7: ...", "... nested deeper than ...",
        // "... number out of range at temperature: ..." — all the client's to fix.
        throw bad_request(e.what(), e.path());
    }
}

ChatRequest parse_chat_request(const Json& body) {
    check_fields(body, {"model",
                        "messages",
                        "tools",
                        "tool_choice",
                        "parallel_tool_calls",
                        "response_format",
                        "stream",
                        "stream_options",
                        "logprobs",
                        "top_logprobs",
                        "seed",
                        "max_tokens",
                        "max_completion_tokens",
                        "stop",
                        "temperature",
                        "top_p",
                        "n",
                        "user",
                        "store",
                        "metadata",
                        "frequency_penalty",
                        "presence_penalty",
                        "service_tier",
                        "logit_bias",
                        "top_k",
                        "min_p",
                        "repeat_penalty"});
    ChatRequest r;
    r.messages = read_messages(body);
    r.sampling = read_sampling(body);
    if (body.contains("tools") && !body["tools"].is_null()) {
        if (!body["tools"].is_array()) throw wrong_type("tools", body["tools"], "an array");
        try {
            r.tools = tools::parse_tools(body["tools"]);
        } catch (const Error& e) {
            throw bad_request(e.what(), "tools");
        }
    }
    if (body.contains("tool_choice") && !body["tool_choice"].is_null()) {
        try {
            r.choice = tools::ToolChoice::parse(body["tool_choice"]);
        } catch (const Error& e) {
            throw bad_request(e.what(), "tool_choice");
        }
        using Mode = tools::ToolChoice::Mode;
        if ((r.choice.mode == Mode::Required || r.choice.mode == Mode::Named) && r.tools.empty())
            throw bad_request("tool_choice is only allowed when tools are specified.",
                              "tool_choice");
        if (r.choice.mode == Mode::Named && !tools::find_tool(r.tools, r.choice.name))
            throw bad_request("tool_choice names '" + excerpt(r.choice.name, 60) +
                                  "', which is not among the tools.",
                              "tool_choice");
    }
    r.parallel = get_bool(body, "parallel_tool_calls", true);
    r.format = read_response_format(body);
    if (!r.format.empty() && r.offers_tools())
        throw bad_request(
            "response_format together with tools is not supported yet: set tool_choice to none, or "
            "leave out response_format.",
            "response_format");
    r.logprobs = get_bool(body, "logprobs", false);
    r.top_logprobs = static_cast<int>(get_int(body, "top_logprobs", 0, 0, 20));
    if (r.top_logprobs > 0 && !r.logprobs)
        throw bad_request("top_logprobs needs logprobs set to true.", "top_logprobs");
    if (body.contains("metadata") && !body["metadata"].is_null() && !body["metadata"].is_object())
        throw wrong_type("metadata", body["metadata"], "an object");
    return r;
}

CompletionRequest parse_completion_request(const Json& body) {
    check_fields(body, {"model",
                        "prompt",
                        "max_tokens",
                        "stream",
                        "stream_options",
                        "stop",
                        "temperature",
                        "top_p",
                        "n",
                        "seed",
                        "logprobs",
                        "echo",
                        "user",
                        "frequency_penalty",
                        "presence_penalty",
                        "logit_bias",
                        "best_of",
                        "suffix",
                        "top_k",
                        "min_p",
                        "repeat_penalty"});
    CompletionRequest r;
    if (!body.contains("prompt"))
        throw bad_request("Missing required parameter: 'prompt'.", "prompt");
    const Json& p = body["prompt"];
    if (p.is_string()) {
        r.prompt = p.get<std::string>();
    } else if (p.is_array() && p.size() == 1 && p[0].is_string()) {
        r.prompt = p[0].get<std::string>();
    } else {
        throw wrong_type("prompt", p, "a string");
    }
    if (r.prompt.empty()) throw bad_request("'prompt' is empty.", "prompt");
    r.sampling = read_sampling(body);
    if (r.sampling.max_tokens == 0) r.sampling.max_tokens = 16;  // OpenAI's default here
    if (body.contains("logprobs") && !body["logprobs"].is_null())
        r.logprobs = static_cast<int>(get_int(body, "logprobs", 0, 0, 5));
    r.echo = get_bool(body, "echo", false);
    if (get_int(body, "best_of", 1, 1, 20) != 1) throw bad_request("best_of must be 1.", "best_of");
    if (!get_string(body, "suffix").empty())
        throw bad_request("suffix (fill-in-the-middle) is not supported.", "suffix");
    return r;
}

AnswerRequest parse_answer_request(const Json& body) {
    check_fields(body, {"model", "question", "documents", "max_claims", "user"});
    AnswerRequest r;
    r.question = get_string(body, "question");
    if (r.question.empty())
        throw bad_request("Missing required parameter: 'question' (a non-empty string).",
                          "question");
    if (body.contains("documents") && !body["documents"].is_null()) {
        const Json& docs = body["documents"];
        if (!docs.is_array()) throw wrong_type("documents", docs, "an array");
        std::set<std::string> titles;
        for (size_t i = 0; i < docs.size(); ++i) {
            const std::string at = "documents[" + std::to_string(i) + "]";
            Document d;
            if (docs[i].is_string()) {
                d.text = docs[i].get<std::string>();
            } else if (docs[i].is_object()) {
                for (const auto& [key, _] : docs[i].items())
                    if (key != "title" && key != "text")
                        throw bad_request(
                            "Unrecognized request argument supplied: " + at + "." + key,
                            at + "." + key);
                d.title = get_string(docs[i], "title");
                if (!docs[i].contains("text") || !docs[i]["text"].is_string())
                    throw bad_request(at + ".text must be a string.", at + ".text");
                d.text = docs[i]["text"].get<std::string>();
            } else {
                throw wrong_type(at, docs[i], "an object {title, text} or a string");
            }
            if (d.title.empty()) d.title = "document-" + std::to_string(i + 1);
            if (!titles.insert(d.title).second)
                throw bad_request(
                    at + ".title: '" + d.title + "' is used twice; titles name citations.",
                    at + ".title");
            r.documents.push_back(std::move(d));
        }
    }
    r.max_claims = static_cast<int>(get_int(body, "max_claims", 0, 1, 10));
    return r;
}

}  // namespace flash::serve
