// The endpoint backend: the suites' requests as OpenAI chat completions over HTTP (cpp-httplib's
// client), the replies read back into the same structures the in-process engine fills, so the
// scoring cannot tell the engines apart.
#include <httplib.h>

#include <chrono>

#include "ask/answer_format.h"
#include "core/error.h"
#include "core/json_input.h"
#include "eval/backend.h"
#include "instruct/check.h"

namespace flash::eval {
namespace {

using Json = nlohmann::ordered_json;

// The assistant text of a message; "" when content is null or absent (a tool-call turn).
std::string content_of(const Json& message) {
    const auto it = message.find("content");
    return it != message.end() && it->is_string() ? it->get<std::string>() : "";
}

class EndpointBackend : public Backend {
  public:
    explicit EndpointBackend(const EndpointOptions& o) : options_(o) {
        std::string url = o.url;
        while (!url.empty() && url.back() == '/') url.pop_back();
        if (url.size() >= 3 && url.compare(url.size() - 3, 3, "/v1") == 0)
            url.resize(url.size() - 3);
        if (url.rfind("http://", 0) != 0)
            throw Error("endpoint '" + o.url + "': give an http:// URL (https is not built in)");
        base_ = url;
        client_ = std::make_unique<httplib::Client>(base_);
        client_->set_connection_timeout(10);
        client_->set_read_timeout(o.timeout_s);
        client_->set_write_timeout(o.timeout_s);
        if (!o.api_key.empty()) client_->set_bearer_token_auth(o.api_key.c_str());
        model_ = o.model.empty() ? first_model() : o.model;
    }

    std::string model_name() const override { return model_; }
    std::string tool_format() override { return "(server's)"; }
    std::string description() const override { return model_ + " (endpoint " + base_ + ")"; }

    tools::ToolResponse call_tools(const tools::ToolRequest& request) override {
        Json body = chat_body(request.messages, request.generation);
        Json offered = Json::array();
        for (const auto& t : request.tools) offered.push_back(t.openai);
        body["tools"] = offered;
        body["tool_choice"] =
            request.choice.mode == tools::ToolChoice::Mode::Required ? "required" : "auto";
        body["parallel_tool_calls"] = request.parallel;
        const Json message = complete(body, nullptr);
        tools::ToolResponse r;
        r.content = content_of(message);
        r.raw = message.dump();
        const Json calls = message.value("tool_calls", Json::array());
        r.attempted = calls.is_array() && !calls.empty();
        r.finish_reason = r.attempted ? "tool_calls" : "stop";
        int id = 0;
        for (const Json& c : calls.is_array() ? calls : Json::array()) {
            const Json fn = c.value("function", Json::object());
            const std::string name = fn.value("name", "");
            const tools::ToolSpec* spec = tools::find_tool(request.tools, name);
            if (!spec) {
                r.problems.push_back("call to '" + name + "', which is not offered");
                continue;
            }
            Json args;
            const Json raw_args = fn.value("arguments", Json("{}"));
            try {
                args = raw_args.is_string() ? Json::parse(raw_args.get<std::string>()) : raw_args;
            } catch (const std::exception&) {
                r.problems.push_back(name + ": arguments are not JSON: " + json_excerpt(raw_args));
                continue;
            }
            std::string why;
            if (!args.is_object() || !tools::arguments_valid(*spec, args, &why)) {
                r.problems.push_back(name + ": arguments break the schema: " + why);
                continue;
            }
            r.calls.push_back({"call_" + std::to_string(++id), name, args});
        }
        return r;
    }

    ask::AskResult ask(const retrieval::Index& index, std::string_view question,
                       const ask::AskOptions& options, ask::AskTrace* trace) override {
        ask::AskTrace local;
        ask::AskTrace& t = trace ? *trace : local;
        t = {};
        t.context = ask::build_context(index, question, options.retrieval, options.document_order);
        if (t.context.sentences.empty()) return ask::answer_without_context(t.context);
        const Json messages = ask::GroundedAnswerer::messages(question, t.context, options.shape);
        t.prompt = messages.dump();
        GenerationStats stats;
        const Json message = complete(chat_body(messages, options.generation), &stats);
        std::string raw = content_of(message);
        t.draft = ask::parse_answer(raw);
        ask::AskResult r = ask::resolve_answer(t.draft, t.context, options.verify, question);
        r.raw = std::move(raw);
        r.stats = stats;
        return r;
    }

