// Text extraction: each format, and every kind of bad input as an error naming the file.
#include "retrieval/extract.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "common/error_of.h"
#include "core/error.h"
#include "retrieval/grounded_data.h"
#include "retrieval/pdf_text.h"
#include "retrieval/scratch_dir.h"

namespace flash::retrieval {
namespace {

using flash::testing::error_of;

TEST(Extract, KindFollowsTheExtensionOrTheContent) {
    EXPECT_EQ(kind_of("notes.txt"), "text");
    EXPECT_EQ(kind_of("README.MD"), "markdown");
    EXPECT_EQ(kind_of("a/b/page.htm"), "html");
    EXPECT_EQ(kind_of("paper.PDF"), "pdf");
    EXPECT_EQ(kind_of("no_extension"), "text");
    EXPECT_EQ(kind_of("misnamed.txt", "%PDF-1.7\n"), "pdf");
    EXPECT_EQ(kind_of("page", "\n  <!DOCTYPE html><html>"), "html");
    EXPECT_EQ(kind_of("page.dat", "<HTML><body>"), "html");
}

TEST(Extract, PlainTextIsKeptWithNewlinesNormalised) {
    testing::ScratchDir dir;
    const std::string p = dir.write("a.txt", "\xEF\xBB\xBFLine one.\r\nLine two.\rLine three.\n");
    const Document d = extract_file(p);
    EXPECT_EQ(d.path, p);
    EXPECT_EQ(d.kind, "text");
    EXPECT_EQ(d.text, "Line one.\nLine two.\nLine three.\n");
}

TEST(Extract, UnknownExtensionIsReadAsText) {
    testing::ScratchDir dir;
    const Document d = extract_file(dir.write("notes.log", "café at 9 a.m."));
    EXPECT_EQ(d.kind, "text");
    EXPECT_EQ(d.text, "café at 9 a.m.");
}

TEST(Extract, MarkdownDropsMarkupAndKeepsTheWords) {
    testing::ScratchDir dir;
    const Document d = extract_file(
        dir.write("a.md",
                  "# Title #\n\nSome **bold** and _italic_ and [a link](http://x.example) "
                  "text.\n- item one\n- item two\n"));
    EXPECT_EQ(d.kind, "markdown");
    EXPECT_EQ(d.text, "Title\n\nSome bold and italic and a link text.\n- item one\n- item two\n");
}

TEST(Extract, HtmlKeepsVisibleTextOnly) {
    testing::ScratchDir dir;
    const Document d = extract_file(dir.write(
        "a.html",
        "<html><head><title>T</title><style>p{}</style><script>var x = '<p>';</script></head>"
        "<body><!-- hidden --><h1>Head</h1><p>Fish &amp; chips &ndash; &#8364;5 &#x41;.</p>"
        "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table></body></html>"));
    EXPECT_EQ(d.kind, "html");
    EXPECT_EQ(d.text, "T\n\nHead\n\nFish & chips \u2013 \u20AC5 A.\n\nA B\n1 2");
}

TEST(Extract, GroundedDocumentsOfEveryFormatExtract) {
    for (const char* name : {"refund_policy.md", "leave_policy.txt", "price_list.html"}) {
        const Document d = extract_file(testing::grounded_document(name));
        EXPECT_GT(d.text.size(), 500u) << name;
        EXPECT_EQ(d.text.find('<'), std::string::npos) << name;
    }
    const Document html = extract_file(testing::grounded_document("price_list.html"));
    EXPECT_NE(html.text.find("Business cards, matte 500 $39.00"), std::string::npos);
    EXPECT_NE(html.text.find("Wedding invitations & envelopes"), std::string::npos);
    EXPECT_EQ(html.text.find("querySelectorAll"), std::string::npos);  // the script is gone
    EXPECT_EQ(html.text.find("text-align"), std::string::npos);        // and the style
}

TEST(Extract, PdfThroughPdftotext) {
    if (!pdftotext_available())
        GTEST_SKIP() << "pdftotext not installed (apt-get install poppler-utils)";
    testing::ScratchDir dir;
    const std::string p =
        dir.write("doc.pdf", testing::tiny_pdf("Hello PDF world. Second sentence."));
    const Document d = extract_file(p);
    EXPECT_EQ(d.kind, "pdf");
    EXPECT_NE(d.text.find("Hello PDF world. Second sentence."), std::string::npos) << d.text;
}

TEST(Extract, DamagedPdfIsAnErrorNamingTheFile) {
    if (!pdftotext_available())
        GTEST_SKIP() << "pdftotext not installed (apt-get install poppler-utils)";
    testing::ScratchDir dir;
    const std::string p = dir.write("broken.pdf", "%PDF-1.4\nthis is not really a pdf\n");
    const std::string e = error_of([&] { extract_file(p); });
    EXPECT_NE(e.find(p), std::string::npos) << e;
}

TEST(Extract, PdfWithoutPdftotextSaysWhatToInstall) {
    testing::ScratchDir dir;
    const std::string p = dir.write("doc.pdf", testing::tiny_pdf("Hi."));
    const char* old = std::getenv("PATH");
    const std::string saved = old ? old : "";
    setenv("PATH", dir.path().c_str(), 1);  // a PATH with no pdftotext on it
    const std::string e = error_of([&] { extract_file(p); });
    setenv("PATH", saved.c_str(), 1);
    EXPECT_NE(e.find("install poppler-utils"), std::string::npos) << e;
}

TEST(ExtractErrors, EmptyFile) {
    testing::ScratchDir dir;
    const std::string p = dir.write("empty.txt", "");
    const std::string e = error_of([&] { extract_file(p); });
    EXPECT_NE(e.find(p), std::string::npos);
    EXPECT_NE(e.find("empty file"), std::string::npos) << e;
}

TEST(ExtractErrors, WhitespaceOrMarkupOnlyHasNoText) {
    testing::ScratchDir dir;
    EXPECT_NE(error_of([&] { extract_file(dir.write("blank.txt", " \n\n ")); }).find("no text"),
              std::string::npos);
    EXPECT_NE(error_of([&] {
                  extract_file(dir.write("s.html", "<script>x()</script>"));
              }).find("no text"),
              std::string::npos);
}

TEST(ExtractErrors, NulByteMeansBinary) {
    testing::ScratchDir dir;
    const std::string p = dir.write("image.txt", std::string("GIF89a\0\0\x01", 9));
    const std::string e = error_of([&] { extract_file(p); });
    EXPECT_NE(e.find(p), std::string::npos);
    EXPECT_NE(e.find("binary file (NUL byte at offset 6)"), std::string::npos) << e;
}

TEST(ExtractErrors, MostlyControlCharactersMeansBinary) {
    testing::ScratchDir dir;
    std::string bytes = "text";
    for (int i = 0; i < 100; ++i) bytes += static_cast<char>(1 + i % 8);
    const std::string e = error_of([&] { extract_file(dir.write("blob.dat", bytes)); });
    EXPECT_NE(e.find("control characters"), std::string::npos) << e;
}

TEST(ExtractErrors, InvalidUtf8NamesTheByteOffset) {
    testing::ScratchDir dir;
    const std::string p = dir.write("latin1.txt", "caf\xE9 au lait");  // Latin-1 é
    const std::string e = error_of([&] { extract_file(p); });
    EXPECT_NE(e.find(p), std::string::npos);
    EXPECT_NE(e.find("invalid UTF-8 at byte offset 3"), std::string::npos) << e;
    // Overlong forms, surrogates and truncated sequences are invalid too.
    EXPECT_NE(error_of([&] { extract_file(dir.write("o.txt", "ab\xC0\xAF")); }).find("offset 2"),
              std::string::npos);
    EXPECT_NE(error_of([&] { extract_file(dir.write("s.txt", "a\xED\xA0\x80")); }).find("offset 1"),
              std::string::npos);
    EXPECT_NE(error_of([&] { extract_file(dir.write("t.txt", "abc\xE2\x82")); }).find("offset 3"),
              std::string::npos);
}

TEST(ExtractErrors, FileLargerThanTheLimit) {
    testing::ScratchDir dir;
    const std::string p = dir.write("big.txt", std::string(2048, 'a'));
    ExtractOptions o;
    o.max_bytes = 1024;
    const std::string e = error_of([&] { extract_file(p, o); });
    EXPECT_NE(e.find(p), std::string::npos);
    EXPECT_NE(e.find("larger than the limit"), std::string::npos) << e;
    EXPECT_NO_THROW(extract_file(p));  // the default limit is 50 MiB
}

TEST(ExtractErrors, MissingAndUnreadableFiles) {
    testing::ScratchDir dir;
    const std::string missing = dir / "nope.txt";
    EXPECT_NE(error_of([&] { extract_file(missing); }).find(missing + ": cannot read"),
              std::string::npos);
    EXPECT_NE(error_of([&] { extract_file(dir.path()); }).find("is a directory"),
              std::string::npos);
    if (geteuid() != 0) {  // root reads anything
        const std::string p = dir.write("secret.txt", "hidden");
        chmod(p.c_str(), 0);
        EXPECT_NE(error_of([&] { extract_file(p); }).find(p + ": cannot read"), std::string::npos);
    }
}

TEST(ExtractErrors, BytesInMemoryGetTheSameChecks) {
    EXPECT_NE(error_of([] { extract_bytes("mem.txt", "", "text"); }).find("mem.txt: empty file"),
              std::string::npos);
    EXPECT_NE(error_of([] { extract_bytes("mem.txt", "\xFF", "text"); }).find("invalid UTF-8"),
              std::string::npos);
    EXPECT_EQ(extract_bytes("mem.md", "## Hi", "markdown").text, "Hi");
}

}  // namespace
}  // namespace flash::retrieval
