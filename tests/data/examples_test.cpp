// The builders' rejection paths and hygiene on hand-made sources: a wrong example is rejected
// and counted, never kept; duplicates and text overlapping the evaluation suites are removed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/error_of.h"
#include "common/temp_dir.h"
#include "data/hygiene.h"
#include "data/random.h"
#include "data/sources.h"
#include "data/tool_examples.h"

namespace flash::data {
namespace {

CatalogFunction forecast() {
    CatalogFunction f;
    f.domain = "weather";
    f.function = Json::parse(R"({"name": "forecast", "description": "The forecast for a city.",
        "parameters": {"type": "object", "properties": {
          "city": {"type": "string", "description": "City"},
          "days": {"type": "integer", "minimum": 1, "maximum": 7, "description": "Days"}},
        "required": ["city"], "additionalProperties": false}})");
    f.requests = {{"Forecast for Lyon please.", Json{{"city", "Lyon"}}},
                  {"Lyon, next 3 days?", Json{{"city", "Lyon"}, {"days", 3}}}};
    f.result = Json{{"city", "Lyon"}, {"high_c", 21}};
    f.answer = "Lyon will reach 21 degrees.";
    f.missing = {"What will the weather be?", "city", "Which city?"};
    return f;
}

CatalogFunction translate() {
    CatalogFunction f;
    f.domain = "language";
    f.function = Json::parse(R"({"name": "translate", "description": "Translate text.",
        "parameters": {"type": "object", "properties": {
          "text": {"type": "string", "description": "Text"},
          "target": {"type": "string", "enum": ["fr", "de"], "description": "Language"}},
        "required": ["text", "target"], "additionalProperties": false}})");
    f.requests = {
        {"Translate 'good morning' to fr.", Json{{"text", "good morning"}, {"target", "fr"}}}};
    f.result = Json{{"translation", "bonjour"}};
    f.answer = "It is bonjour.";
    f.missing = {"Translate 'good morning'.", "target", "Into which language?"};
    return f;
}

TEST(ToolExamples, GoodSourcesGiveEveryKind) {
    Tally tally;
    const auto examples = tool_examples({forecast(), translate()}, {2, 1}, tally);
    for (const char* kind : {"tools/single", "tools/multiple", "tools/parallel", "tools/multi_turn",
                             "tools/irrelevance", "tools/missing_argument"})
        EXPECT_GT(tally.kept[kind], 0) << kind;
    EXPECT_TRUE(tally.rejected.empty());
    for (const Example& e : examples) EXPECT_FALSE(e.checks.empty()) << e.id;
}

TEST(ToolExamples, AnInventedValueOrABadArgumentIsRejectedAndCounted) {
    CatalogFunction invented = forecast();
    invented.requests = {{"What's the forecast?", Json{{"city", "Paris"}}}};  // not in the text
    CatalogFunction invalid = forecast();
    invalid.function["name"] = "forecast_bad";
    invalid.requests = {{"Forecast for Lyon for 30 days.", Json{{"city", "Lyon"}, {"days", 30}}}};
    Tally tally;
    const auto examples = tool_examples({invented, invalid}, {1, 1}, tally);
    EXPECT_GE(tally.rejected["tools: an argument is not grounded in the request"], 2);
    EXPECT_GE(tally.rejected["tools: arguments fail the schema"], 2);
    for (const Example& e : examples)
        EXPECT_TRUE(e.kind == "irrelevance" || e.kind == "missing_argument") << e.id;
}

TEST(ToolExamples, GroundingIsCaseInsensitiveAndCoversNestedValues) {
    std::string why;
    EXPECT_TRUE(arguments_grounded(Json::parse(R"({"a": "LYON", "b": [2, {"c": "x"}]})"),
                                   "lyon for 2 nights, x", &why));
    EXPECT_FALSE(arguments_grounded(Json::parse(R"({"b": [2, {"c": "zz"}]})"), "2 x", &why));
    EXPECT_NE(why.find("'zz'"), std::string::npos) << why;
}

