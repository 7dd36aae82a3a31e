// flash data build on the real sources (data/train/sources): every kept example passes its
// checks again when re-read from the written files, the build is deterministic, splits keep
// a source's examples together, and the card and manifest describe the files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "ask/answer_format.h"
#include "common/temp_dir.h"
#include "core/error.h"
#include "core/sha256.h"
#include "data/build.h"
#include "data/tool_examples.h"
#include "instruct/check.h"
#include "tools/conversation.h"
#include "tools/tool_spec.h"

namespace flash::data {
namespace {

using testing::TempDir;

std::string repo(const std::string& relative) {
    return std::string(FLASH_SOURCE_DIR) + "/" + relative;
}

BuildOptions small(const std::string& out, uint64_t seed = 1) {
    BuildOptions o;
    o.out_dir = out;
    o.sources_dir = repo("data/train/sources");
    o.eval_dir = repo("data/eval");
    o.seed = seed;
    o.size = "small";
    return o;
}

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<Json> rows(const std::filesystem::path& p) {
    std::vector<Json> out;
    std::ifstream in(p);
    for (std::string line; std::getline(in, line);) out.push_back(Json::parse(line));
    return out;
}

// The content of the last message with `role`.
std::string last(const Json& messages, const std::string& role) {
    std::string text;
    for (const Json& m : messages)
        if (m["role"] == role && m["content"].is_string()) text = m["content"].get<std::string>();
    return text;
}

void recheck(const Json& row) {
    SCOPED_TRACE(row["id"].get<std::string>());
    for (const char* key :
         {"id", "family", "kind", "source", "messages", "tools", "checks", "verifier"})
        ASSERT_TRUE(row.contains(key)) << key;
    tools::check_conversation(row["messages"]);
    const std::string family = row["family"];
    if (family == "grounded") {
        const std::string answer = last(row["messages"], "assistant");
        const std::string context = last(row["messages"], "user");
        const ask::DraftAnswer draft = ask::parse_answer(answer);
        if (row["kind"].get<std::string>().starts_with("unanswerable")) {
            EXPECT_TRUE(draft.abstained) << answer;
            return;
        }
        ASSERT_EQ(draft.claims.size(), row["kind"] == "multi_sentence" ? 2u : 1u) << answer;
        for (const ask::DraftClaim& claim : draft.claims) {
            ASSERT_EQ(claim.cited.size(), 1u) << answer;
            // The cited number is in the context, on the line holding the claimed sentence.
            const std::string marker = "[" + std::to_string(claim.cited[0]) + "] ";
            const size_t at = context.find(marker);
            ASSERT_NE(at, std::string::npos) << marker;
            EXPECT_EQ(context.compare(at + marker.size(), claim.text.size(), claim.text), 0)
                << claim.text;
        }
    } else if (family == "tools") {
        const Json verifier = Json::parse(row["verifier"].get<std::string>());
        const std::vector<tools::ToolSpec> specs =
            tools::parse_tools(Json::parse(row["tools"].get<std::string>()));
        std::string user;
        for (const Json& m : row["messages"])
            if (m["role"] == "user") user += m["content"].get<std::string>() + " ";
        for (const Json& call : verifier["calls"]) {
            const tools::ToolSpec* spec = tools::find_tool(specs, call["name"].get<std::string>());
            ASSERT_NE(spec, nullptr);
            std::string why;
            EXPECT_TRUE(tools::arguments_valid(*spec, call["arguments"], &why)) << why;
            EXPECT_TRUE(arguments_grounded(call["arguments"], user, &why)) << why;
        }
    } else {
        ASSERT_EQ(family, "instruct");
        const Json verifier = Json::parse(row["verifier"].get<std::string>());
        for (const Json& m : row["messages"]) {
            if (m["role"] != "assistant") continue;
            for (const Json& i : verifier["instructions"]) {
                const instruct::CheckResult r = instruct::check(
                    {i["type"].get<std::string>(), i["args"]}, m["content"].get<std::string>());
                EXPECT_TRUE(r.passed) << i.dump() << ": " << r.reason;
            }
        }
    }
}

class DataBuildSeeds : public ::testing::TestWithParam<uint64_t> {};

// A property over seeds: whatever the draws, every example written passes its checks.
TEST_P(DataBuildSeeds, EveryKeptExamplePassesItsChecksAgain) {
    TempDir dir;
    const BuildReport r = build_dataset(small(dir.path(), GetParam()));
    EXPECT_GT(r.tally.kept_in("grounded"), 50);
    EXPECT_GT(r.tally.kept_in("tools"), 50);
    EXPECT_GT(r.tally.kept_in("instruct"), 10);
    std::map<std::string, std::string> split_of_group;
    size_t n = 0;
    for (const char* split : {"train", "valid", "test"}) {
        for (const Json& row :
             rows(std::filesystem::path(dir.path()) / (std::string(split) + ".jsonl"))) {
            recheck(row);
            ++n;
        }
    }
    EXPECT_EQ(static_cast<int64_t>(n), r.splits.train + r.splits.valid + r.splits.test);
    EXPECT_EQ(r.hygiene.contaminated, 0);
}

INSTANTIATE_TEST_SUITE_P(Seeds, DataBuildSeeds, ::testing::Values(1, 2, 3, 17, 1234, 99991));

TEST(DataBuild, TheSameSeedGivesTheSameBytesAndAnotherSeedOthers) {
    TempDir a, b, c;
    build_dataset(small(a.path(), 7));
    build_dataset(small(b.path(), 7));
    build_dataset(small(c.path(), 8));
    for (const char* f : {"train.jsonl", "valid.jsonl", "test.jsonl", "README.md", "manifest.json"})
        EXPECT_EQ(read(std::filesystem::path(a.path()) / f),
                  read(std::filesystem::path(b.path()) / f))
            << f;
    EXPECT_NE(read(std::filesystem::path(a.path()) / "train.jsonl"),
              read(std::filesystem::path(c.path()) / "train.jsonl"));
}

TEST(DataBuild, CardAndManifestDescribeTheFiles) {
    TempDir dir;
    const BuildReport r = build_dataset(small(dir.path()));
    const std::string card = read(std::filesystem::path(dir.path()) / "README.md");
    EXPECT_TRUE(card.starts_with("---\nlicense: apache-2.0\n")) << card.substr(0, 200);
    EXPECT_NE(card.find("  - split: validation\n    path: valid.jsonl"), std::string::npos);
    EXPECT_NE(card.find("num_examples: " + std::to_string(r.splits.train)), std::string::npos);
    EXPECT_NE(card.find("| tools | parallel |"), std::string::npos);
    const Json manifest = Json::parse(read(std::filesystem::path(dir.path()) / "manifest.json"));
    for (const char* f : {"train.jsonl", "valid.jsonl", "test.jsonl", "README.md"})
        EXPECT_EQ(manifest["files"][f]["sha256"],
                  sha256_file((std::filesystem::path(dir.path()) / f).string()))
            << f;
    EXPECT_EQ(manifest["build"]["seed"], 1);
}

TEST(DataBuild, SplitsKeepASourcesExamplesTogether) {
    TempDir dir;
    build_dataset(small(dir.path()));
    std::map<std::string, std::set<std::string>> splits_of_source;
    for (const char* split : {"train", "valid", "test"})
        for (const Json& row :
             rows(std::filesystem::path(dir.path()) / (std::string(split) + ".jsonl")))
            if (row["family"] != "tools" || row["kind"] == "single")  // parallel rows mix sources
                splits_of_source[row["source"].get<std::string>()].insert(split);
    for (const auto& [source, splits] : splits_of_source) EXPECT_EQ(splits.size(), 1u) << source;
    EXPECT_EQ(split_of("doc_001"), split_of("doc_001"));
}

// The repository publishes the default build's card, manifest and sample (data/train/): a
// rebuild here gives those bytes and every listed file's sum. When the sources or the builder
// change on purpose, regenerate them (docs: data/train/README.md, "Rebuild and check").
TEST(DataBuild, TheDefaultBuildReproducesThePublishedManifest) {
    // The published card counts tokens with the default model's tokenizer.
    const char* model = std::getenv("FLASH_SMOLLM2");
    if (!model || !*model)
        GTEST_SKIP() << "FLASH_SMOLLM2 is not set (flash pull smollm2-135m-instruct)";
    TempDir dir;
    BuildOptions o = small(dir.path());
    o.size = "default";
    o.tokenizer = model;
    build_dataset(o);
    const Json published = Json::parse(read(repo("data/train/manifest.json")));
    const Json built = Json::parse(read(std::filesystem::path(dir.path()) / "manifest.json"));
    EXPECT_EQ(built, published) << "regenerate data/train/ with: flash data build --out DIR "
                                   "--size default --seed 1 --tokenizer $FLASH_SMOLLM2, then "
                                   "copy README.md, "
                                   "manifest.json and sample.jsonl";
    EXPECT_EQ(read(std::filesystem::path(dir.path()) / "README.md"),
              read(repo("data/train/README.md")));
    EXPECT_EQ(read(std::filesystem::path(dir.path()) / "sample.jsonl"),
              read(repo("data/train/sample.jsonl")));
    EXPECT_GE(built["splits"]["train"].get<int64_t>() +
                  built["splits"]["validation"].get<int64_t>() +
                  built["splits"]["test"].get<int64_t>(),
              20000);
}

TEST(DataBuild, BadOptionsAndSourcesAreClearErrors) {
    TempDir dir;
    BuildOptions o = small(dir.path());
    o.size = "huge";
    EXPECT_THROW(build_dataset(o), Error);
    o = small(dir.path());
    o.sources_dir = (std::filesystem::path(dir.path()) / "nowhere").string();
    try {
        build_dataset(o);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("documents.jsonl: cannot be read"), std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace flash::data
