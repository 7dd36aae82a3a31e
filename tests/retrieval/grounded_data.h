// The grounded-answer suite (data/eval/grounded) for retrieval tests: questions with their
// documents and gold support quotes, and the whitespace collapsing the suite compares by.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace flash::testing {

struct SupportQuote {
    std::string document, quote;
};

struct GroundedQuestion {
    std::string id, question;
    std::vector<std::string> documents;
    bool answerable = false;
    std::vector<SupportQuote> support;
};

inline std::string grounded_dir() {
    return std::string(FLASH_SOURCE_DIR) + "/data/eval/grounded";
}

inline std::string grounded_document(const std::string& name) {
    return grounded_dir() + "/documents/" + name;
}

inline std::vector<GroundedQuestion> grounded_questions() {
    const std::string path = grounded_dir() + "/questions.jsonl";
    std::ifstream in(path);
    EXPECT_TRUE(in.good()) << "cannot read " << path;
    std::vector<GroundedQuestion> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto j = nlohmann::json::parse(line);
        GroundedQuestion q{j["id"], j["question"], j["documents"], j["answerable"], {}};
        for (const auto& s : j["support"]) q.support.push_back({s["document"], s["quote"]});
        out.push_back(std::move(q));
    }
    return out;
}

// Every run of whitespace becomes one space; no space at either end.
inline std::string collapse_whitespace(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            space = !out.empty();
        } else {
            if (space) out += ' ';
            space = false;
            out += c;
        }
    }
    return out;
}

}  // namespace flash::testing
