#include "eval/tool_scoring.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <numeric>

#include "core/error.h"

namespace flash::eval {
namespace {

std::string normalize(const std::string& s) {
    std::string out;
    for (const char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const size_t b = out.find_first_not_of(" \t\n");
    if (b == std::string::npos) return "";
    out = out.substr(b, out.find_last_not_of(" \t\n") - b + 1);
    while (!out.empty() && std::string(".,!?;:").find(out.back()) != std::string::npos)
        out.pop_back();
    return out;
}

bool matches_one(const Json& value, const Json& a) {
    if (value.is_string() && a.is_string())
        return normalize(value.get<std::string>()) == normalize(a.get<std::string>());
    if (value.is_number() && a.is_number()) {
        const double x = value.get<double>(), y = a.get<double>();
        return std::fabs(x - y) <= 1e-9 * std::max(1.0, std::fabs(y));
    }
    if (value.is_boolean() && a.is_boolean()) return value == a;
    if (value.is_array() && a.is_array()) {
        if (value.size() != a.size()) return false;
        for (size_t i = 0; i < value.size(); ++i)
            if (!matches_one(value[i], a[i])) return false;
        return true;
    }
    if (value.is_object() && a.is_object()) {
        // Nested object: each member of `a` lists acceptable values, as top-level arguments do.
        for (const auto& [k, v] : value.items())
            if (!a.contains(k)) return false;
        for (const auto& [k, acc] : a.items()) {
            if (value.contains(k)) {
                if (!value_matches(value[k], acc)) return false;
            } else if (!(acc.is_array() &&
                         std::find(acc.begin(), acc.end(), Json("")) != acc.end())) {
                return false;
            }
        }
        return true;
    }
    return value.is_null() && a.is_null();
}

// One call against one expected call; `why` gets the first mismatch.
bool call_matches(const tools::ToolCall& call, const Json& expected, std::string* why) {
    if (call.name != expected["name"].get<std::string>()) {
        *why = "called " + call.name + ", expected " + expected["name"].get<std::string>();
        return false;
    }
    const Json& want = expected["arguments"];
    for (const auto& [k, v] : call.arguments.items()) {
        if (!want.contains(k)) {
            *why = call.name + ": unexpected argument '" + k + "'";
            return false;
        }
    }
    for (const auto& [k, acceptable] : want.items()) {
        if (call.arguments.contains(k)) {
            if (!value_matches(call.arguments[k], acceptable)) {
                *why = call.name + ": " + k + "=" + call.arguments[k].dump() + ", acceptable " +
                       acceptable.dump();
                return false;
            }
        } else if (std::find(acceptable.begin(), acceptable.end(), Json("")) == acceptable.end()) {
            *why = call.name + ": missing argument '" + k + "'";
            return false;
        }
    }
    return true;
}

}  // namespace

bool value_matches(const Json& value, const Json& acceptable) {
    if (!acceptable.is_array()) return matches_one(value, acceptable);
    for (const Json& a : acceptable) {
        if (a == Json("") && !(value.is_string() && value.get<std::string>().empty())) continue;
        if (matches_one(value, a)) return true;
    }
    return false;
}

CallScore score_calls(const std::vector<tools::ToolCall>& calls, const Json& expected) {
    CallScore s;
    std::vector<std::string> got, want;
    for (const auto& c : calls) got.push_back(c.name);
    for (const Json& e : expected) want.push_back(e["name"].get<std::string>());
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    s.names_right = got == want;
    if (!s.names_right) {
        s.why = expected.empty() ? "made a call where none fits"
                : calls.empty()  ? "made no call"
                                 : "wrong functions";
        return s;
    }
    if (calls.empty()) {
        s.right = true;
        return s;
    }
    // One-to-one matching in any order (a few calls at most, so try every permutation).
    std::vector<size_t> order(expected.size());
    std::iota(order.begin(), order.end(), 0);
    std::string first_why;
    do {
        bool all = true;
        for (size_t i = 0; i < calls.size() && all; ++i) {
            std::string why;
            all = call_matches(calls[i], expected[order[i]], &why);
            if (!all && first_why.empty()) first_why = why;
        }
        if (all) {
            s.right = true;
            return s;
        }
    } while (std::next_permutation(order.begin(), order.end()));
    s.why = first_why;
    return s;
}

std::vector<ToolCase> load_tool_cases(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error(path + ": cannot open");
    std::vector<ToolCase> cases;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const std::string where = path + ":" + std::to_string(n);
        Json j;
        try {
            j = Json::parse(line);
        } catch (const Json::parse_error& e) {
            throw Error(where + ": invalid JSON: " + e.what());
        }
        for (const char* key : {"id", "category", "question", "tools", "expected"})
            if (!j.contains(key)) throw Error(where + ": missing \"" + std::string(key) + "\"");
        if (!j["expected"].is_array() || !j["tools"].is_array())
            throw Error(where + ": \"tools\" and \"expected\" must be arrays");
        cases.push_back({j["id"].get<std::string>(), j["category"].get<std::string>(),
                         j["question"].get<std::string>(), j["tools"], j["expected"]});
    }
    return cases;
}

std::vector<ToolCase> load_tool_suite(const std::string& dir) {
    std::vector<ToolCase> all;
    for (const char* name : {"simple", "multiple", "parallel", "irrelevance"}) {
        auto cases = load_tool_cases(dir + "/" + name + ".jsonl");
        all.insert(all.end(), cases.begin(), cases.end());
    }
    return all;
}

}  // namespace flash::eval
