// The in-process backend: ToolCaller, GroundedAnswerer and InstructionFollower on one session,
// created on first use, sharing one Turn (so the grammar vocabulary is built once).
#include <optional>

#include "eval/backend.h"
#include "tools/tool_format.h"
#include "turn/turn.h"

namespace flash::eval {
namespace {

class InProcessBackend : public Backend {
  public:
    InProcessBackend(Session& session, ChatTemplate chat_template, std::string tool_format)
        : session_(session),
          turn_(std::move(chat_template), session.tokenizer()),
          tool_format_(std::move(tool_format)) {}

    std::string model_name() const override { return session_.model().config().name; }

    std::string description() const override {
        return model_name() + " (in process, template " + turn_.chat_template().name() + ")";
    }

    std::string tool_format() override { return caller().format().name(); }

    tools::ToolResponse call_tools(const tools::ToolRequest& request) override {
        return caller().respond(request);
    }

    ask::AskResult ask(const retrieval::Index& index, std::string_view question,
                       const ask::AskOptions& options, ask::AskTrace* trace) override {
        if (!answerer_) answerer_.emplace(session_, turn_);
        return answerer_->ask(index, question, options, trace);
    }

    follow::InstructedGeneration follow(const std::string& prompt,
                                        const std::vector<instruct::Instruction>& instructions,
                                        const follow::FollowOptions& options) override {
        if (!follower_) follower_.emplace(session_, turn_);
        return follower_->follow(prompt, instructions, options);
    }

  private:
    tools::ToolCaller& caller() {
        if (!caller_)
            caller_.emplace(session_, turn_,
                            tool_format_.empty() ? nullptr : tools::make_tool_format(tool_format_));
        return *caller_;
    }

    Session& session_;
    turn::Turn turn_;
    std::string tool_format_;
    std::optional<tools::ToolCaller> caller_;
    std::optional<ask::GroundedAnswerer> answerer_;
    std::optional<follow::InstructionFollower> follower_;
};

}  // namespace

std::unique_ptr<Backend> make_in_process_backend(Session& session, ChatTemplate chat_template,
                                                 const std::string& tool_format) {
    return std::make_unique<InProcessBackend>(session, std::move(chat_template), tool_format);
}

}  // namespace flash::eval
