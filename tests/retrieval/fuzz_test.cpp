// Random input against the text pipeline and the query sanitizer: nothing may crash, sentences
// keep their invariants, converted text stays valid UTF-8, no query is an FTS syntax error.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "retrieval/html_text.h"
#include "retrieval/index.h"
#include "retrieval/markdown_text.h"
#include "retrieval/sentences.h"
#include "retrieval/text_check.h"

namespace flash::retrieval {
namespace {

// Text built from pieces that exercise the rules: abbreviations, punctuation, markup, lists,
// quotes, multi-byte characters and line breaks.
std::string random_text(std::mt19937& rng, size_t pieces) {
    static const char* k_pieces[] = {
        "Dr.",       " ",    "Mr",   ". ",    "e.g.",   "etc.",   "p.m.",   "U.S.",   "No.",
        " 5",        "3.14", "?",    "!",     "...",    "\u2026", "\"",     "'",      ")",
        "(",         "\n",   "\n\n", "- ",    "1. ",    "* ",     "| ",     "\t",     "word",
        "Word",      "WORD", "x",    "A.",    "é",      "東京",   "\u3002", "\uFF01", "😀",
        "<p>",       "</p>", "<b>",  "&amp;", "&#",     "&#x41;", "<!--",   "-->",    "<script>",
        "</script>", "**",   "_",    "`",     "[a](b)", "#",      "## ",    "> ",     "```",
        "<",         ">",    "&",    ";",     ":",      ","};
    std::uniform_int_distribution<size_t> pick(0, std::size(k_pieces) - 1);
    std::string s;
    for (size_t i = 0; i < pieces; ++i) s += k_pieces[pick(rng)];
    return s;
}

void expect_sentence_invariants(const std::string& text, bool hard_breaks) {
    SplitOptions o;
    o.hard_line_breaks = hard_breaks;
    const auto sentences = split_sentences(text, o);
    size_t last_end = 0;
    for (const Sentence& s : sentences) {
        ASSERT_LT(s.start, s.end);
        ASSERT_LE(s.end, text.size());
        ASSERT_LE(last_end, s.start);
        const char first = text[s.start], last = text[s.end - 1];
        ASSERT_FALSE(first == ' ' || first == '\n' || first == '\t') << text;
        ASSERT_FALSE(last == ' ' || last == '\n' || last == '\t') << text;
        last_end = s.end;
    }
}

TEST(Fuzz, SentencesKeepTheirInvariantsOnRandomText) {
    std::mt19937 rng(1234);
    for (int i = 0; i < 3000; ++i) {
        const std::string text = random_text(rng, 1 + i % 60);
        expect_sentence_invariants(text, i % 2 == 0);
    }
}

TEST(Fuzz, ConvertersNeverCrashAndKeepUtf8Valid) {
    std::mt19937 rng(99);
    for (int i = 0; i < 3000; ++i) {
        const std::string src = random_text(rng, 1 + i % 80);
        const std::string html = html_to_text(src);
        const std::string md = markdown_to_text(src);
        ASSERT_EQ(find_invalid_utf8(html), std::string::npos) << src;
        ASSERT_EQ(find_invalid_utf8(md), std::string::npos) << src;
        expect_sentence_invariants(html, true);
        expect_sentence_invariants(md, false);
    }
}

TEST(Fuzz, RandomQueriesAreNeverFtsSyntaxErrors) {
    Index index = Index::in_memory();
    index.add_document(
        {"d.txt", "Alpha beta gamma. Delta \"epsilon\" zeta? Eta: theta (iota) kappa*.", "text"});
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> byte(32, 126);
    for (int i = 0; i < 500; ++i) {
        std::string q;
        for (int n = 0; n < 1 + i % 30; ++n) q += static_cast<char>(byte(rng));
        ASSERT_NO_THROW(index.search(q, 3)) << q;
    }
    for (int i = 0; i < 200; ++i) ASSERT_NO_THROW(index.search(random_text(rng, 10), 3));
}

}  // namespace
}  // namespace flash::retrieval
