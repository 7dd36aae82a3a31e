// One training example as the dataset stores it: OpenAI chat messages (assistant tool_calls
// included), the tools offered, and what it is and how it was checked. The row shape Hugging
// Face `datasets` and TRL's SFT trainer read unchanged. Depends on core/.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flash::data {

using Json = nlohmann::ordered_json;

struct Example {
    std::string id;      // unique, stable across builds with the same seed
    std::string family;  // "grounded", "tools" or "instruct"
    std::string kind;    // e.g. "number", "parallel", "multi_turn"
    std::string source;  // what it was built from ("documents.jsonl#doc_014", "tools_catalog…")
    // What decides the split: examples from one document or function stay together, so the
    // test split holds sources the training split never saw.
    std::string group;
    Json messages = Json::array();
    Json tools;                       // null: none offered
    std::vector<std::string> checks;  // the verifications it passed
    Json verifier;  // what re-checks it (instruction ids and args, gold calls); null: none
    // Kept in the build's state, not in the row: what a grounded example's context was
    // (documents, numbered sentences) and the number of the supporting sentence (0 for an
    // unanswerable question) — what a teacher's reply is checked against.
    Json context;

    // The dataset row: id, family, kind, source, messages, tools, checks, verifier. tools and
    // verifier are JSON text ("[]" when none): tool schemas differ from row to row, and a
    // columnar loader (Hugging Face datasets, Arrow) needs one type per column.
    Json to_json() const;
    // The row plus group and context: what the build's state stores to resume.
    Json to_state() const;
    static Example from_state(const Json& state);
};

// Messages back from the uniform row shape: members that do not apply (written as null) left
// out; `content` kept even when null (an assistant turn of calls has no text).
Json compact_messages(const Json& messages);

// All the text a person wrote in the example (messages' contents and call arguments), for
// deduplication and decontamination.
std::string example_text(const Example& example);

}  // namespace flash::data
