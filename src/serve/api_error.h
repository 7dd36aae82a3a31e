// ApiError: a request the server refuses, with the HTTP status and OpenAI's error shape
// ({"error": {"message", "type", "param", "code"}}), so clients' own error classes work.
// Depends on nothing but nlohmann-json.
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace flash::serve {

using Json = nlohmann::ordered_json;

class ApiError : public std::runtime_error {
  public:
    ApiError(int status, std::string message, std::string param = {}, std::string type = {},
             std::string code = {})
        : std::runtime_error(message),
          status_(status),
          param_(std::move(param)),
          type_(type.empty() ? default_type(status) : std::move(type)),
          code_(std::move(code)) {}

    int status() const { return status_; }
    const std::string& param() const { return param_; }
    const std::string& type() const { return type_; }

    Json to_json() const {
        return {{"error",
                 {{"message", what()},
                  {"type", type_},
                  {"param", param_.empty() ? Json() : Json(param_)},
                  {"code", code_.empty() ? Json() : Json(code_)}}}};
    }

  private:
    static std::string default_type(int status) {
        switch (status) {
            case 401:
                return "invalid_request_error";
            case 404:
                return "not_found_error";
            case 429:
                return "rate_limit_error";
            case 503:
                return "server_error";
            case 504:
                return "timeout_error";
            default:
                return status >= 500 ? "server_error" : "invalid_request_error";
        }
    }

    int status_;
    std::string param_, type_, code_;
};

// 400 invalid_request_error naming the parameter.
inline ApiError bad_request(const std::string& message, const std::string& param = {}) {
    return ApiError(400, message, param);
}

}  // namespace flash::serve
