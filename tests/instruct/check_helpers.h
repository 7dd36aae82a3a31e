// Shorthands for the checker tests: build an Instruction and check a text strictly or loosely.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "instruct/check.h"

namespace flash::instruct::testing {

inline CheckResult strict(const std::string& type, nlohmann::json args, std::string_view text) {
    return check(Instruction{type, std::move(args)}, text);
}

inline CheckResult loose(const std::string& type, nlohmann::json args, std::string_view text) {
    return check_loose(Instruction{type, std::move(args)}, text);
}

inline bool passes(const std::string& type, nlohmann::json args, std::string_view text) {
    return strict(type, std::move(args), text).passed;
}

}  // namespace flash::instruct::testing
