// The teacher path of flash data build against a fake OpenAI-compatible teacher: replies that
// pass the checks replace the built ones, wrong replies are rejected and counted by reason, a
// teacher that is down stops the build with a clear error and the build resumes without asking
// twice, and a build killed (SIGKILL) at any of its steps resumes to the same bytes as a build
// never interrupted.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/error_of.h"
#include "common/temp_dir.h"
#include "data/build.h"
#include "data/build_state.h"
#include "data/grounded_examples.h"
#include "data/instruct_examples.h"
#include "data/sources.h"
#include "data/teacher.h"
#include "data/tool_examples.h"
#include "fake_teacher.h"

namespace flash::data {
namespace {

using testing::error_of;
using testing::TempDir;
namespace fs = std::filesystem;

std::string repo(const std::string& relative) {
    return std::string(FLASH_SOURCE_DIR) + "/" + relative;
}

BuildOptions small(const std::string& out) {
    BuildOptions o;
    o.out_dir = out;
    o.sources_dir = repo("data/train/sources");
    o.eval_dir = repo("data/eval");
    o.size = "small";
    return o;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<Json> rows(const std::string& dir) {
    std::vector<Json> out;
    for (const char* split : {"train", "valid", "test"}) {
        std::ifstream in(fs::path(dir) / (std::string(split) + ".jsonl"));
        for (std::string line; std::getline(in, line);) out.push_back(Json::parse(line));
    }
    return out;
}

// Messages without null members: the rows' uniform shape and the requests' compact one compare.
Json compact(const Json& messages) {
    Json out = Json::array();
    for (const Json& m : messages) {
        Json c = Json::object();
        for (const auto& [k, v] : m.items())
            if (!v.is_null()) c[k] = v;
        out.push_back(c);
    }
    return out;
}

// The built replies of a small build, by the conversation before them: what a teacher that
// always agrees with the builder answers.
std::map<std::string, Json> built_replies() {
    TempDir dir;
    build_dataset(small(dir.path()));
    std::map<std::string, Json> out;
    for (const Json& row : rows(dir.path())) {
        Json messages = compact(row["messages"]);
        const Json reply = messages.back();
        messages.erase(messages.size() - 1);
        out[messages.dump() + row["tools"].get<std::string>()] = reply;
    }
    return out;
}

FakeTeacher::Reply agreeing(std::map<std::string, Json> replies) {
    return [replies = std::move(replies)](const Json& request) {
        const auto it = replies.find(compact(request.at("messages")).dump() +
                                     request.value("tools", Json::array()).dump());
        if (it == replies.end())
            return FakeTeacher::Answer{200, Json{{"role", "assistant"}, {"content", "?"}}};
        return FakeTeacher::Answer{200, it->second};
    };
}

// Says "I don't know." to everything: right only for unanswerable questions and requests no
// tool fits.
FakeTeacher::Answer unsure(const Json&) {
    return {200, Json{{"role", "assistant"}, {"content", "I don't know."}}};
}

int64_t total(const std::map<std::string, int64_t>& m) {
    int64_t n = 0;
    for (const auto& [k, v] : m) n += v;
    return n;
}

// Examples of every family from the first sources, as the builders make them.
std::vector<Example> some_examples() {
    const auto documents = load_documents(repo("data/train/sources/documents.jsonl"));
    const auto full = load_catalog(repo("data/train/sources/tools_catalog.jsonl"));
    std::vector<CatalogFunction> catalog;  // every 20th: several domains
    for (size_t i = 0; i < full.size(); i += 20) catalog.push_back(full[i]);
    const std::vector<SourceDocument> few(documents.begin(), documents.begin() + 6);
    Tally t;
    std::vector<Example> all = grounded_examples(few, {1, 2, 3}, t);
    for (Example& e : tool_examples(catalog, {1, 3}, t)) all.push_back(std::move(e));
    for (Example& e : instruct_examples(few, {3, 3}, t)) all.push_back(std::move(e));
    return all;
}

Json final_reply(const Example& e) {
    return e.messages.back();
}

TEST(TeacherChecks, EveryBuiltReplyPassesItsOwnChecks) {
    size_t eligible = 0;
    for (const Example& e : some_examples()) {
        if (!teacher_eligible(e)) continue;
        ++eligible;
        EXPECT_EQ(check_reply(e, final_reply(e)), "") << e.id;
        EXPECT_EQ(teacher_messages(e).size() + 1, e.messages.size()) << e.id;
    }
    EXPECT_GT(eligible, 100u);
}

TEST(TeacherChecks, WrongRepliesAreRejectedWithTheirReason) {
    std::map<std::string, size_t> seen;
    for (const Example& e : some_examples()) {
        if (!teacher_eligible(e)) continue;
        const Json gold = final_reply(e);
        auto expect = [&](const Json& reply, const std::string& reason) {
            EXPECT_EQ(check_reply(e, reply), reason) << e.id << ": " << reply.dump();
            ++seen[reason];
        };
        if (e.family == "grounded") {
            if (e.context.at("support").empty()) {
                const Json& first = e.context.at("sentences").at(0);
                expect(Json{{"role", "assistant"},
                            {"content", "[" + std::to_string(first.at("id").get<int>()) + "] " +
                                            first.at("text").get<std::string>()}},
                       "answered an unanswerable question");
            } else {
                expect(Json{{"role", "assistant"}, {"content", "I don't know."}},
                       "abstained on an answerable question");
            }
        } else if (e.family == "tools" && !e.verifier.at("calls").empty()) {
            expect(Json{{"role", "assistant"}, {"content", "Done."}}, "made no call");
            Json invented = gold;
            Json& fn = invented["tool_calls"][0]["function"];
            Json args = Json::parse(fn["arguments"].get<std::string>());
            args["zz_unknown"] = 1;
            fn["arguments"] = args.dump();
            expect(invented, "arguments fail the schema");
            Json elsewhere = gold;
            elsewhere["tool_calls"][0]["function"]["name"] = "not_offered";
            expect(elsewhere, "called a tool that is not offered");
        } else if (e.family == "tools") {
            const Json call =
                Json{{"role", "assistant"},
                     {"content", nullptr},
                     {"tool_calls",
                      Json::array({Json{{"id", "call00001"},
                                        {"type", "function"},
                                        {"function",
                                         {{"name", e.tools.at(0).at("function").at("name")},
                                          {"arguments", "{}"}}}}})}};
            expect(call, e.kind == "missing_argument" ? "called without the missing value"
                                                      : "called a tool where none fits");
        } else if (e.family == "instruct") {
            expect(Json{{"role", "assistant"}, {"content", " "}}, "empty reply");
            for (const Json& i : e.verifier.at("instructions"))
                if (i.at("type") == "punctuation:no_comma") {
                    std::string text = gold.at("content").get<std::string>();
                    // A comma after the first word, inside the first sentence.
                    const size_t word =
                        text.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
                    text.replace(text.find(' ', word), 1, ", ");
                    expect(Json{{"role", "assistant"}, {"content", text}},
                           "fails punctuation:no_comma");
                }
        }
    }
    for (const char* reason :
         {"answered an unanswerable question", "abstained on an answerable question",
          "made no call", "arguments fail the schema", "called a tool that is not offered",
          "called a tool where none fits", "called without the missing value", "empty reply",
          "fails punctuation:no_comma"})
        EXPECT_GT(seen[reason], 0u) << reason;
    EXPECT_NE(check_reply(some_examples().front(), Json("text")), "");
}

// The small build in `out`, taught by `teacher`: `limit` examples (0: all), `concurrency` at once.
BuildOptions taught(const std::string& out, const FakeTeacher& teacher, size_t limit,
                    int concurrency) {
    BuildOptions o = small(out);
    o.teacher.urls = {teacher.url()};
    o.teacher.limit = limit;
    o.teacher.concurrency = concurrency;
    return o;
}

TEST(TeacherBuild, AnAgreeingTeachersRepliesAreKeptAndMarked) {
    FakeTeacher teacher(agreeing(built_replies()));
    TempDir dir;
    const BuildOptions o = taught(dir.path(), teacher, 0, 3);
    const BuildReport r = build_dataset(o);
    ASSERT_TRUE(r.teacher);
    EXPECT_EQ(r.teacher->model, "fake-teacher");
    EXPECT_GT(total(r.teacher->sent), 100);
    EXPECT_EQ(total(r.teacher->kept), total(r.teacher->sent));
    EXPECT_EQ(teacher.requests, total(r.teacher->sent));
    int64_t marked = 0;
    for (const Json& row : rows(dir.path()))
        for (const Json& c : row["checks"]) marked += c == "teacher_reply_verified";
    EXPECT_EQ(marked, total(r.teacher->kept));
    const std::string card = read(fs::path(dir.path()) / "README.md");
    EXPECT_NE(card.find("## Teacher"), std::string::npos);
    EXPECT_NE(card.find("`fake-teacher`"), std::string::npos);
    const Json manifest = Json::parse(read(fs::path(dir.path()) / "manifest.json"));
    EXPECT_EQ(manifest["teacher"]["model"], "fake-teacher");
}

TEST(TeacherBuild, AWrongTeachersRepliesAreRejectedCountedAndTheBuiltOnesKept) {
    FakeTeacher teacher(unsure);
    TempDir plain, with_teacher;
    build_dataset(small(plain.path()));
    const BuildReport r = build_dataset(taught(with_teacher.path(), teacher, 60, 4));
    ASSERT_TRUE(r.teacher);
    EXPECT_EQ(total(r.teacher->sent), 60);
    EXPECT_EQ(total(r.teacher->kept) + total(r.teacher->rejected), 60);
    EXPECT_GT(r.teacher->rejected.count("grounded: abstained on an answerable question") +
                  r.teacher->rejected.count("tools: made no call"),
              0u);
    EXPECT_GT(total(r.teacher->rejected), 10);
    // A rejected reply leaves the example as built; kept ones say "I don't know." and are marked.
    std::map<std::string, Json> built;
    for (const Json& row : rows(plain.path())) built[row["id"].get<std::string>()] = row;
    for (const Json& row : rows(with_teacher.path())) {
        const bool marked = row["checks"].back() == "teacher_reply_verified";
        if (!marked) {
            EXPECT_EQ(row, built.at(row["id"].get<std::string>()));
        } else {
            EXPECT_EQ(row["messages"].back()["content"], "I don't know.");
        }
    }
    const std::string card = read(fs::path(with_teacher.path()) / "README.md");
    EXPECT_NE(card.find("Rejected teacher replies, by reason:"), std::string::npos);
}

TEST(TeacherBuild, ATeacherThatIsDownStopsTheBuildAndItResumesWithoutAskingTwice) {
    std::atomic<int> answered{0};
    FakeTeacher teacher([&](const Json& request) {
        if (answered >= 15) return FakeTeacher::Answer{503, Json()};
        ++answered;
        return unsure(request);
    });
    TempDir dir;
    BuildOptions o = taught(dir.path(), teacher, 40, 1);
    o.teacher.retries = 2;
    o.teacher.backoff_s = 0.01;
    const std::string e = error_of([&] { build_dataset(o); });
    EXPECT_NE(e.find("503"), std::string::npos) << e;
    EXPECT_NE(e.find("15 of 40 replies are saved"), std::string::npos) << e;
    EXPECT_NE(e.find("run the same command again to resume"), std::string::npos) << e;
    EXPECT_EQ(teacher.requests, 15 + 3);  // the 16th request and its two retries
    EXPECT_FALSE(fs::exists(fs::path(dir.path()) / "train.jsonl"));

    teacher.set_reply(unsure);
    teacher.requests = 0;
    const BuildReport r = build_dataset(o);
    EXPECT_TRUE(r.resumed);
    EXPECT_EQ(teacher.requests, 40 - 15);
    EXPECT_EQ(total(r.teacher->sent), 40);

    // Another teacher setting is another build: refused, unless restarted.
    o.teacher.limit = 41;
    EXPECT_NE(error_of([&] { build_dataset(o); }).find("teacher changed"), std::string::npos);
    o.restart = true;
    teacher.requests = 0;
    build_dataset(o);
    EXPECT_EQ(teacher.requests, 41);
}

TEST(TeacherBuild, AnUnreachableTeacherIsAClearError) {
    TempDir dir;
    BuildOptions o = small(dir.path());
    o.teacher.urls = {"http://127.0.0.1:9/v1"};
    const std::string e = error_of([&] { build_dataset(o); });
    EXPECT_NE(e.find("teacher: endpoint http://127.0.0.1:9: cannot connect"), std::string::npos)
        << e;
    o.teacher.urls = {"https://example.invalid"};
    o.restart = true;
    EXPECT_NE(error_of([&] {
                  build_dataset(o);
              }).find("--teacher: endpoint 'https://example.invalid': give an http:// URL"),
              std::string::npos);
}

// Runs the build in a child process that kills itself (SIGKILL) at progress line `kill_at`,
// as kill -9 would at that moment; returns whether it was killed.
bool build_killed_at(const BuildOptions& o, int kill_at) {
    const pid_t pid = fork();
    if (pid == 0) {
        int lines = 0;
        try {
            build_dataset(o, [&](const std::string&, bool) {
                if (++lines == kill_at) raise(SIGKILL);
            });
        } catch (...) {
            _exit(2);
        }
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

TEST(BuildResume, AKilledBuildResumesToTheSameBytes) {
    FakeTeacher teacher(agreeing(built_replies()));
    TempDir whole;
    const BuildOptions o = taught(whole.path(), teacher, 30, 2);
    int lines = 0;
    build_dataset(o, [&](const std::string&, bool) { ++lines; });
    ASSERT_GT(lines, 30);
    // Every milestone, and points inside the teacher's replies.
    for (const int kill_at : {1, 2, 3, 4, 5, 6, 12, 30, lines - 1, lines}) {
        SCOPED_TRACE("killed at progress line " + std::to_string(kill_at));
        TempDir dir;
        BuildOptions k = o;
        k.out_dir = dir.path();
        ASSERT_TRUE(build_killed_at(k, kill_at));
        const int asked_before = teacher.requests;
        const BuildReport r = build_dataset(k);
        EXPECT_LE(teacher.requests - asked_before, 30);
        EXPECT_EQ(total(r.teacher->sent), 30);
        for (const char* f : {"train.jsonl", "valid.jsonl", "test.jsonl", "sample.jsonl",
                              "README.md", "manifest.json"})
            EXPECT_EQ(read(fs::path(dir.path()) / f), read(fs::path(whole.path()) / f)) << f;
    }
}

TEST(BuildResume, AStateFromOtherSettingsIsRefusedAndACorruptOneNamed) {
    TempDir dir;
    BuildOptions o = small(dir.path());
    build_dataset(o);
    o.seed = 2;
    const std::string e = error_of([&] { build_dataset(o); });
    EXPECT_NE(e.find("seed 1 there, 2 now"), std::string::npos) << e;
    EXPECT_NE(e.find("--restart"), std::string::npos) << e;
    {
        std::ofstream f(fs::path(dir.path()) / BuildState::kFileName, std::ios::trunc);
        f << "not a database, just text that is long enough to be read as a header........";
    }
    const std::string corrupt = error_of([&] { build_dataset(o); });
    EXPECT_NE(corrupt.find("the build's state is corrupt"), std::string::npos) << corrupt;
}

}  // namespace
}  // namespace flash::data
