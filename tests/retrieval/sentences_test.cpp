// Sentence segmentation: abbreviations, numbers, quotes, line structure, multi-byte text, and
// every gold quote of the grounded suite coming out as exactly one sentence.
#include "retrieval/sentences.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "retrieval/extract.h"
#include "retrieval/grounded_data.h"

namespace flash::retrieval {
namespace {

std::vector<std::string> split(std::string_view text, bool hard_breaks = false) {
    SplitOptions o;
    o.hard_line_breaks = hard_breaks;
    std::vector<std::string> out;
    for (const Sentence& s : split_sentences(text, o))
        out.emplace_back(text.substr(s.start, s.end - s.start));
    return out;
}

using Strings = std::vector<std::string>;

TEST(Sentences, SplitsAtPeriodsQuestionAndExclamationMarks) {
    EXPECT_EQ(split("It rained. We stayed in! Did you? Yes."),
              (Strings{"It rained.", "We stayed in!", "Did you?", "Yes."}));
}

TEST(Sentences, OffsetsPointIntoTheTextAndAreTrimmed) {
    const std::string text = "  First one.   Second one.\n";
    const auto s = split_sentences(text);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].start, 2u);
    EXPECT_EQ(s[0].end, 12u);
    EXPECT_EQ(text.substr(s[1].start, s[1].end - s[1].start), "Second one.");
    EXPECT_FALSE(s[0].heading);
}

TEST(Sentences, EmptyAndWhitespaceOnlyTextHaveNoSentences) {
    EXPECT_TRUE(split_sentences("").empty());
    EXPECT_TRUE(split_sentences(" \n\n\t ").empty());
}

TEST(Sentences, TextWithoutFinalPunctuationIsOneSentence) {
    EXPECT_EQ(split("no period at the end"), (Strings{"no period at the end"}));
}

TEST(Sentences, TitlesAndLatinAbbreviationsDoNotSplit) {
    EXPECT_EQ(
        split("Dr. Smith met Mr. Jones and Mrs. Lee. Prof. Chen and Ms. Park came later."),
        (Strings{"Dr. Smith met Mr. Jones and Mrs. Lee.", "Prof. Chen and Ms. Park came later."}));
    EXPECT_EQ(split("Bring fruit, e.g. Apples or pears, i.e. Anything fresh. Then go."),
              (Strings{"Bring fruit, e.g. Apples or pears, i.e. Anything fresh.", "Then go."}));
    EXPECT_EQ(split("It weighs approx. 40 kg. Lift with care."),
              (Strings{"It weighs approx. 40 kg.", "Lift with care."}));
    EXPECT_EQ(split("Meet at St. Mary's. Cats vs. Dogs is on."),
              (Strings{"Meet at St. Mary's.", "Cats vs. Dogs is on."}));
    EXPECT_EQ(split("See Fig. 3 for the wiring. Call ext. 2200 for help."),
              (Strings{"See Fig. 3 for the wiring.", "Call ext. 2200 for help."}));
}

TEST(Sentences, NoDotSplitsOnlyWhenNotANumber) {
    EXPECT_EQ(split("Order No. 5 shipped. Part No. PAK-2 is spare. Is it free? No. It costs $5."),
              (Strings{"Order No. 5 shipped.", "Part No. PAK-2 is spare.", "Is it free?", "No.",
                       "It costs $5."}));
}

TEST(Sentences, TerminalAbbreviationsSplitOnlyBeforeACapital) {
    EXPECT_EQ(
        split("Bring pens, paper, etc. and a ruler. We have pens, paper, etc. The rest is yours."),
        (Strings{"Bring pens, paper, etc. and a ruler.", "We have pens, paper, etc.",
                 "The rest is yours."}));
    EXPECT_EQ(split("Acme Inc. (the seller) ships. It was founded by Acme Ltd. Nobody knows when."),
              (Strings{"Acme Inc. (the seller) ships.", "It was founded by Acme Ltd.",
                       "Nobody knows when."}));
    EXPECT_EQ(split("Due Jan. 5 and Dec. 31. Open Mon.–Fri., closed Sat. Sundays vary."),
              (Strings{"Due Jan. 5 and Dec. 31.", "Open Mon.–Fri., closed Sat.", "Sundays vary."}));
}

