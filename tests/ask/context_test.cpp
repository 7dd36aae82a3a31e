// Context building and answer resolution against a real in-memory index: numbering, offsets
// (bytes and characters, multi-byte text), relevance, and verification's keep/re-cite/drop.
#include <gtest/gtest.h>

#include "ask/context.h"
#include "ask/grounded.h"
#include "retrieval/index.h"

namespace flash::ask {
namespace {

retrieval::Index sample_index() {
    retrieval::Index index = retrieval::Index::in_memory();
    index.add_document(
        {"/docs/refunds.md",
         "# Refunds\n\nUnopened items may be returned within 30 days of delivery. Opened items "
         "get store credit only. Gift cards cannot be returned.\n",
         "markdown"});
    index.add_document(
        {"/docs/café.txt",
         "Le café ouvre à 7 h. The café sells croissants for €2.50 each. Dogs are welcome "
         "on the terrace.\n",
         "text"});
    return index;
}

TEST(Context, NumbersSentencesWithTheirPlaceInTheDocument) {
    const retrieval::Index index = sample_index();
    const AskContext ctx = build_context(index, "How many days to return unopened items?", {});
    ASSERT_FALSE(ctx.sentences.empty());
    ASSERT_EQ(ctx.documents.size(), 1u);  // the café text shares no content word
    for (size_t i = 0; i < ctx.sentences.size(); ++i) {
        const ContextSentence& s = ctx.sentences[i];
        EXPECT_EQ(s.id, static_cast<int>(i + 1));
        EXPECT_EQ(ctx.find(s.id), &s);
        const std::string text = *index.document_text(s.document);
        EXPECT_EQ(text.substr(s.start_byte, s.end_byte - s.start_byte), s.text);
        EXPECT_EQ(index.document_sentences(s.document).at(s.sentence_index).text, s.text);
    }
    EXPECT_EQ(ctx.find(0), nullptr);
    EXPECT_EQ(ctx.find(static_cast<int>(ctx.sentences.size()) + 1), nullptr);
    const std::string numbered = ctx.numbered_text();
    EXPECT_NE(numbered.find("From refunds.md:\n"), std::string::npos);
    EXPECT_NE(numbered.find("] Unopened items may be returned within 30 days of delivery.\n"),
              std::string::npos);
}

TEST(Context, CharacterOffsetsCountCodePoints) {
    const retrieval::Index index = sample_index();
    const AskContext ctx = build_context(index, "What do croissants cost at the café?", {});
    const auto it = std::find_if(
        ctx.sentences.begin(), ctx.sentences.end(),
        [](const ContextSentence& s) { return s.text.find("croissants") != std::string::npos; });
    ASSERT_NE(it, ctx.sentences.end());
    // "Le café ouvre à 7 h. " is 21 code points and 23 bytes.
    EXPECT_EQ(it->start_byte, 23u);
    EXPECT_EQ(it->start_char, 21u);
    EXPECT_EQ(it->end_char - it->start_char, char_offset(it->text, it->text.size()));
    EXPECT_EQ(char_offset("é€", 2), 1u);
}

TEST(Context, DocumentOrderFixesIndices) {
    const retrieval::Index index = sample_index();
    const AskContext ctx = build_context(index, "Can gift cards be returned?", {},
                                         {"/docs/café.txt", "/docs/refunds.md"});
    ASSERT_FALSE(ctx.sentences.empty());
    EXPECT_EQ(ctx.sentences[0].document_index, 1u);
}

TEST(Context, NothingRelevantMeansNoSentences) {
    const retrieval::Index index = sample_index();
    const AskContext ctx = build_context(index, "What is the warranty on the thermostat?", {});
    EXPECT_TRUE(ctx.sentences.empty());
}

AskContext refund_context(const retrieval::Index& index) {
    return build_context(index, "How many days do customers have to return unopened items?", {});
}

int id_of(const AskContext& ctx, std::string_view start) {
    for (const ContextSentence& s : ctx.sentences)
        if (s.text.starts_with(start)) return s.id;
    return 0;
}

TEST(Resolve, KeepsSupportedClaims) {
    const retrieval::Index index = sample_index();
    const AskContext ctx = refund_context(index);
    const int unopened = id_of(ctx, "Unopened");
    ASSERT_GT(unopened, 0);
    const AskResult r = resolve_answer(
        {false, {{"Unopened items may be returned within 30 days.", {unopened}}}}, ctx, {});
    ASSERT_FALSE(r.abstained);
    ASSERT_EQ(r.claims.size(), 1u);
    ASSERT_EQ(r.claims[0].citations.size(), 1u);
    EXPECT_EQ(r.claims[0].citations[0].cited_text,
              "Unopened items may be returned within 30 days of delivery.");
    EXPECT_FALSE(r.claims[0].recited);
    EXPECT_NE(r.to_text().find("[1] refunds.md, sentence "), std::string::npos);
    const Json j = r.to_json();
    EXPECT_EQ(j["content"][0]["citations"][0]["type"], "char_location");
    EXPECT_EQ(j["content"][0]["citations"][0]["document_title"], "refunds.md");
}

TEST(Resolve, RecitesAClaimToTheSentenceThatSupportsIt) {
    const retrieval::Index index = sample_index();
    const AskContext ctx = refund_context(index);
    const int opened = id_of(ctx, "Opened"), unopened = id_of(ctx, "Unopened");
    const AskResult r = resolve_answer(
        {false, {{"Unopened items may be returned within 30 days.", {opened}}}}, ctx, {});
    ASSERT_EQ(r.claims.size(), 1u);
    EXPECT_TRUE(r.claims[0].recited);
    EXPECT_EQ(r.claims[0].citations[0].context_id, unopened);

    VerifyOptions strict;
    strict.recite = false;
    const AskResult dropped = resolve_answer(
        {false, {{"Unopened items may be returned within 30 days.", {opened}}}}, ctx, strict);
    EXPECT_TRUE(dropped.abstained);
    ASSERT_EQ(dropped.dropped.size(), 1u);
    EXPECT_NE(dropped.dropped[0].why.find("not supported by"), std::string::npos);
}

TEST(Resolve, UnsupportedClaimsAreDroppedAndNothingLeftAbstains) {
    const retrieval::Index index = sample_index();
    const AskContext ctx = refund_context(index);
    const int unopened = id_of(ctx, "Unopened");
    const AskResult r =
        resolve_answer({false,
                        {{"Unopened items may be returned within 90 days.", {unopened}},
                         {"Shipping is free for members.", {unopened}}}},
                       ctx, {});
    EXPECT_TRUE(r.abstained);
    EXPECT_EQ(r.abstain_reason, "no claim is supported by the documents");
    EXPECT_EQ(r.dropped.size(), 2u);
    EXPECT_EQ(r.answer_text(), "I don't know.");
}

TEST(Resolve, CitationsOutsideTheContextNeverSurvive) {
    const retrieval::Index index = sample_index();
    const AskContext ctx = refund_context(index);
    VerifyOptions off;
    off.verify = false;
    const AskResult r = resolve_answer(
        {false, {{"Unopened items may be returned within 30 days.", {0, 99, -1}}}}, ctx, off);
    ASSERT_EQ(r.claims.size(), 1u);
    EXPECT_TRUE(r.claims[0].citations.empty());
    const AskResult abstain = resolve_answer({true, {}}, ctx, {});
    EXPECT_TRUE(abstain.abstained);
    EXPECT_EQ(abstain.abstain_reason, "the model does not know");
}

}  // namespace
}  // namespace flash::ask
