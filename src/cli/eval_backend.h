// What `flash eval` suites run against: a model loaded here (-m, --chat-template, ...) or an
// OpenAI-compatible server (--endpoint URL, --served-model, --api-key). Shared by the suite
// commands and `flash eval all`.
#pragma once

#include <memory>
#include <string>

#include "cli/common.h"
#include "eval/backend.h"

namespace flash::cli {

struct EvalBackendOptions {
    ModelOptions model;
    std::string chat_template;
    std::string tool_format;
    eval::EndpointOptions endpoint;
};

// -m/-t/... plus --chat-template and the endpoint options; `tool_format` adds --tool-format.
void add_eval_backend_options(CLI::App& cmd, EvalBackendOptions& o, bool tool_format = false);

// The backend asked for, and what the reports name: the model, its file (or the URL) and the
// chat template ("(server's)" through an endpoint).
struct EvalTarget {
    LoadedModel loaded;  // empty through an endpoint
    std::unique_ptr<Session> session;
    std::unique_ptr<eval::Backend> backend;
    std::string model_name, model_file, template_name;
    bool endpoint = false;
};
EvalTarget open_eval_target(const EvalBackendOptions& o);

}  // namespace flash::cli
