// The teacher: a larger model behind any OpenAI-compatible endpoint (flash serve,
// llama-server, vLLM; several for a fleet) writes the final reply of built examples, and the
// checks that built them decide — a reply that passes replaces the built one, a reply that
// fails is counted by reason and the built reply stays. Replies are saved in the build's state
// as they arrive, so a build whose teacher went down resumes without asking twice.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "data/build_state.h"
#include "data/example.h"

namespace flash::data {

struct TeacherOptions {
    std::vector<std::string> urls;  // none: no teacher
    std::string model;              // empty: the first model the first URL lists
    std::string api_key;
    int concurrency = 4;     // requests in flight, spread over the URLs
    size_t limit = 0;        // examples sent (the first eligible ones in row order); 0: all
    int retries = 4;         // further tries per request after a retryable failure
    double backoff_s = 1.0;  // the first wait; doubled each try
    int timeout_s = 300;
    int max_tokens = 512;
};

struct TeacherReport {
    std::string model;
    std::map<std::string, int64_t> sent, kept;  // by family
    std::map<std::string, int64_t> rejected;    // "family: reason"
    double seconds = 0;
};

// Throws flash::Error when a URL cannot be an endpoint (before any work is done).
void check_teacher_urls(const TeacherOptions& options);

// Whether the teacher writes this example's final reply: every kind whose reply has a check
// (not the final answer of a tool conversation, which rests on a tool result).
bool teacher_eligible(const Example& example);

// The messages before the final reply: what the teacher is asked to continue.
Json teacher_messages(const Example& example);

// Why `message` (an assistant message) fails the example's checks; empty when it passes.
std::string check_reply(const Example& example, const Json& message);

// The example with its final reply replaced by `message` (calls given this dataset's ids).
Example with_reply(Example example, const Json& message);

// Called after each reply: done and total for this run, and the report so far.
using TeacherProgress = std::function<void(size_t done, size_t total, const TeacherReport& report)>;

// A check of the example as it would be with the teacher's reply (the build's: no overlap with
// the evaluation suites); a reason to reject it, or empty.
using ReplyCheck = std::function<std::string(const Example& with_teacher_reply)>;

// Asks the teacher for the chosen examples' replies (taking those already in `state`), checks
// them (check_reply, then `also_check`) and keeps those that pass. Throws flash::Error, after
// saving what arrived, when an endpoint still fails after its retries.
TeacherReport run_teacher(std::vector<Example>& examples, const TeacherOptions& options,
                          BuildState& state, const ReplyCheck& also_check = {},
                          const TeacherProgress& progress = {});

}  // namespace flash::data
