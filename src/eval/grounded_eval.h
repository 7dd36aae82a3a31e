// The grounded-answer evaluation: every question of data/eval/grounded through
// GroundedAnswerer with its own documents (an in-memory index), scored against the gold
// answers and supporting sentences — answer accuracy, citation precision and recall,
// abstention on unanswerable questions, false abstention on answerable ones. Each output is
// resolved twice, with verification on and off, so one run shows what verification buys.
// Depends on ask/.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ask/grounded.h"
#include "eval/backend.h"

namespace flash::eval {

using Json = nlohmann::ordered_json;

struct GroundedCase {
    std::string id, question;
    std::vector<std::string> documents;  // file names under the suite's documents/
    bool answerable = false;
    bool computed = false;  // the answer needs arithmetic over the support
    std::vector<std::string> answers;
    struct Quote {
        std::string document, quote;
    };
    std::vector<Quote> support;
};

// Reads dir/questions.jsonl (documents in dir/documents). Throws flash::Error naming the line.
std::vector<GroundedCase> load_grounded_suite(const std::string& dir);

// How one answer scored.
struct GroundedScore {
    bool abstained = false;
    // Answerable: not abstained, a gold answer is in the text, and every number in the text
    // comes from the gold answers, the support or the question (no hedging across values).
    bool answer_right = false;
    int citations = 0, citations_gold = 0;  // citations made; of those, gold sentences
    int gold = 0, gold_cited = 0;           // gold sentences; of those, cited
    int outside = 0;  // citations not resolving to the given documents' text (must stay 0)
    std::string answer;
    Json content;  // the answer's content blocks (citations included)
};

struct GroundedCaseResult {
    std::string id;
    bool answerable = false;
    GroundedScore verified, unverified;
    std::string raw, abstain_reason;
    Json dropped = Json::array();
    double ms = 0;
};

struct GroundedRates {
    struct Rate {
        int hits = 0, total = 0;
        double value() const { return total ? static_cast<double>(hits) / total : 0.0; }
    };
    Rate answer_accuracy;     // answerable questions answered right
    Rate citation_precision;  // citations (on answerable questions) that are gold sentences
    Rate citation_recall;     // gold sentences cited
    Rate abstention;          // unanswerable questions abstained on
    Rate false_abstention;    // answerable questions abstained on
    Rate overall;             // answered right or rightly abstained, over all questions
    int outside = 0;          // citations outside the documents (0 by construction)
};

struct GroundedEvalReport {
    std::vector<GroundedCaseResult> results;
    GroundedRates rates(bool verified) const;
    Json to_json() const;
    std::string summary() const;
};

struct GroundedEvalOptions {
    ask::AskOptions ask;  // verify settings apply to the "verified" column
    // Rescoring: the model's output per case id (from an earlier run's JSON) used instead of
    // generating — verification and scoring are deterministic given the output, so other
    // verification settings can be measured without the model.
    const std::map<std::string, std::string>* outputs = nullptr;
};

// The per-case outputs ({"cases": [{"id", "raw"}]}) of a `flash eval grounded --out` file.
std::map<std::string, std::string> load_grounded_outputs(const std::string& file);

using GroundedEvalProgress =
    std::function<void(size_t done, size_t total, const GroundedCaseResult&)>;

// `backend` may be null when options.outputs is set (rescoring needs no model).
GroundedEvalReport run_grounded_eval(Backend* backend, const std::string& dir,
                                     const std::vector<GroundedCase>& cases,
                                     const GroundedEvalOptions& options,
                                     const GroundedEvalProgress& progress = {});

// Whether `answer` contains one of `golds` after normalising case, punctuation and number
// formatting ("$1,200.00" meets "1200"), as a run of whole words.
bool answer_matches(const std::string& answer, const std::vector<std::string>& golds);

// An answerable case answered right: a gold answer is in the text, and every number in the
// text comes from the gold answers, the support or the question — an answer that hedges
// across values ("10, 15 or 30 days") is not right because one of them is.
bool answer_is_right(const std::string& answer, const GroundedCase& c);

}  // namespace flash::eval
