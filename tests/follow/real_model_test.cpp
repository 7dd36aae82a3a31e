// The real SmolLM2-135M-Instruct (FLASH_SMOLLM2, set by scripts/test.sh) under enforcement:
// five prompts with enforceable instructions, greedy, no retries — every enforced instruction
// must pass its checker on the model's own output.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "chat/chat_template.h"
#include "follow/follow.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace flash::follow {
namespace {

std::string model_from_env(const char* variable) {
    const char* env = std::getenv(variable);
    return env && *env && std::filesystem::exists(env) ? env : "";
}

struct Case {
    std::string prompt;
    std::vector<instruct::Instruction> instructions;
};

TEST(RealModelSmolLM2, EnforcedInstructionsPassTheirCheckers) {
    const std::string path = model_from_env("FLASH_SMOLLM2");
    if (path.empty())
        GTEST_SKIP() << "FLASH_SMOLLM2 is not set to the pulled model (scripts/test.sh sets it; "
                        "or run: flash pull smollm2)";
    const auto model = Model::load(path);
    const Tokenizer tokenizer = Tokenizer::from_gguf(model->gguf());
    SessionOptions session_options;
    session_options.n_threads = 1;
    session_options.n_ctx = 1024;
    Session session(*model, &tokenizer, session_options);
    InstructionFollower follower(session, ChatTemplate::from_gguf(model->gguf()));

    const std::vector<Case> cases = {
        {"Write a short note to a neighbour about a lost cat.",
         {{"case:lowercase", {}}, {"punctuation:no_comma", {}}}},
        {"Give tips for sleeping better.", {{"format:bullet_count", {{"num_bullets", 3}}}}},
        {"Describe a sunny day at the beach.",
         {{"case:uppercase", {}},
          {"startend:end_checker", {{"end_phrase", "Is there anything else I can help with?"}}}}},
        {"Describe your favourite fruit as JSON.", {{"format:json", {}}}},
        {"Explain what a rainbow is.",
         {{"length:words", {{"relation", "less than"}, {"num_words", 25}}},
          {"startend:start_checker", {{"start_phrase", "Well"}}}}},
    };
    FollowOptions options;
    options.retries = 0;
    options.generation.max_tokens = 128;
    for (const Case& c : cases) {
        const InstructedGeneration g = follower.follow(c.prompt, c.instructions, options);
        for (const InstructionReport& r : g.instructions) {
            EXPECT_TRUE(r.enforced) << r.instruction.type << ": " << r.how;
            EXPECT_TRUE(r.passed) << r.instruction.type << ": " << r.reason << "\n---\n"
                                  << g.response << "\n---";
        }
    }
}

}  // namespace
}  // namespace flash::follow
