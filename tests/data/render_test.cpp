// Every example of a small build renders through the chat templates of the shared reference
// data — tool calls and tool results included — as a trainer would render it: through the
// template's own tool support, or the call format flash writes for templates without one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "chat/chat_template.h"
#include "common/temp_dir.h"
#include "common/testdata.h"
#include "core/error.h"
#include "data/build.h"
#include "data/training_render.h"
#include "tools/conversation.h"
#include "tools/tool_caller.h"
#include "tools/tool_spec.h"

namespace flash::data {
namespace {

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The rows of a small build's train split.
std::vector<Json> small_build_rows() {
    testing::TempDir dir;
    BuildOptions o;
    o.out_dir = dir.path();
    o.sources_dir = std::string(FLASH_SOURCE_DIR) + "/data/train/sources";
    o.eval_dir = std::string(FLASH_SOURCE_DIR) + "/data/eval";
    o.size = "small";
    build_dataset(o);
    std::vector<Json> rows;
    std::ifstream in(std::filesystem::path(dir.path()) / "train.jsonl");
    for (std::string line; std::getline(in, line);) rows.push_back(Json::parse(line));
    return rows;
}

TEST(DataRender, EveryExampleRendersThroughEveryReferenceTemplate) {
    const std::vector<Json> rows = small_build_rows();
    ASSERT_GT(rows.size(), 100u);
    const std::string templates = testing::testdata_dir() + "/templates";
    int rendered = 0;
    for (const auto& entry : std::filesystem::directory_iterator(templates)) {
        const ChatTemplate tmpl = ChatTemplate::from_source(
            read(entry.path()), entry.path().stem().string(), "<s>", "</s>");
        const auto format = tools::format_for_template(tmpl);
        for (const Json& row : rows) {
            const auto specs = tools::parse_tools(Json::parse(row["tools"].get<std::string>()));
            const tools::PreparedConversation conv = tools::prepare_conversation(
                row["messages"], specs, *format, tmpl.renders_tools(), !specs.empty());
            try {
                const std::string text = tmpl.render(conv.messages, conv.tools, false);
                // The last reply is in the text the model is trained on.
                const Json& last = row["messages"].back();
                if (last["content"].is_string()) {
                    EXPECT_NE(text.find(last["content"].get<std::string>().substr(0, 40)),
                              std::string::npos)
                        << entry.path().filename() << " " << row["id"];
                }
                ++rendered;
            } catch (const Error& e) {
                const std::string what = e.what();
                // A template that refuses a system turn (Gemma 2's) is the model's choice, not
                // the data's: the turn is the row's or the tool prompt of a template without
                // tool support.
                const bool system_refused = what.find("ystem role") != std::string::npos &&
                                            conv.messages[0]["role"] == "system";
                // Llama 3.2's template takes one call per turn: parallel rows are not for it.
                const bool parallel_refused =
                    what.find("single tool-call") != std::string::npos && row["kind"] == "parallel";
                EXPECT_TRUE(system_refused || parallel_refused)
                    << entry.path().filename() << " " << row["id"] << ": " << what;
            }
        }
    }
    EXPECT_GT(rendered, 1000);
}

// Templates that cannot give every row for training, and why (the test holds the others to
// every row): the reason is the template's, found by rendering, and the rows are skipped.
const std::map<std::string, std::string>& limited_templates() {
    static const std::map<std::string, std::string> t = {
        {"google-gemma-2-2b-it", "the template refused it: System role not supported"},
        {"google-gemma-4-31B-it", "the template renders the reply's prompt differently"},
        {"ibm-granite-granite-3.3-2B-Instruct", "the template drops or rewrites the reply"},
        {"mistralai-Mistral-Nemo-Instruct-2407",
         "the template renders the reply's prompt differently"},
        {"NousResearch-Hermes-3-Llama-3.1-8B-tool_use",
         "the template renders the reply's prompt differently"},
        {"meta-llama-Llama-3.2-3B-Instruct",
         "the template refused it: This model only supports single"},
    };
    return t;
}

// Prefix rendering: each assistant reply's span holds that reply (its text, or the called
// function's name in the template's call format), spans are in order inside their sequence,
// and a template that renders earlier turns differently gets one sequence per reply.
TEST(DataRender, TrainingSpansHoldExactlyTheReplies) {
    const std::vector<Json> rows = small_build_rows();
    const std::string templates = testing::testdata_dir() + "/templates";
    size_t rendered = 0, per_reply_rows = 0;
    for (const auto& entry : std::filesystem::directory_iterator(templates)) {
        const std::string name = entry.path().stem().string();
        const ChatTemplate tmpl =
            ChatTemplate::from_source(read(entry.path()), name, "<s>", "</s>");
        const auto format = tools::format_for_template(tmpl);
        for (const Json& row : rows) {
            SCOPED_TRACE(name + " " + row["id"].get<std::string>());
            std::string why;
            const auto r = render_for_training(row, tmpl, *format, &why);
            if (!r) {
                const auto limited = limited_templates().find(name);
                ASSERT_NE(limited, limited_templates().end()) << why;
                EXPECT_EQ(why.rfind(limited->second, 0), 0u) << why;
                continue;
            }
            ++rendered;
            const bool per_reply = r->sequences.size() > 1;
            per_reply_rows += per_reply;
            size_t reply = 0, last_end = 0;
            for (const Json& m : row["messages"]) {
                if (m["role"] != "assistant") continue;
                ASSERT_LT(per_reply ? reply : 0u, r->sequences.size());
                const RenderedSequence& seq = r->sequences[per_reply ? reply : 0];
                const size_t index = per_reply ? 0 : reply;
                ++reply;
                ASSERT_LT(index, seq.spans.size());
                const auto [start, end] = seq.spans[index];
                if (!per_reply) {
                    ASSERT_LE(last_end, start);
                    last_end = end;
                }
                ASSERT_LE(end, seq.text.size());
                const std::string span = seq.text.substr(start, end - start);
                if (m["content"].is_string()) {
                    EXPECT_NE(span.find(m["content"].get<std::string>().substr(0, 30)),
                              std::string::npos)
                        << span;
                } else {
                    for (const Json& call : m["tool_calls"])
                        EXPECT_NE(span.find(call["function"]["name"].get<std::string>()),
                                  std::string::npos)
                            << span;
                }
            }
        }
    }
    EXPECT_GT(rendered, 2000u);
    EXPECT_GT(per_reply_rows, 0u);  // Qwen3's and Phi-3.5's multi-turn rows
}

}  // namespace
}  // namespace flash::data
