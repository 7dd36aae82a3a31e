// prepare_conversation / check_conversation: what a conversation must look like before it is
// rendered, with errors that name the message.
#include <gtest/gtest.h>

#include "common/error_of.h"
#include "tools/conversation.h"

namespace flash::tools {
namespace {

Json parse(const char* text) {
    return Json::parse(text);
}

TEST(Conversation, ACallAnsweredByItsResultThenAUserTurnIsAccepted) {
    EXPECT_NO_THROW(check_conversation(parse(R"([
        {"role": "user", "content": "Weather in Lyon?"},
        {"role": "assistant", "content": null, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{}"}},
            {"id": "c2", "type": "function", "function": {"name": "w", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c2", "content": "sunny"},
        {"role": "tool", "tool_call_id": "c1", "content": "rain"},
        {"role": "user", "content": "Thanks"}])")));
}

TEST(Conversation, AUserTurnBeforeEveryCallHasItsResultIsRefused) {
    const std::string e = testing::error_of([] {
        check_conversation(parse(R"([
            {"role": "user", "content": "Weather in Lyon?"},
            {"role": "assistant", "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{}"}},
                {"id": "c2", "type": "function", "function": {"name": "w", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "rain"},
            {"role": "user", "content": "And Paris?"}])"));
    });
    EXPECT_NE(e.find("messages[3]: a user message cannot follow an assistant message with "
                     "tool_calls"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("missing: 'c2'"), std::string::npos) << e;
    EXPECT_EQ(e.find("'c1'"), std::string::npos) << e;
}

TEST(Conversation, AnAssistantTurnRightAfterCallsIsRefusedToo) {
    const std::string e = testing::error_of([] {
        check_conversation(parse(R"([
            {"role": "user", "content": "hi"},
            {"role": "assistant", "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{}"}}]},
            {"role": "assistant", "content": "done"}])"));
    });
    EXPECT_NE(e.find("messages[2]: an assistant message cannot follow"), std::string::npos) << e;
}

TEST(Conversation, AConversationMayEndOnItsCalls) {
    // What a client sends to see the calls again, or a transcript cut after them.
    EXPECT_NO_THROW(check_conversation(parse(R"([
        {"role": "user", "content": "hi"},
        {"role": "assistant", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{}"}}]}])")));
}

}  // namespace
}  // namespace flash::tools