TEST(Hygiene, DuplicatesAndTextFromTheEvaluationSuitesAreRemoved) {
    testing::TempDir dir;
    {
        std::ofstream eval(std::filesystem::path(dir.path()) / "suite.jsonl");
        eval
            << R"({"question": "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"})"
            << "\n";
    }
    const EvalNgrams ngrams(dir.path());
    EXPECT_EQ(ngrams.files(), 1u);
    auto example = [](const std::string& id, const std::string& text) {
        Example e;
        e.id = id;
        e.messages = Json::array({Json{{"role", "user"}, {"content", text}}});
        return e;
    };
    HygieneReport report;
    const auto kept = clean({example("a", "A fresh question about boots."),
                             example("b", "A fresh question about boots."),
                             example("c",
                                     "Two Three four five six seven eight nine ten eleven "
                                     "twelve thirteen FOURTEEN, said nobody."),
                             example("d",
                                     "one two three four five six seven eight nine ten "
                                     "eleven twelve")},
                            ngrams, report);
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_EQ(kept[0].id, "a");
    EXPECT_EQ(kept[1].id, "d");  // twelve words in common: under the 13-word rule
    EXPECT_EQ(report.duplicates, 1);
    EXPECT_EQ(report.contaminated_ids, std::vector<std::string>{"c"});
}

TEST(Sources, AMalformedLineIsNamedByFileAndLine) {
    testing::TempDir dir;
    const std::string path = (std::filesystem::path(dir.path()) / "documents.jsonl").string();
    {
        std::ofstream out(path);
        out << R"({"id": "d1", "genre": "g", "title": "T", "sentences": [{"text": "A b c.", "question": "Q?", "answer": "b", "kind": "fact"}], "unanswerable": []})"
            << "\n"
            << R"({"id": "d2", "genre": "g", "title": "T", "sentences": [{"text": "A b c.", "question": "Q?", "answer": "zzz", "kind": "fact"}], "unanswerable": []})"
            << "\n";
    }
    const std::string e = testing::error_of([&] { load_documents(path); });
    EXPECT_NE(e.find("documents.jsonl:2: answer 'zzz' is not in its sentence"), std::string::npos)
        << e;
}

TEST(Sources, MachineDocumentsAreReadUnwrappedOrSkippedWithTheReason) {
    testing::TempDir dir;
    const std::string text = dir.write("LICENCE",
                                       "Short Licence\n\n  You may copy this text\nas you like.   "
                                       "It comes\nwith no warranty.\n");
    const std::string list = dir.write(
        "machine_documents.jsonl",
        R"({"id": "l1", "path": ")" + text +
            R"(", "title": "Short Licence", "licence": "terms", "questions": [{"sentence": "no warranty", "question": "Is there a warranty?", "kind": "negation"}], "unanswerable": [{"question": "Who wrote it?", "kind": "entity"}]})"
            "\n"
            R"({"id": "l2", "path": ")" +
            dir.path() +
            R"(/absent", "title": "Gone", "licence": "terms", "questions": []})"
            "\n"
            R"({"id": "l3", "path": ")" +
            text +
            R"(", "title": "Other version", "licence": "terms", "questions": [{"sentence": "a clause it lacks", "question": "Q?", "kind": "fact"}]})"
            "\n");
    const MachineDocuments m = load_machine_documents(list);
    ASSERT_EQ(m.documents.size(), 1u);
    const SourceDocument& d = m.documents[0];
    EXPECT_EQ(d.text(),
              "Short Licence\n\nYou may copy this text as you like. It comes with no warranty.\n");
    ASSERT_EQ(d.sentences.size(), 1u);
    EXPECT_EQ(d.sentences[0].text, "It comes with no warranty.");  // the splitter's whole sentence
    EXPECT_EQ(d.unanswerable.size(), 1u);
    EXPECT_EQ(d.example("x", "grounded", "fact").source, "machine_documents.jsonl#l1");
    ASSERT_EQ(m.skipped.size(), 2u);
    EXPECT_NE(m.skipped[0].find("absent: cannot be read"), std::string::npos) << m.skipped[0];
    EXPECT_NE(m.skipped[1].find("not the annotated text (\"a clause it lacks\" is in 0 sentences)"),
              std::string::npos)
        << m.skipped[1];
    ASSERT_EQ(m.read_files.size(), 1u);
    EXPECT_EQ(m.read_files[0].first, text);
}

TEST(Rng, IsTheSameEverywhereAndIndependentOfOrder) {
    Rng a(1, "x"), b(1, "x"), c(2, "x"), d(1, "y");
    const uint64_t first = a.next();
    EXPECT_EQ(first, b.next());
    EXPECT_NE(first, c.next());
    EXPECT_NE(first, d.next());
    std::vector<int> v{1, 2, 3, 4, 5, 6, 7, 8};
    Rng(3, "s").shuffle(v);
    std::vector<int> w{1, 2, 3, 4, 5, 6, 7, 8};
    Rng(3, "s").shuffle(w);
    EXPECT_EQ(v, w);
    EXPECT_NE(v, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8}));
}

}  // namespace
}  // namespace flash::data
