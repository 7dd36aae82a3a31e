// The endpoint backend: the suites' requests as OpenAI chat completions over HTTP (client/),
// the replies read back into the same structures the in-process engine fills, so the scoring
// cannot tell the engines apart.
#include <chrono>

#include "ask/answer_format.h"
#include "client/chat_client.h"
#include "core/error.h"
#include "core/json_input.h"
#include "eval/backend.h"
#include "instruct/check.h"

namespace flash::eval {
namespace {

using Json = nlohmann::ordered_json;

using client::content_of;

class EndpointBackend : public Backend {
  public:
    explicit EndpointBackend(const EndpointOptions& o)
        : client_({o.url, o.api_key, o.timeout_s}), base_(client_.base()) {
        model_ = o.model.empty() ? client_.first_model() : o.model;
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

    // The assistant message of a non-streaming chat completion.
    Json complete(const Json& body, GenerationStats* stats) {
        const auto t0 = std::chrono::steady_clock::now();
        const client::ChatReply reply = client_.complete(body);
        if (stats) {
            stats->prompt_tokens = reply.prompt_tokens;
            stats->generated_tokens = reply.completion_tokens;
            stats->decode_ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                    .count();
            stats->stop_reason = stop_reason_from_finish_reason(reply.finish_reason);
        }
        return reply.message;
    }

    client::ChatClient client_;
    std::string base_, model_;
};

}  // namespace

std::unique_ptr<Backend> make_endpoint_backend(const EndpointOptions& options) {
    return std::make_unique<EndpointBackend>(options);
}

}  // namespace flash::eval
