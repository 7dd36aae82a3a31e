// Search quality on the grounded suite: for each answerable question, index that question's
// documents and look for a gold support sentence among the top passages.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "retrieval/grounded_data.h"
#include "retrieval/index.h"

namespace flash::retrieval {
namespace {

// Rank (1-based) of the first passage holding a support sentence of `q`; 0 when none of `hits`
// does.
size_t support_rank(const testing::GroundedQuestion& q, const std::vector<PassageHit>& hits) {
    for (size_t r = 0; r < hits.size(); ++r)
        for (const auto& s : q.support) {
            if (!hits[r].path.ends_with("/" + s.document)) continue;
            for (const auto& sentence : hits[r].sentences)
                if (testing::collapse_whitespace(sentence.text) ==
                    testing::collapse_whitespace(s.quote))
                    return r + 1;
        }
    return 0;
}

TEST(SearchQuality, SupportSentenceInTopThreeForMostGroundedQuestions) {
    size_t n = 0, at1 = 0, at3 = 0;
    for (const auto& q : testing::grounded_questions()) {
        if (!q.answerable) continue;
        Index index = Index::in_memory();
        for (const auto& d : q.documents) index.add(testing::grounded_document(d));
        const size_t rank = support_rank(q, index.search(q.question, 3));
        ++n;
        at1 += rank == 1;
        at3 += rank >= 1 && rank <= 3;
        if (rank == 0 && std::getenv("FLASH_SHOW_MISSES"))
            std::printf("miss %s: %s\n", q.id.c_str(), q.question.c_str());
    }
    const double r1 = static_cast<double>(at1) / n, r3 = static_cast<double>(at3) / n;
    std::printf(
        "grounded search over %zu answerable questions: recall@1 %.1f%% (%zu), recall@3 %.1f%% "
        "(%zu)\n",
        n, 100 * r1, at1, 100 * r3, at3);
    EXPECT_GE(n, 200u);
    EXPECT_GE(r3, 0.80);
}

}  // namespace
}  // namespace flash::retrieval
