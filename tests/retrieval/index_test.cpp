// The SQLite index: add, re-add, change, remove, directories, search, corrupt files.
#include "retrieval/index.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/time.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "common/error_of.h"
#include "retrieval/scratch_dir.h"

namespace flash::retrieval {
namespace {

using flash::testing::error_of;

// Sets a file's modification time to `seconds` since the epoch (so "touched" is certain even
// within one clock tick).
void set_mtime(const std::string& path, time_t seconds) {
    const timeval times[2] = {{seconds, 0}, {seconds, 0}};
    ASSERT_EQ(utimes(path.c_str(), times), 0);
}

TEST(Index, OpenCreatesTheIndexFileAndKeepsDocumentsAcrossOpens) {
    testing::ScratchDir dir;
    const std::string doc =
        dir.write("docs/kettle.md", "# Kettle\n\nThe kettle boils water in 90 seconds.\n");
    const std::string index_dir = dir / "index";
    {
        Index index = Index::open(index_dir);
        EXPECT_EQ(index.file(), index_dir + "/index.sqlite");
        const AddResult r = index.add(doc);
        EXPECT_EQ(r.status, AddStatus::added);
        EXPECT_EQ(r.passages, 1u);
        EXPECT_EQ(r.path, index_path(doc));
    }
    EXPECT_TRUE(std::filesystem::is_regular_file(index_dir + "/index.sqlite"));
    Index index = Index::open(index_dir);
    const auto docs = index.documents();
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(docs[0].path, index_path(doc));
    EXPECT_EQ(docs[0].kind, "markdown");
    EXPECT_EQ(docs[0].passages, 1u);
    EXPECT_EQ(index.search("how fast does the kettle boil", 5).size(), 1u);
}

TEST(Index, SearchHitsCarryPathScoreAndSentenceOffsetsIntoTheDocumentText) {
    testing::ScratchDir dir;
    const std::string doc =
        dir.write("policy.txt",
                  "Returns\n\nUnopened items may be returned within 30 days. Opened items "
                  "cannot be returned.\n\nShipping\n\nShipping costs $7.95 per order.\n");
    Index index = Index::in_memory();
    index.add(doc);
    const auto hits = index.search("How many days to return unopened items?", 5);
    ASSERT_FALSE(hits.empty());
    const PassageHit& top = hits[0];
    EXPECT_EQ(top.path, index_path(doc));
    EXPECT_GT(top.score, 0);
    const std::string text = *index.document_text(doc);
    EXPECT_EQ(top.text, text.substr(top.start, top.end - top.start));
    std::set<std::string> sentences;
    for (const SentenceText& s : top.sentences) {
        EXPECT_EQ(s.text, text.substr(s.start, s.end - s.start));
        sentences.insert(s.text);
    }
    EXPECT_TRUE(sentences.count("Unopened items may be returned within 30 days."));
    EXPECT_TRUE(top.sentences.front().heading);
    // The same passage by id.
    const auto again = index.passage(top.id);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->text, top.text);
    EXPECT_EQ(again->sentences.size(), top.sentences.size());
    EXPECT_FALSE(index.passage(top.id + 1000).has_value());
}

TEST(Index, PassagesHoldingMoreQueryWordsRankHigher) {
    Index index = Index::in_memory();
    index.add_document(
        {"a.txt",
         "Foxes\n\nThe red fox sleeps.\n\nWhales\n\nA blue whale swims.\n\nFences\n\n"
         "The red fox jumps over the blue fence.",
         "text"});
    const auto hits = index.search("red fox blue fence", 3);
    ASSERT_EQ(hits.size(), 3u);
    EXPECT_EQ(hits[0].text, "Fences\n\nThe red fox jumps over the blue fence.");
    EXPECT_GE(hits[0].score, hits[1].score);
    EXPECT_GE(hits[1].score, hits[2].score);
    EXPECT_EQ(index.search("red fox blue fence", 1).size(), 1u);
}

TEST(Index, StemmingAndCaseFoldingMatchWordForms) {
    Index index = Index::in_memory();
    index.add_document({"m.txt", "Descaling the machine regularly keeps it working.", "text"});
    EXPECT_EQ(index.search("DESCALE machines", 5).size(), 1u);
    EXPECT_TRUE(index.search("coffee", 5).empty());
}

TEST(Index, QueriesWithFtsSyntaxOrNoWordsNeverFail) {
    Index index = Index::in_memory();
    index.add_document({"q.txt", "What is the price of the item? The price is $5.", "text"});
    for (const char* q :
         {"what's \"the\" price?", "price AND", "NEAR(price", "\"", "*", "-price", "price:", "(((",
          "OR OR", "^price", "price*", "{price}", "", "   ", "?!", "\u201cprice\u201d"}) {
        EXPECT_NO_THROW(index.search(q, 5)) << q;
    }
    EXPECT_EQ(index.search("what's \"the\" price?", 5).size(), 1u);
    EXPECT_TRUE(index.search("", 5).empty());
    EXPECT_TRUE(index.search("price", 0).empty());
}

TEST(Index, ReaddingAnUnchangedFileIsANoOp) {
    testing::ScratchDir dir;
    const std::string doc = dir.write("a.md", "# A\n\nAlpha beta gamma.\n");
    Index index = Index::open(dir / "idx");
    ASSERT_EQ(index.add(doc).status, AddStatus::added);
    const int64_t id = index.search("alpha", 1).at(0).id;
    EXPECT_EQ(index.add(doc).status, AddStatus::unchanged);
    set_mtime(doc, 1000000);  // touched, same bytes
    const AddResult r = index.add(doc);
    EXPECT_EQ(r.status, AddStatus::unchanged);
    EXPECT_EQ(r.passages, 1u);
    EXPECT_EQ(index.search("alpha", 1).at(0).id, id);  // passages were not rewritten
    EXPECT_EQ(index.documents().size(), 1u);
}

TEST(Index, AChangedFileReplacesItsPassages) {
    testing::ScratchDir dir;
    const std::string doc = dir.write("a.txt", "The old wording mentions zebras.");
    Index index = Index::open(dir / "idx");
    index.add(doc);
    dir.write("a.txt",
              "The new wording mentions giraffes.\n\nAnd a second paragraph about okapis.");
    set_mtime(doc, 2000000);
    const AddResult r = index.add(doc);
    EXPECT_EQ(r.status, AddStatus::updated);
    EXPECT_EQ(r.passages, 1u);
    EXPECT_TRUE(index.search("zebras", 5).empty());
    EXPECT_EQ(index.search("giraffes okapis", 5).size(), 1u);
    ASSERT_EQ(index.documents().size(), 1u);
    EXPECT_EQ(*index.document_text(doc),
              "The new wording mentions giraffes.\n\nAnd a second paragraph about okapis.");
}

TEST(Index, SameSizeSameTimeButDifferentBytesIsCaughtByTheHashOnceTheStampChanges) {
    testing::ScratchDir dir;
    const std::string doc = dir.write("a.txt", "aaaa bbbb");
    Index index = Index::open(dir / "idx");
    set_mtime(doc, 3000000);
    index.add(doc);
    dir.write("a.txt", "cccc dddd");
    set_mtime(doc, 3000001);
    EXPECT_EQ(index.add(doc).status, AddStatus::updated);
    EXPECT_EQ(index.search("cccc", 5).size(), 1u);
}

TEST(Index, RemoveDeletesTheDocumentAndItsPassages) {
    testing::ScratchDir dir;
    const std::string a = dir.write("sub/a.txt", "Apples are red.");
    const std::string b = dir.write("sub/deeper/b.txt", "Bananas are yellow.");
    const std::string c = dir.write("c.txt", "Cherries are red too.");
    Index index = Index::open(dir / "idx");
    for (const auto& p : {a, b, c}) index.add(p);
    EXPECT_EQ(index.remove(a), 1u);
    EXPECT_EQ(index.remove(a), 0u);
    EXPECT_TRUE(index.search("apples", 5).empty());
    EXPECT_EQ(index.documents().size(), 2u);
    EXPECT_EQ(index.remove(dir / "sub"), 1u);  // everything under a directory
    EXPECT_EQ(index.documents().size(), 1u);
    std::filesystem::remove(c);
    EXPECT_EQ(index.remove(c), 1u);  // a file that is gone from disk can still be removed
    EXPECT_TRUE(index.documents().empty());
    EXPECT_TRUE(index.search("red", 5).empty());
}

TEST(Index, AddDirectoryRecursesSkipsHiddenAndReportsBadFilesByName) {
    testing::ScratchDir dir;
    dir.write("docs/a.md", "# A\n\nAlpha text.");
    dir.write("docs/sub/b.txt", "Beta text.");
    dir.write("docs/sub/c.html", "<p>Gamma text.</p>");
    dir.write("docs/.hidden/d.txt", "Delta text.");
    dir.write("docs/.e.txt", "Epsilon text.");
    dir.write("docs/latin1.txt", "caf\xE9");
    dir.write("docs/empty.txt", "");
    dir.write("docs/photo.png", std::string("\x89PNG\r\n\x1a\n\0\0", 10));
    Index index = Index::open(dir / "idx");
    std::vector<FileReport> reports;
    const DirectoryResult r =
        index.add_directory(dir / "docs", [&](const FileReport& f) { reports.push_back(f); });
    EXPECT_EQ(r.added, 3u);
    EXPECT_EQ(r.skipped, 2u);
    EXPECT_EQ(r.ignored, 1u);
    ASSERT_EQ(reports.size(), 5u);
    size_t errors = 0;
    for (const FileReport& f : reports) {
        if (f.error.empty()) continue;
        ++errors;
        EXPECT_NE(f.error.find(f.path), std::string::npos)
            << f.error;  // the message names the file
    }
    EXPECT_EQ(errors, 2u);
    EXPECT_EQ(index.documents().size(), 3u);
    EXPECT_TRUE(index.search("delta epsilon", 5).empty());
    // A second pass finds everything unchanged.
    const DirectoryResult again = index.add_directory(dir / "docs");
    EXPECT_EQ(again.unchanged, 3u);
    EXPECT_EQ(again.added, 0u);
    EXPECT_NE(error_of([&] { index.add_directory(dir / "nope"); }).find("not a directory"),
              std::string::npos);
}

TEST(Index, AddingABadFileIsADocumentErrorAndChangesNothing) {
    testing::ScratchDir dir;
    Index index = Index::open(dir / "idx");
    const std::string missing = dir / "missing.txt";
    EXPECT_THROW(index.add(missing), DocumentError);
    EXPECT_THROW(index.add(dir.write("bin.txt", std::string("a\0b", 3))), DocumentError);
    EXPECT_TRUE(index.documents().empty());
}

TEST(Index, InMemoryIndexTakesDocumentsDirectly) {
    Index index = Index::in_memory();
    EXPECT_EQ(index.file(), ":memory:");
    Document doc{"given.md", "Heading\n\nThe answer is 42.", "markdown"};
    EXPECT_EQ(index.add_document(doc).status, AddStatus::added);
    EXPECT_EQ(index.add_document(doc).status, AddStatus::unchanged);
    doc.text = "Heading\n\nThe answer is 43.";
    EXPECT_EQ(index.add_document(doc).status, AddStatus::updated);
    const auto hits = index.search("what is the answer", 1);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].path, "given.md");
    EXPECT_EQ(hits[0].sentences.back().text, "The answer is 43.");
}

