// A teacher model on a loopback port for the dataset's tests: an OpenAI-compatible server
// (cpp-httplib) whose replies come from a function of the request, counting what it was asked.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

namespace flash::data {

class FakeTeacher {
  public:
    using Json = nlohmann::ordered_json;
    struct Answer {
        int status = 200;
        Json message;  // the assistant message (status 200)
    };
    using Reply = std::function<Answer(const Json& request)>;

    explicit FakeTeacher(Reply reply) : reply_(std::move(reply)) {
        server_.Get("/v1/models", [](const httplib::Request&, httplib::Response& res) {
            res.set_content(R"({"object":"list","data":[{"id":"fake-teacher"}]})",
                            "application/json");
        });
        server_.Post("/v1/chat/completions", [this](const httplib::Request& req,
                                                    httplib::Response& res) {
            ++requests;
            Answer a;
            {
                std::lock_guard lock(mutex_);
                a = reply_(Json::parse(req.body));
            }
            res.status = a.status;
            if (a.status != 200) {
                res.set_content(R"({"error":{"message":"the teacher is down"}})",
                                "application/json");
                return;
            }
            const Json body{
                {"choices", Json::array({Json{
                                {"index", 0}, {"message", a.message}, {"finish_reason", "stop"}}})},
                {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 5}}}};
            res.set_content(body.dump(), "application/json");
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~FakeTeacher() {
        server_.stop();
        thread_.join();
    }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
    void set_reply(Reply reply) {
        std::lock_guard lock(mutex_);
        reply_ = std::move(reply);
    }

    std::atomic<int> requests{0};

  private:
    httplib::Server server_;
    std::mutex mutex_;
    Reply reply_;
    int port_ = 0;
    std::thread thread_;
};

}  // namespace flash::data
