// Requests are refused before any work with a 400 naming the parameter, as OpenAI refuses
// them; what is accepted arrives in the engine's terms.
#include <gtest/gtest.h>

#include "serve/request.h"

namespace flash::serve {
namespace {

Json chat(Json extra = Json::object()) {
    Json body{{"model", "m"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
    for (auto& [k, v] : extra.items()) body[k] = v;
    return body;
}

// The ApiError a body raises, or a test failure when it raises none.
ApiError refusal(const Json& body) {
    try {
        parse_chat_request(body);
    } catch (const ApiError& e) {
        return e;
    }
    ADD_FAILURE() << "accepted: " << body.dump();
    return ApiError(0, "");
}

TEST(ParseJsonBody, MalformedJsonNamesLineAndColumn) {
    try {
        parse_json_body("{\n  \"model\": \"m\",\n  \"messages\": [,]\n}");
        FAIL() << "parsed";
    } catch (const ApiError& e) {
        EXPECT_EQ(e.status(), 400);
        EXPECT_NE(std::string(e.what()).find("line 3, column 16"), std::string::npos) << e.what();
    }
    EXPECT_THROW(parse_json_body(""), ApiError);
}

// Hostile bodies: 100,000-deep nesting (a 200 KB body; it crashed the server in the error
// message's formatting) and numbers no double holds are a 400 at parse time, naming the field.
ApiError body_refusal(const std::string& body) {
    try {
        parse_json_body(body);
    } catch (const ApiError& e) {
        return e;
    }
    ADD_FAILURE() << "parsed";
    return ApiError(0, "");
}

TEST(ParseJsonBody, DeepNestingIsA400NotACrash) {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    for (const std::string& body :
         {R"({"model":"m","messages":[{"role":"user","content":"hi"}],"tool_choice":)" + deep + "}",
          deep}) {
        const ApiError e = body_refusal(body);
        EXPECT_EQ(e.status(), 400);
        EXPECT_NE(std::string(e.what()).find("nested deeper than"), std::string::npos) << e.what();
        EXPECT_LT(std::string(e.what()).size(), 300u);
    }
}

TEST(ParseJsonBody, OverflowingNumbersAreA400NamingTheField) {
    ApiError e = body_refusal(R"({"model":"m","temperature":1e400})");
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.param(), "temperature");
    e = body_refusal(R"({"model":"m","seed":)" + std::string(100000, '7') + "}");
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.param(), "seed");
    EXPECT_LT(std::string(e.what()).size(), 400u);
}

TEST(ParseChatRequest, WrongTypesForStoreServiceTierAndMissingPartsAreRefused) {
    EXPECT_EQ(refusal(chat({{"store", "yes"}})).param(), "store");
    EXPECT_EQ(refusal(chat({{"service_tier", 5}})).param(), "service_tier");
    EXPECT_EQ(refusal(chat({{"messages", {{{"role", "user"}}}}})).param(), "messages[0].content");
    EXPECT_EQ(refusal(chat({{"messages", {{{"role", "assistant"}}}}})).param(),
              "messages[0].content");
    EXPECT_EQ(refusal(chat({{"response_format", Json::object()}})).param(), "response_format.type");
    // The valid forms still pass.
    EXPECT_NO_THROW(parse_chat_request(chat({{"store", false}, {"service_tier", "auto"}})));
    EXPECT_NO_THROW(parse_chat_request(chat({{"response_format", {{"type", "text"}}}})));
}

TEST(ParseChatRequest, NaNAndInfinityCannotArriveAndRangesComeFromTheSharedTable) {
    const ApiError e = refusal(chat({{"temperature", 2.5}}));
    EXPECT_EQ(e.param(), "temperature");
    EXPECT_NE(std::string(e.what()).find("temperature must be between 0.0 and 2.0"),
              std::string::npos)
        << e.what();
    EXPECT_EQ(refusal(chat({{"top_k", -1}})).param(), "top_k");
    EXPECT_EQ(refusal(chat({{"min_p", 2}})).param(), "min_p");
}

TEST(ParseChatRequest, UnknownFieldsAreRefusedAsOpenAiDoes) {
    const ApiError e = refusal(chat({{"bogus", 1}}));
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.param(), "bogus");
    EXPECT_STREQ(e.what(), "Unrecognized request argument supplied: bogus");
}

TEST(ParseChatRequest, WrongTypesAndRangesNameTheParameter) {
    EXPECT_EQ(refusal(chat({{"max_tokens", "10"}})).param(), "max_tokens");
    EXPECT_EQ(refusal(chat({{"temperature", 5}})).param(), "temperature");
    EXPECT_EQ(refusal(chat({{"top_p", -0.5}})).param(), "top_p");
    EXPECT_EQ(refusal(chat({{"n", 2}})).param(), "n");
    EXPECT_EQ(refusal(chat({{"stop", {"a", "b", "c", "d", "e"}}})).param(), "stop");
    EXPECT_EQ(refusal(chat({{"stream", "yes"}})).param(), "stream");
    EXPECT_EQ(refusal(chat({{"top_logprobs", 3}})).param(), "top_logprobs");  // needs logprobs
    EXPECT_EQ(refusal(chat({{"stream_options", {{"include_usage", true}}}})).param(),
              "stream_options");  // needs stream
    EXPECT_EQ(refusal(chat({{"messages", "hi"}})).param(), "messages");
    EXPECT_EQ(refusal(chat({{"messages", Json::array()}})).param(), "messages");
    EXPECT_EQ(refusal(chat({{"messages", {{{"role", "robot"}, {"content", "x"}}}}})).param(),
              "messages[0].role");
    EXPECT_EQ(refusal(Json::array()).status(), 400);
}

TEST(ParseChatRequest, ToolChoiceMustMatchTheTools) {
    const Json tools = Json::parse(R"([{"type":"function","function":{"name":"get_weather",
        "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}])");
    EXPECT_EQ(refusal(chat({{"tool_choice", "required"}})).param(), "tool_choice");
    EXPECT_EQ(
        refusal(chat({{"tools", tools},
                      {"tool_choice", {{"type", "function"}, {"function", {{"name", "nope"}}}}}}))
            .param(),
        "tool_choice");
    const ChatRequest r = parse_chat_request(
        chat({{"tools", tools}, {"tool_choice", "required"}, {"parallel_tool_calls", false}}));
    ASSERT_EQ(r.tools.size(), 1u);
    EXPECT_EQ(r.choice.mode, tools::ToolChoice::Mode::Required);
    EXPECT_FALSE(r.parallel);
    EXPECT_TRUE(r.offers_tools());
}

TEST(ParseChatRequest, ResponseFormatBecomesAConstraint) {
    const ChatRequest js = parse_chat_request(
        chat({{"response_format",
               {{"type", "json_schema"},
                {"json_schema",
                 {{"name", "x"}, {"strict", true}, {"schema", {{"type", "object"}}}}}}}}));
    EXPECT_EQ(js.format.json_schema, R"({"type":"object"})");
    EXPECT_FALSE(js.format.lenient);
    EXPECT_FALSE(
        parse_chat_request(chat({{"response_format", {{"type", "json_object"}}}})).format.empty());
    EXPECT_TRUE(parse_chat_request(chat({{"response_format", {{"type", "text"}}}})).format.empty());
    EXPECT_EQ(refusal(chat({{"response_format", {{"type", "yaml"}}}})).param(),
              "response_format.type");
}

TEST(ParseChatRequest, ContentPartsAreJoinedAndDeveloperIsSystem) {
    const ChatRequest r = parse_chat_request(
        chat({{"messages",
               {{{"role", "developer"}, {"content", "be brief"}},
                {{"role", "user"},
                 {"content",
                  {{{"type", "text"}, {"text", "a"}}, {{"type", "text"}, {"text", "b"}}}}}}}}));
    EXPECT_EQ(r.messages[0]["role"], "system");
    EXPECT_EQ(r.messages[1]["content"], "ab");
    EXPECT_EQ(
        refusal(chat({{"messages", {{{"role", "user"}, {"content", {{{"type", "image_url"}}}}}}}}))
            .status(),
        400);
}

// Fields a request leaves out stay unset (the engine fills them from the model's preset).
TEST(ParseChatRequest, OnlyGivenSamplingFieldsAreSetAndMaxCompletionTokensWins) {
    const ChatRequest r = parse_chat_request(
        chat({{"max_tokens", 10}, {"max_completion_tokens", 20}, {"seed", 7}, {"stop", "END"}}));
    EXPECT_EQ(r.sampling.max_tokens, 20);
    EXPECT_FALSE(r.sampling.sampler.temperature.has_value());
    EXPECT_FALSE(r.sampling.sampler.top_p.has_value());
    EXPECT_FALSE(r.sampling.sampler.repeat_penalty.has_value());
    EXPECT_EQ(r.sampling.sampler.seed, 7u);
    ASSERT_EQ(r.sampling.stop.size(), 1u);
    EXPECT_EQ(r.sampling.stop[0], "END");
    const ChatRequest given =
        parse_chat_request(chat({{"temperature", 0.5}, {"top_p", 0.8}, {"repeat_penalty", 1.2}}));
    EXPECT_FLOAT_EQ(*given.sampling.sampler.temperature, 0.5f);
    EXPECT_FLOAT_EQ(*given.sampling.sampler.top_p, 0.8f);
    EXPECT_FLOAT_EQ(*given.sampling.sampler.repeat_penalty, 1.2f);
    const SamplerConfig applied = given.sampling.sampler.over(greedy_sampling());
    EXPECT_FLOAT_EQ(applied.temperature, 0.5f);
    EXPECT_FLOAT_EQ(applied.min_p, greedy_sampling().min_p);
}

TEST(ParseCompletionRequest, PromptIsRequiredAndDefaultsFollowOpenAi) {
    EXPECT_THROW(parse_completion_request(Json{{"model", "m"}}), ApiError);
    EXPECT_THROW(parse_completion_request(Json{{"prompt", 5}}), ApiError);
    const CompletionRequest r = parse_completion_request(Json{{"prompt", "Once"}, {"logprobs", 2}});
    EXPECT_EQ(r.sampling.max_tokens, 16);
    EXPECT_EQ(r.logprobs, 2);
    EXPECT_THROW(parse_completion_request(Json{{"prompt", "x"}, {"logprobs", 9}}), ApiError);
}

TEST(ParseAnswerRequest, DocumentsNeedTextAndDistinctTitles) {
    const AnswerRequest r = parse_answer_request(Json{
        {"question", "q?"}, {"documents", {"plain text", {{"title", "b.md"}, {"text", "t"}}}}});
    ASSERT_EQ(r.documents.size(), 2u);
    EXPECT_EQ(r.documents[0].title, "document-1");
    EXPECT_EQ(r.documents[1].title, "b.md");
    EXPECT_THROW(parse_answer_request(Json{{"documents", Json::array()}}), ApiError);
    EXPECT_THROW(parse_answer_request(Json{{"question", "q"}, {"documents", {{{"title", "a"}}}}}),
                 ApiError);
    EXPECT_THROW(
        parse_answer_request(Json{
            {"question", "q"},
            {"documents", {{{"title", "a"}, {"text", "x"}}, {{"title", "a"}, {"text", "y"}}}}}),
        ApiError);
}

}  // namespace
}  // namespace flash::serve
