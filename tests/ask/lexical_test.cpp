// Content words and numbers: what claim verification compares.
#include <gtest/gtest.h>

#include "ask/lexical.h"
#include "ask/support.h"

namespace flash::ask {
namespace {

using Words = std::vector<std::string>;

TEST(Lexical, NumbersAreNormalised) {
    EXPECT_EQ(normalise_number("1,200.00"), "1200");
    EXPECT_EQ(normalise_number("$4.50"), "4.5");
    EXPECT_EQ(normalise_number("007"), "7");
    EXPECT_EQ(normalise_number("0.25"), "0.25");
    EXPECT_EQ(normalise_number("abc"), "");
    EXPECT_EQ(lexical_terms("It costs $1,200 or 1200.0 in total, thirty days").numbers,
              (Words{"1200", "30"}));
}

TEST(Lexical, VersionsAndTimesSplitIntoNumbers) {
    EXPECT_EQ(lexical_terms("PostgreSQL 16.2 at 05:40").numbers, (Words{"16.2", "5", "40"}));
}

TEST(Lexical, StopwordsDroppedAndStemsShared) {
    const LexicalTerms t = lexical_terms("The items were returned and the returns are accepted.");
    EXPECT_EQ(t.words, (Words{"item", "return", "accept"}));
    EXPECT_EQ(stem("charges"), stem("charged"));
    EXPECT_EQ(stem("policies"), "policy");
    EXPECT_EQ(stem("bus"), "bus");  // too short to lose its "s"
}

TEST(Lexical, MultiByteWordsAreWords) {
    const LexicalTerms t = lexical_terms("Le café coûte 3 €.");
    EXPECT_EQ(t.words, (Words{"le", "café", stem("coûte")}));  // "€" is no word
    EXPECT_EQ(t.numbers, (Words{"3"}));
}

TEST(Support, NumbersMustAllAppear) {
    const std::vector<std::string_view> cited = {
        "Unopened items may be returned within 30 days of delivery."};
    EXPECT_TRUE(support_of("Unopened items can be returned within 30 days.", cited).supported);
    const Support wrong = support_of("Unopened items can be returned within 60 days.", cited);
    EXPECT_FALSE(wrong.supported);
    EXPECT_FALSE(wrong.numbers_found);
    EXPECT_EQ(wrong.missing, "60");
}

TEST(Support, ContentWordsMustMostlyAppear) {
    const std::vector<std::string_view> cited = {"The router supports 2.4 GHz and 5 GHz bands."};
    EXPECT_TRUE(support_of("The router supports 5 GHz.", cited).supported);
    const Support s =
        support_of("The thermostat schedules heating programs weekly at 5 GHz.", cited);
    EXPECT_FALSE(s.supported);
    EXPECT_LT(s.coverage, 0.5);
}

TEST(Support, NothingToCheckIsNotSupported) {
    EXPECT_FALSE(support_of("Yes.", {"Yes, the gym opens on Sundays."}).supported);
    EXPECT_FALSE(support_of("", {"Anything."}).supported);
    EXPECT_FALSE(support_of("The gym opens on Sundays.", {}).supported);
}

TEST(Support, WhatTheQuestionSaysNeedsNoSupport) {
    const std::vector<std::string_view> cited = {
        "Updates are installed automatically between 2 a.m. and 4 a.m."};
    const std::string question = "When does the T4 thermostat install firmware updates?";
    const std::string claim =
        "The T4 thermostat installs firmware updates between 2 a.m. and 4 a.m.";
    // "t4", "thermostat", "firmware" are not cited, but the question said them.
    EXPECT_LT(support_of(claim, cited).coverage, 0.6);
    EXPECT_EQ(support_of(claim, cited, {}, question).coverage, 1.0);
    EXPECT_TRUE(support_of(claim, cited, {}, question).supported);
    // Numbers the question gives are given too.
    EXPECT_TRUE(support_of("Grace was absent on 11 March.", {"Absent: Grace Lindholm"}, {},
                           "Who was absent on 11 March?")
                    .supported);
    EXPECT_FALSE(support_of("Grace was absent on 12 March.", {"Absent: Grace Lindholm"}, {},
                            "Who was absent on 11 March?")
                     .supported);
}

TEST(Support, ARestatementMustBeOnTheCitationsTopic) {
    const std::string question = "Does the lease require the tenant to carry renter's insurance?";
    const std::string claim = "The lease does not require the tenant to carry renter's insurance.";
    EXPECT_FALSE(
        support_of(claim, {"Rent is due on the first day of each month."}, {}, question).supported);
    EXPECT_TRUE(support_of(claim,
                           {"The tenant must carry renter's insurance for the whole lease term."},
                           {}, question)
                    .supported);
}

TEST(Support, ThresholdIsAnOption) {
    const std::vector<std::string_view> cited = {"Members may bring one guest per visit."};
    const std::string claim =
        "Members may bring a guest to the sauna.";  // member, bring, guest, sauna: 3/4
    EXPECT_TRUE(support_of(claim, cited, {0.75}).supported);
    EXPECT_FALSE(support_of(claim, cited, {0.9}).supported);
}

}  // namespace
}  // namespace flash::ask