TEST(Sentences, TimesOfDayEndSentencesUnlessATimeZoneFollows) {
    EXPECT_EQ(split("Open 9 a.m. to 5 p.m. Closed on Sundays."),
              (Strings{"Open 9 a.m. to 5 p.m.", "Closed on Sundays."}));
    EXPECT_EQ(split("Call 9 a.m. to 5 p.m. ET on weekdays. Or write."),
              (Strings{"Call 9 a.m. to 5 p.m. ET on weekdays.", "Or write."}));
    EXPECT_EQ(split("Open until 8 p.m. Eastern Time, daily."),
              (Strings{"Open until 8 p.m. Eastern Time, daily."}));
    EXPECT_EQ(
        split("Mon.-Thu. 9 a.m. to 8 p.m.; Fri. 9 a.m. to 6 p.m. The library is closed."),
        (Strings{"Mon.-Thu. 9 a.m. to 8 p.m.; Fri. 9 a.m. to 6 p.m.", "The library is closed."}));
}

TEST(Sentences, CountryAbbreviations) {
    EXPECT_EQ(split("Sold in the U.S. and Canada. Made in the U.K. Shipped worldwide."),
              (Strings{"Sold in the U.S. and Canada.", "Made in the U.K.", "Shipped worldwide."}));
    EXPECT_EQ(split("Prices in U.S. dollars apply (U.S. only)."),
              (Strings{"Prices in U.S. dollars apply (U.S. only)."}));
}

TEST(Sentences, InitialsStayWithTheName) {
    EXPECT_EQ(split("J. R. R. Tolkien wrote it. Tenant: Jordan M. Reyes signed."),
              (Strings{"J. R. R. Tolkien wrote it.", "Tenant: Jordan M. Reyes signed."}));
    EXPECT_EQ(split("Take vitamin C. Then rest."), (Strings{"Take vitamin C.", "Then rest."}));
}

TEST(Sentences, DecimalsVersionsPricesAndUnitsDoNotSplit) {
    EXPECT_EQ(split("Pi is 3.14 roughly. It costs $4.50 now. Use v1.2.3 or later. The 2.5 GHz band "
                    "is slow."),
              (Strings{"Pi is 3.14 roughly.", "It costs $4.50 now.", "Use v1.2.3 or later.",
                       "The 2.5 GHz band is slow."}));
    EXPECT_EQ(split("Upgrade to version 2.6.0. Please back up first."),
              (Strings{"Upgrade to version 2.6.0.", "Please back up first."}));
    EXPECT_EQ(split("Windows 8.1 support ended; 2.3.x is the last. Sorry."),
              (Strings{"Windows 8.1 support ended; 2.3.x is the last.", "Sorry."}));
}

TEST(Sentences, SentencesMayStartWithADigit) {
    EXPECT_EQ(split("We sold 40. 12 were returned."),
              (Strings{"We sold 40.", "12 were returned."}));
}

TEST(Sentences, UrlsAndEmailAddressesDoNotSplit) {
    EXPECT_EQ(
        split(
            "Open http://192.168.8.1/setup?x=1 in a browser. Write to care@shop.example.com today. "
            "See www.example.org. Thanks."),
        (Strings{"Open http://192.168.8.1/setup?x=1 in a browser.",
                 "Write to care@shop.example.com today.", "See www.example.org.", "Thanks."}));
}

TEST(Sentences, EllipsesSplitOnlyBeforeANewSentence) {
    EXPECT_EQ(split("Wait... what was that? He paused... Then he left."),
              (Strings{"Wait... what was that?", "He paused...", "Then he left."}));
    EXPECT_EQ(split("Well\u2026 Maybe."), (Strings{"Well\u2026", "Maybe."}));
}

TEST(Sentences, ClosingQuotesAndBracketsStayWithTheirSentence) {
    EXPECT_EQ(split("He said \"Stop.\" Then he left."),
              (Strings{"He said \"Stop.\"", "Then he left."}));
    EXPECT_EQ(split("It is provided \"as is.\" Liability is limited."),
              (Strings{"It is provided \"as is.\"", "Liability is limited."}));
    EXPECT_EQ(
        split(
            "(This is an aside.) Back to the point. Dogs are welcome (\"Dog Fridays\"). Cats too."),
        (Strings{"(This is an aside.)", "Back to the point.", "Dogs are welcome (\"Dog Fridays\").",
                 "Cats too."}));
    EXPECT_EQ(split("She asked \u201cWhy?\u201d Nobody knew."),
              (Strings{"She asked \u201cWhy?\u201d", "Nobody knew."}));
    EXPECT_EQ(split("Really?! Yes."), (Strings{"Really?!", "Yes."}));
}