TEST(Index, HtmlLinesAreSentencesOfTheirOwn) {
    testing::ScratchDir dir;
    Index index = Index::in_memory();
    index.add(dir.write("t.html",
                        "<table><tr><td>Flex</td><td>$149</td></tr><tr><td>unlimited</td><td>$289</"
                        "td></tr></table>"));
    const auto hits = index.search("unlimited", 1);
    ASSERT_EQ(hits.size(), 1u);
    ASSERT_EQ(hits[0].sentences.size(), 2u);
    EXPECT_EQ(hits[0].sentences[1].text, "unlimited $289");
}

TEST(IndexErrors, RandomBytesInTheIndexFileAreAClearError) {
    testing::ScratchDir dir;
    std::filesystem::create_directories(dir / "idx");
    std::mt19937 rng(7);
    std::string junk(8192, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    dir.write("idx/index.sqlite", junk);
    const std::string e = error_of([&] { Index::open(dir / "idx"); });
    EXPECT_NE(e.find(dir / "idx/index.sqlite"), std::string::npos) << e;
    EXPECT_NE(e.find("corrupt"), std::string::npos) << e;
    EXPECT_NE(e.find("re-create"), std::string::npos) << e;
}

TEST(IndexErrors, ShortTextInTheIndexFileIsAClearError) {
    testing::ScratchDir dir;
    dir.write("idx/index.sqlite", "hello, I am not a database");
    const std::string e = error_of([&] { Index::open(dir / "idx"); });
    EXPECT_NE(e.find("index.sqlite"), std::string::npos) << e;
    EXPECT_NE(e.find("re-create"), std::string::npos) << e;
}

TEST(IndexErrors, ADamagedIndexNeverCrashes) {
    testing::ScratchDir dir;
    {
        Index index = Index::open(dir / "idx");
        std::string big;
        for (int i = 0; i < 3000; ++i)
            big += "Sentence " + std::to_string(i) + " talks about widgets and gears. ";
        index.add_document({"big.txt", big, "text"});
    }
    // Every other page after the first (the header and schema) becomes random bytes.
    const std::string file = dir / "idx/index.sqlite";
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(0, std::ios::end);
    const auto size = static_cast<size_t>(f.tellg());
    ASSERT_GT(size, 3 * 4096u);
    std::mt19937 rng(11);
    for (size_t off = 4096; off + 4096 <= size; off += 4096 * 2) {
        f.seekp(static_cast<std::streamoff>(off));
        for (int i = 0; i < 4096; ++i) f.put(static_cast<char>(rng()));
    }
    f.close();
    // It must fail as a flash::Error naming the file, not crash or return garbage.
    const std::string e = error_of([&] {
        Index index = Index::open(dir / "idx");
        index.search("widgets gears", 5);
        index.documents();
        index.add_document({"other.txt", "More widgets.", "text"});
    });
    EXPECT_NE(e.find("index.sqlite"), std::string::npos) << e;
    EXPECT_NE(e.find("corrupt"), std::string::npos) << e;
}

TEST(IndexErrors, ASqliteDatabaseThatIsNotAFlashIndex) {
    testing::ScratchDir dir;
    std::filesystem::create_directories(dir / "idx");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "idx/index.sqlite").c_str(), &db), SQLITE_OK);
    sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1);", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    EXPECT_NE(error_of([&] { Index::open(dir / "idx"); }).find("not a flash index"),
              std::string::npos);
}

TEST(IndexErrors, IndexDirectoryBlockedByAFile) {
    testing::ScratchDir dir;
    const std::string blocker = dir.write("idx", "a file, not a directory");
    EXPECT_NE(error_of([&] { Index::open(blocker); }).find(blocker), std::string::npos);
}

}  // namespace
}  // namespace flash::retrieval
