#include <gtest/gtest.h>

#include "check_helpers.h"

namespace flash::instruct::testing {
namespace {

TEST(Placeholders, AtLeastNBracketedPlaceholders) {
    const nlohmann::json two = {{"num_placeholders", 2}};
    EXPECT_TRUE(passes("content:placeholders", two, "Dear [name], see you at [address]."));
    EXPECT_TRUE(passes("content:placeholders", two, "[a] [b] [c] [日付]"));
    EXPECT_EQ(
        strict("content:placeholders", two, "Dear [name], see you at [ ] or []. [split\nline]")
            .reason,
        "found 1 placeholder in [brackets], expected at least 2");
}

TEST(Postscript, PSMarker) {
    const nlohmann::json ps = {{"postscript_marker", "P.S."}};
    EXPECT_TRUE(passes("content:postscript", ps, "Best,\nAnna\n\nP.S. Bring snacks."));
    EXPECT_TRUE(passes("content:postscript", ps, "Thanks.\np. s. see you"));
    EXPECT_TRUE(passes("content:postscript", ps, "Thanks.\n**P.S.** see you"));
    EXPECT_FALSE(passes("content:postscript", ps, "Thanks.\nP.P.S. see you"));
    EXPECT_FALSE(passes("content:postscript", ps, "Thanks.\nPS see you"));
    EXPECT_EQ(strict("content:postscript", ps, "No postscript here.").reason,
              "no postscript starting with \"P.S.\"");
}

TEST(Postscript, PPSMarker) {
    const nlohmann::json pps = {{"postscript_marker", "P.P.S"}};
    EXPECT_TRUE(passes("content:postscript", pps, "Bye.\nP.S. one\nP.P.S two"));
    EXPECT_TRUE(passes("content:postscript", pps, "Bye.\nP.P.S. two"));
    EXPECT_FALSE(passes("content:postscript", pps, "Bye.\nP.S. only one"));
    EXPECT_FALSE(passes("content:postscript", pps, "Bye.\nP.P.Someone"));
}

}  // namespace
}  // namespace flash::instruct::testing