TEST(Sentences, LowercaseAfterPunctuationContinues) {
    EXPECT_EQ(split("Yahoo! is a site. Is it? maybe."),
              (Strings{"Yahoo! is a site.", "Is it? maybe."}));
}

TEST(Sentences, MultiByteTextAndCjkFullStops) {
    EXPECT_EQ(split("Café crème costs €3.50. Très bien! 😀 Done."),
              (Strings{"Café crème costs €3.50.", "Très bien!", "😀 Done."}));
    EXPECT_EQ(split("東京は大きい。大阪も大きい！本当？はい"),
              (Strings{"東京は大きい。", "大阪も大きい！", "本当？", "はい"}));
    EXPECT_EQ(split("彼は言った。「行く。」次。"), (Strings{"彼は言った。", "「行く。」", "次。"}));
    EXPECT_EQ(split("Élan matters. Über cool."), (Strings{"Élan matters.", "Über cool."}));
}

TEST(Sentences, BlankLinesAlwaysEndASentence) {
    EXPECT_EQ(split("first part without period\n\nsecond part"),
              (Strings{"first part without period", "second part"}));
}

TEST(Sentences, ListItemsAreSentencesWithoutTheirMarkers) {
    EXPECT_EQ(split("Bring:\n- a tent\n- two sleeping bags\n* water\n+ food\n\u2022 a map\n1. Go "
                    "north\n2) Turn left\n(a) Stop"),
              (Strings{"Bring:", "a tent", "two sleeping bags", "water", "food", "a map",
                       "Go north", "Turn left", "Stop"}));
}

TEST(Sentences, ListItemHoldingTwoSentencesSplits) {
    EXPECT_EQ(split("- Offline mode: it works offline. Changes sync later.\n- Dark theme"),
              (Strings{"Offline mode: it works offline.", "Changes sync later.", "Dark theme"}));
}

TEST(Sentences, WrappedListItemContinuesOnTheNextLine) {
    EXPECT_EQ(split("- a long item that wraps\n  onto the next line\n- next item"),
              (Strings{"a long item that wraps\n  onto the next line", "next item"}));
}

TEST(Sentences, MarkdownTaskListMarkers) {
    EXPECT_EQ(split("- [ ] write tests\n- [x] ship it"), (Strings{"write tests", "ship it"}));
}

TEST(Sentences, NumbersAtLineStartThatAreNotMarkers) {
    EXPECT_EQ(split("1.5 m cable included.\n2025 was busy."),
              (Strings{"1.5 m cable included.", "2025 was busy."}));
}

TEST(Sentences, HeadingsAreSentencesOfTheirOwn) {
    const std::string text =
        "Return windows\n\nItems may be returned.\n\nLate fees\n- none for kids\n";
    const auto s = split_sentences(text);
    ASSERT_EQ(s.size(), 4u);
    EXPECT_TRUE(s[0].heading);
    EXPECT_EQ(text.substr(s[0].start, s[0].end - s[0].start), "Return windows");
    EXPECT_FALSE(s[1].heading);
    EXPECT_TRUE(s[2].heading);
    EXPECT_FALSE(s[3].heading);
}

TEST(Sentences, PlainTextSectionHeadingsOverParagraphs) {
    const std::string text =
        "MODES AND RUN TIMES\nThe light has five modes.\n\nLoan periods\nBooks may be borrowed.\n"
        "\n1. Annual leave\nFull-time staff get 22 days.";
    const auto s = split_sentences(text);
    ASSERT_EQ(s.size(), 6u);
    for (size_t i = 0; i < 6; i += 2) EXPECT_TRUE(s[i].heading) << i;
    for (size_t i = 1; i < 6; i += 2) EXPECT_FALSE(s[i].heading) << i;
    EXPECT_EQ(text.substr(s[4].start, s[4].end - s[4].start), "Annual leave");
}

TEST(Sentences, LongLinesAndKeyValueLinesAreNotHeadings) {
    const auto s = split_sentences("\nProperty: Apartment 4B, Millbrook\nLandlord: Harbor LLC\n");
    ASSERT_EQ(s.size(), 2u);
    EXPECT_FALSE(s[0].heading);
    EXPECT_FALSE(
        split_sentences("\nThis ordinary opening line wraps onto\nAnother line")[0].heading);
}

