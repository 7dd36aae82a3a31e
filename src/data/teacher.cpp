#include "data/teacher.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "ask/answer_format.h"
#include "ask/grounded.h"
#include "client/chat_client.h"
#include "core/error.h"
#include "data/grounded_examples.h"
#include "data/instruct_examples.h"
#include "data/tool_examples.h"
#include "instruct/check.h"
#include "tools/tool_spec.h"

namespace flash::data {
namespace {

using client::content_of;

size_t final_reply(const Example& e) {
    for (size_t i = e.messages.size(); i-- > 0;)
        if (e.messages[i].value("role", "") == "assistant") return i;
    throw Error("example " + e.id + " has no assistant reply");
}

std::string user_text(const Example& e) {
    std::string text;
    for (const Json& m : e.messages)
        if (m.value("role", "") == "user") text += content_of(m) + "\n";
    return text;
}

Json calls_of(const Json& message) {
    const auto it = message.find("tool_calls");
    return it != message.end() && it->is_array() ? *it : Json::array();
}

// A call's arguments: OpenAI sends them as JSON text, some servers as an object.
Json arguments_of(const Json& function) {
    const Json raw = function.value("arguments", Json("{}"));
    return raw.is_string() ? Json::parse(raw.get<std::string>()) : raw;
}

std::string check_grounded(const Example& e, const Json& message) {
    if (!calls_of(message).empty()) return "called a tool";
    const ask::AskContext context = context_from_json(e.context);
    const std::vector<int> support = e.context.at("support").get<std::vector<int>>();
    // The reply itself is judged, not what verification would make of it: flash would turn an
    // unsupported answer into an abstention, but a model trained on it would learn to answer.
    const ask::DraftAnswer draft = ask::parse_answer(content_of(message));
    if (support.empty())
        return draft.abstained && draft.claims.empty() ? "" : "answered an unanswerable question";
    if (draft.abstained || draft.claims.empty()) return "abstained on an answerable question";
    const ask::AskResult r = ask::resolve_answer(draft, context, ask::VerifyOptions{},
                                                 e.context.at("question").get<std::string>());
    if (r.abstained || !r.dropped.empty()) return "a claim its citations do not support";
    std::set<int> cited;
    for (const ask::Claim& c : r.claims) {
        if (c.recited) return "its citations had to be replaced by verification";
        for (const ask::Citation& cite : c.citations) cited.insert(cite.context_id);
    }
    for (const int id : support)
        if (!cited.count(id)) return "does not cite every supporting sentence";
    return "";
}

std::string check_tools(const Example& e, const Json& message) {
    const Json gold = e.verifier.at("calls");
    const Json calls = calls_of(message);
    if (gold.empty()) {
        if (!calls.empty())
            return e.kind == "missing_argument" ? "called without the missing value"
                                                : "called a tool where none fits";
        const std::string text = content_of(message);
        if (text.find_first_not_of(" \n\t") == std::string::npos) return "empty reply";
        if (e.kind == "missing_argument" && text.find('?') == std::string::npos)
            return "does not ask for the missing value";
        return "";
    }
    if (calls.empty()) return "made no call";
    if (calls.size() != gold.size()) return "made another number of calls";
    const std::vector<tools::ToolSpec> offered = tools::parse_tools(e.tools);
    std::vector<bool> matched(gold.size(), false);
    for (const Json& c : calls) {
        const Json fn = c.value("function", Json::object());
        const tools::ToolSpec* spec =
            fn.is_object() ? tools::find_tool(offered, fn.value("name", "")) : nullptr;
        if (!spec) return "called a tool that is not offered";
        Json args;
        try {
            args = arguments_of(fn);
        } catch (const std::exception&) {
            return "arguments are not JSON";
        }
        if (!args.is_object() || !tools::arguments_valid(*spec, args))
            return "arguments fail the schema";
        if (!arguments_grounded(args, user_text(e), nullptr))
            return "an argument is not in the request";
        bool found = false;
        for (size_t g = 0; g < gold.size() && !found; ++g)
            if (!matched[g] && gold[g].at("name") == spec->name && gold[g].at("arguments") == args)
                matched[g] = found = true;
        if (!found) return "a call differs from the expected one";
    }
    return "";
}

std::string check_instruct(const Example& e, const Json& message) {
    const std::string text = content_of(message);
    if (!calls_of(message).empty()) return "called a tool";
    if (text.find_first_not_of(" \n\t") == std::string::npos) return "empty reply";
    std::vector<instruct::Instruction> instructions;
    for (const Json& i : e.verifier.at("instructions"))
        instructions.push_back({i.at("type").get<std::string>(), i.at("args")});
    const std::string failed = failed_instruction(instructions, text);
    return failed.empty() ? "" : "fails " + failed;
}

// One request with retries: transport failures, 408, 429 and 5xx are tried again after a
// doubling wait; anything else (a 400: the request itself is wrong) fails at once.
client::ChatReply ask_with_retries(client::ChatClient& client, const Json& body,
                                   const TeacherOptions& o, const std::atomic<bool>& stop) {
    double wait = o.backoff_s;
    for (int attempt = 0;; ++attempt) {
        try {
            return client.complete(body);
        } catch (const client::EndpointError& e) {
            if (!e.retryable() || attempt >= o.retries || stop) throw;
            std::this_thread::sleep_for(std::chrono::duration<double>(wait));
            wait *= 2;
        }
    }
}

}  // namespace

void check_teacher_urls(const TeacherOptions& o) {
    for (const std::string& url : o.urls) try {
            client::ChatClient client({url, o.api_key, o.timeout_s});
        } catch (const Error& e) {
            throw Error(std::string("--teacher: ") + e.what());
        }
}

bool teacher_eligible(const Example& e) {
    if (e.family == "grounded") return e.context.is_object();
    if (e.family == "tools") return e.kind != "multi_turn" && e.verifier.contains("calls");
    if (e.family == "instruct") return e.verifier.contains("instructions");
    return false;
}

Json teacher_messages(const Example& e) {
    Json out = Json::array();
    const size_t last = final_reply(e);
    for (size_t i = 0; i < last; ++i) out.push_back(e.messages[i]);
    return out;
}

std::string check_reply(const Example& e, const Json& message) {
    if (!message.is_object()) return "the reply is not a message";
    try {
        if (e.family == "grounded") return check_grounded(e, message);
        if (e.family == "tools") return check_tools(e, message);
        if (e.family == "instruct") return check_instruct(e, message);
    } catch (const nlohmann::json::exception&) {
        return "the reply is malformed";
    }
    return "no check for this family";
}

Example with_reply(Example e, const Json& message) {
    Json reply{{"role", "assistant"}, {"content", content_of(message)}};
    const Json calls = calls_of(message);
    if (!calls.empty()) {
        Json list = Json::array();
        for (size_t i = 0; i < calls.size(); ++i) {
            const Json& fn = calls[i]["function"];
            list.push_back(call_json(call_id(i), fn["name"].get<std::string>(), arguments_of(fn)));
        }
        reply = Json{{"role", "assistant"}, {"content", nullptr}, {"tool_calls", list}};
    }
    e.messages[final_reply(e)] = reply;
    e.checks.push_back("teacher_reply_verified");
    return e;
}

TeacherReport run_teacher(std::vector<Example>& examples, const TeacherOptions& o,
                          BuildState& state, const ReplyCheck& also_check,
                          const TeacherProgress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    if (o.urls.empty()) throw Error("--teacher: no URL given");
    if (o.concurrency < 1) throw Error("--concurrency must be at least 1");
    TeacherReport report;
    std::vector<size_t> chosen;
    for (size_t i = 0; i < examples.size() && (!o.limit || chosen.size() < o.limit); ++i)
        if (teacher_eligible(examples[i])) chosen.push_back(i);

    std::map<std::string, TeacherRecord> records = state.teacher_records();
    std::vector<size_t> pending;
    for (const size_t i : chosen)
        if (!records.count(examples[i].id)) pending.push_back(i);

    report.model = o.model;
    if (report.model.empty()) report.model = state.value("teacher_model").value_or("");
    if (report.model.empty()) {
        try {
            report.model =
                client::ChatClient({o.urls.front(), o.api_key, o.timeout_s}).first_model();
        } catch (const Error& e) {
            throw Error(std::string("teacher: ") + e.what());
        }
        state.set_value("teacher_model", report.model);
    }
    std::mutex mutex;
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::string failure;
    size_t done = chosen.size() - pending.size();
    auto count = [&](const Example& e, const TeacherRecord& r) {
        ++report.sent[e.family];
        if (r.reason.empty())
            ++report.kept[e.family];
        else
            ++report.rejected[e.family + ": " + r.reason];
    };
    for (const size_t i : chosen)
        if (records.count(examples[i].id)) count(examples[i], records[examples[i].id]);

    auto work = [&](size_t worker) {
        client::ChatClient client({o.urls[worker % o.urls.size()], o.api_key, o.timeout_s});
        while (!stop) {
            const size_t k = next++;
            if (k >= pending.size()) return;
            const Example& e = examples[pending[k]];
            Json body{{"model", report.model},
                      {"messages", teacher_messages(e)},
                      {"max_tokens", o.max_tokens},
                      {"temperature", 0}};
            if (e.tools.is_array() && !e.tools.empty()) body["tools"] = e.tools;
            TeacherRecord record;
            try {
                record.message = ask_with_retries(client, body, o, stop).message;
                record.reason = check_reply(e, record.message);
                if (record.reason.empty() && also_check)
                    record.reason = also_check(with_reply(e, record.message));
                state.save_teacher_record(e.id, record);
            } catch (const std::exception& err) {
                std::lock_guard lock(mutex);
                if (failure.empty()) failure = err.what();
                stop = true;
                return;
            }
            std::lock_guard lock(mutex);
            records[e.id] = record;
            count(e, record);
            ++done;
            if (progress) progress(done, chosen.size(), report);
        }
    };
    const size_t workers = std::min<size_t>(static_cast<size_t>(o.concurrency), pending.size());
    std::vector<std::thread> threads;
    for (size_t w = 0; w < workers; ++w) threads.emplace_back(work, w);
    for (std::thread& t : threads) t.join();
    if (!failure.empty())
        throw Error("teacher: " + failure + " (after " + std::to_string(o.retries) + " retries); " +
                    std::to_string(done) + " of " + std::to_string(chosen.size()) +
                    " replies are saved — run the same command again to resume");

    for (const size_t i : chosen) {
        const TeacherRecord& r = records.at(examples[i].id);
        if (r.reason.empty()) examples[i] = with_reply(std::move(examples[i]), r.message);
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return report;
}

}  // namespace flash::data