    follow::InstructedGeneration follow(const std::string& prompt,
                                        const std::vector<instruct::Instruction>& instructions,
                                        const follow::FollowOptions& options) override {
        const Json messages = Json::array({Json{{"role", "user"}, {"content", prompt}}});
        GenerationStats stats;
        const Json message = complete(chat_body(messages, options.generation), &stats);
        follow::InstructedGeneration g;
        g.response = content_of(message);
        g.tries = g.kept_try = 1;
        g.generated_tokens = stats.generated_tokens;
        for (const instruct::Instruction& in : instructions) {
            follow::InstructionReport rep;
            rep.instruction = in;
            const instruct::CheckResult c = instruct::check(in, g.response);
            rep.passed = c.passed;
            rep.passed_on_try = c.passed ? 1 : 0;
            rep.how = "not enforced (endpoint)";
            rep.reason = c.reason;
            g.instructions.push_back(std::move(rep));
        }
        return g;
    }

  private:
    Json chat_body(const Json& messages, const GenerateOptions& g) const {
        Json body{{"model", model_}, {"messages", messages}, {"max_tokens", g.max_tokens}};
        body["temperature"] = g.sampling.temperature;
        if (g.sampling.temperature > 0) body["seed"] = g.sampling.seed;
        return body;
    }

    std::string first_model() {
        auto res = client_->Get("/v1/models");
        if (!res)
            throw Error("endpoint " + base_ + ": cannot connect (" +
                        httplib::to_string(res.error()) + ")");
        if (res->status != 200)
            throw Error("endpoint " + base_ + ": GET /v1/models answered " +
                        std::to_string(res->status) + "; name the model with --model");
        try {
            const Json j = Json::parse(res->body);
            return j.at("data").at(0).at("id").get<std::string>();
        } catch (const std::exception&) {
            throw Error("endpoint " + base_ +
                        ": GET /v1/models lists no model; name it with --model");
        }
    }

    // The assistant message of a non-streaming chat completion.
    Json complete(const Json& body, GenerationStats* stats) {
        const auto t0 = std::chrono::steady_clock::now();
        auto res = client_->Post("/v1/chat/completions", body.dump(), "application/json");
        if (!res)
            throw Error("endpoint " + base_ + ": request failed (" +
                        httplib::to_string(res.error()) + ")");
        Json j;
        try {
            j = Json::parse(res->body);
        } catch (const std::exception&) {
            throw Error("endpoint " + base_ + ": answered " + std::to_string(res->status) +
                        " with a body that is not JSON: " + res->body.substr(0, 200));
        }
        if (res->status != 200) {
            std::string msg = j.contains("error") && j["error"].is_object()
                                  ? j["error"].value("message", res->body)
                                  : res->body.substr(0, 300);
            throw Error("endpoint " + base_ + ": answered " + std::to_string(res->status) + ": " +
                        msg);
        }
        if (!j.contains("choices") || !j["choices"].is_array() || j["choices"].empty() ||
            !j["choices"][0].contains("message"))
            throw Error("endpoint " + base_ + ": the reply has no choices[0].message");
        if (stats) {
            const Json usage = j.value("usage", Json::object());
            stats->prompt_tokens = usage.value("prompt_tokens", 0);
            stats->generated_tokens = usage.value("completion_tokens", 0);
            stats->decode_ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                    .count();
            stats->stop_reason =
                stop_reason_from_finish_reason(j["choices"][0].value("finish_reason", ""));
        }
        return j["choices"][0]["message"];
    }

    EndpointOptions options_;
    std::string base_, model_;
    std::unique_ptr<httplib::Client> client_;
};

}  // namespace

std::unique_ptr<Backend> make_endpoint_backend(const EndpointOptions& options) {
    return std::make_unique<EndpointBackend>(options);
}

}  // namespace flash::eval