TEST(Sentences, LinesWithoutPunctuationEndAtTheNewline) {
    EXPECT_EQ(split("Author: Samira Chowdhury, Data Platform\nStatus: Approved\nDate: 11 March "
                    "2025, 9:30 a.m.\n"
                    "Location: Room Birch"),
              (Strings{"Author: Samira Chowdhury, Data Platform", "Status: Approved",
                       "Date: 11 March 2025, 9:30 a.m.", "Location: Room Birch"}));
}

TEST(Sentences, HardWrappedProseContinuesAcrossLines) {
    EXPECT_EQ(
        split("The tenant must report repairs\nthrough the portal, and\nEmergencies by phone. "
              "Dr.\nSmith agrees."),
        (Strings{"The tenant must report repairs\nthrough the portal, and\nEmergencies by phone.",
                 "Dr.\nSmith agrees."}));
}

TEST(Sentences, TableLikeLinesAreOneSentenceEach) {
    EXPECT_EQ(split("| Plan | Price |\n| basic | $5 |\n| pro | $9 |"),
              (Strings{"| Plan | Price |", "| basic | $5 |", "| pro | $9 |"}));
    EXPECT_EQ(split("apples    3    $2.00\npears     5    $1.50"),
              (Strings{"apples    3    $2.00", "pears     5    $1.50"}));
}

TEST(Sentences, HardLineBreaksEndEveryLine) {
    EXPECT_EQ(split("Flex $149 8 days\nunlimited $289 any desk", true),
              (Strings{"Flex $149 8 days", "unlimited $289 any desk"}));
    EXPECT_EQ(split("Flex $149 8 days\nunlimited $289 any desk", false),
              (Strings{"Flex $149 8 days\nunlimited $289 any desk"}));
}

TEST(Sentences, RunawayTextIsCutIntoBoundedPieces) {
    std::string text;
    for (int i = 0; i < 3000; ++i) text += "word ";
    const auto s = split_sentences(text);
    ASSERT_GT(s.size(), 1u);
    for (const auto& x : s) EXPECT_LE(x.end - x.start, 4000u);
    EXPECT_EQ(s.front().start, 0u);
    EXPECT_EQ(s.back().end, text.size() - 1);
}

TEST(Sentences, SentencesAreOrderedAndDoNotOverlap) {
    const std::string text =
        "# Title\n\nDr. A. Smith arrived at 5 p.m. He said \"Hi.\" Then... nothing!\n- item one\n- "
        "item two. "
        "More.\n\n| a | b |\n東京。大阪。";
    const auto s = split_sentences(text);
    ASSERT_FALSE(s.empty());
    for (size_t i = 0; i < s.size(); ++i) {
        EXPECT_LT(s[i].start, s[i].end);
        EXPECT_LE(s[i].end, text.size());
        if (i > 0) {
            EXPECT_LE(s[i - 1].end, s[i].start);
        }
    }
}

TEST(GroundedQuotes, EachQuoteIsExactlyOneSentence) {
    std::map<std::string, std::set<std::string>> sentences;  // document → collapsed sentences
    size_t total = 0, matched = 0;
    for (const auto& q : testing::grounded_questions()) {
        for (const auto& s : q.support) {
            if (!sentences.count(s.document)) {
                const Document doc = extract_file(testing::grounded_document(s.document));
                SplitOptions o;
                o.hard_line_breaks = doc.kind == "html";
                auto& set = sentences[s.document];
                for (const Sentence& x : split_sentences(doc.text, o))
                    set.insert(testing::collapse_whitespace(
                        std::string_view(doc.text).substr(x.start, x.end - x.start)));
            }
            ++total;
            if (sentences[s.document].count(testing::collapse_whitespace(s.quote))) {
                ++matched;
            } else {
                ADD_FAILURE() << q.id << " " << s.document << ": not one sentence: " << s.quote;
            }
        }
    }
    std::printf("grounded support quotes matching one sentence exactly: %zu / %zu (%.1f%%)\n",
                matched, total, 100.0 * matched / std::max<size_t>(total, 1));
    EXPECT_GT(total, 200u);
}

}  // namespace
}  // namespace flash::retrieval
