#include "eval/instruct_eval.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "core/error.h"
#include "instruct/check.h"

namespace flash::eval {

namespace {

using Json = nlohmann::ordered_json;
using Rate = InstructEvalReport::Rate;

InstructCase read_case(const std::string& line) {
    const auto j = nlohmann::json::parse(line);
    for (const char* key : {"id", "prompt", "instructions"})
        if (!j.contains(key)) throw Error("missing \"" + std::string(key) + "\"");
    if (!j["instructions"].is_array() || j["instructions"].empty())
        throw Error("\"instructions\" must be a non-empty array");
    InstructCase c{j["id"].get<std::string>(), j["prompt"].get<std::string>(), {}};
    for (const auto& item : j["instructions"]) {
        c.instructions.push_back(instruct::instruction_from_json(item));
        instruct::validate(c.instructions.back());
    }
    return c;
}

// "checked (passed on try 1)" → "checked"; "checked and retried (…)" → "retried".
std::string status_kind(const std::string& status) {
    if (status.starts_with("checked and retried")) return "retried";
    if (status.starts_with("checked")) return "checked";
    return status;
}

Json rate_json(const Rate& r) {
    return Json{{"value", r.value()}, {"hits", r.hits}, {"total", r.total}};
}

}  // namespace

std::vector<InstructCase> load_instruct_suite(const std::string& dir) {
    const std::string path = dir + "/prompts.jsonl";
    std::ifstream in(path);
    if (!in) throw Error(path + ": cannot open");
    std::vector<InstructCase> cases;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
            cases.push_back(read_case(line));
        } catch (const std::exception& e) {  // flash::Error and nlohmann's errors alike
            throw Error(path + ":" + std::to_string(n) + ": " + e.what());
        }
    }
    if (cases.empty()) throw Error(path + ": no prompts");
    return cases;
}

bool InstructCaseResult::strict() const {
    return std::all_of(scores.begin(), scores.end(), [](const auto& s) { return s.strict; });
}
bool InstructCaseResult::loose() const {
    return std::all_of(scores.begin(), scores.end(), [](const auto& s) { return s.loose; });
}

InstructEvalReport run_instruct_eval(Backend& backend, const std::vector<InstructCase>& cases,
                                     const follow::FollowOptions& options,
                                     const InstructEvalProgress& progress) {
    InstructEvalReport report;
    for (size_t i = 0; i < cases.size(); ++i) {
        const InstructCase& c = cases[i];
        const auto start = std::chrono::steady_clock::now();
        follow::InstructedGeneration g;
        try {
            g = backend.follow(c.prompt, c.instructions, options);
        } catch (const Error& e) {
            throw Error("prompt " + c.id + ": " + e.what());
        }
        InstructCaseResult r;
        r.id = c.id;
        r.response = g.response;
        r.tries = g.tries;
        r.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                   .count();
        for (const auto& report_item : g.instructions) {
            const auto& instruction = report_item.instruction;
            r.scores.push_back({instruction.type, report_item.passed,
                                instruct::check_loose(instruction, g.response).passed,
                                report_item.status(), report_item.reason});
        }
        report.results.push_back(std::move(r));
        if (progress) progress(i + 1, cases.size(), report.results.back());
    }
    return report;
}

Rate InstructEvalReport::prompt_strict() const {
    Rate r;
    for (const auto& x : results) ++r.total, r.hits += x.strict();
    return r;
}
Rate InstructEvalReport::prompt_loose() const {
    Rate r;
    for (const auto& x : results) ++r.total, r.hits += x.loose();
    return r;
}
Rate InstructEvalReport::instruction_strict() const {
    Rate r;
    for (const auto& x : results)
        for (const auto& s : x.scores) ++r.total, r.hits += s.strict;
    return r;
}
Rate InstructEvalReport::instruction_loose() const {
    Rate r;
    for (const auto& x : results)
        for (const auto& s : x.scores) ++r.total, r.hits += s.loose;
    return r;
}

std::map<std::string, std::pair<Rate, Rate>> InstructEvalReport::by_type() const {
    std::map<std::string, std::pair<Rate, Rate>> types;
    for (const auto& x : results)
        for (const auto& s : x.scores) {
            auto& [strict, loose] = types[s.type];
            ++strict.total, strict.hits += s.strict;
            ++loose.total, loose.hits += s.loose;
        }
    return types;
}

std::map<std::string, int> InstructEvalReport::by_status() const {
    std::map<std::string, int> counts;
    for (const auto& x : results)
        for (const auto& s : x.scores) ++counts[status_kind(s.status)];
    return counts;
}

Json InstructEvalReport::to_json() const {
    Json j{{"prompt_level_strict", rate_json(prompt_strict())},
           {"instruction_level_strict", rate_json(instruction_strict())},
           {"prompt_level_loose", rate_json(prompt_loose())},
           {"instruction_level_loose", rate_json(instruction_loose())}};
    Json types = Json::object();
    for (const auto& [type, rates] : by_type())
        types[type] = Json{{"strict", rate_json(rates.first)}, {"loose", rate_json(rates.second)}};
    j["by_type"] = types;
    Json statuses = Json::object();
    for (const auto& [status, n] : by_status()) statuses[status] = n;
    j["by_status"] = statuses;
    Json samples = Json::array();
    for (const auto& x : results) {
        Json scores = Json::array();
        for (const auto& s : x.scores)
            scores.push_back(Json{{"type", s.type},
                                  {"strict", s.strict},
                                  {"loose", s.loose},
                                  {"status", s.status},
                                  {"reason", s.reason}});
        samples.push_back(Json{{"id", x.id},
                               {"strict", x.strict()},
                               {"loose", x.loose()},
                               {"instructions", scores},
                               {"tries", x.tries},
                               {"output", x.response},
                               {"ms", x.ms}});
    }
    j["samples"] = samples;
    return j;
}

std::string InstructEvalReport::summary() const {
    std::string out;
    char line[200];
    auto row = [&](const std::string& name, const Rate& r) {
        std::snprintf(line, sizeof line, "  %-40s %6.1f%%  (%d/%d)\n", name.c_str(),
                      100 * r.value(), r.hits, r.total);
        out += line;
    };
    row("prompt-level strict", prompt_strict());
    row("instruction-level strict", instruction_strict());
    row("prompt-level loose", prompt_loose());
    row("instruction-level loose", instruction_loose());
    out += "  per instruction type (strict, loose):\n";
    for (const auto& [type, rates] : by_type()) {
        std::snprintf(line, sizeof line, "    %-38s %6.1f%% %6.1f%%  (of %d)\n", type.c_str(),
                      100 * rates.first.value(), 100 * rates.second.value(), rates.first.total);
        out += line;
    }
    out += "  instructions by outcome:";
    for (const auto& [status, n] : by_status()) out += " " + status + " " + std::to_string(n);
    return out + "\n";
}

}  // namespace flash::eval
