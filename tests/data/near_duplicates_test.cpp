// Near-duplicate detection against a brute-force reference: every text it drops resembles a
// kept earlier one at the threshold, and every clear near copy (similarity >= 0.9, where the
// banding misses a pair with probability about 1e-4) is dropped.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "data/near_duplicates.h"
#include "data/random.h"

namespace flash::data {
namespace {

std::string random_text(Rng& rng, size_t words) {
    std::string text;
    for (size_t i = 0; i < words; ++i) {  // in steps: GCC 12 warns falsely on "w" + to_string()
        text += 'w';
        text += std::to_string(rng.below(500)) + " ";
    }
    return text;
}

// `text` with `changes` of its words replaced.
std::string mutated(const std::string& text, size_t changes, Rng& rng) {
    std::vector<std::string> words;
    for (size_t at = 0, next; (next = text.find(' ', at)) != std::string::npos; at = next + 1)
        words.push_back(text.substr(at, next - at));
    for (size_t i = 0; i < changes; ++i) words[rng.below(words.size())] = std::to_string(i) + "x";
    std::string out;
    for (const std::string& w : words) out += w + " ";
    return out;
}

TEST(NearDuplicates, ACopyWithAWordChangedGoesAndDifferentTextsStay) {
    Rng rng(7, "texts");
    const std::string a = random_text(rng, 200), b = random_text(rng, 200);
    const std::string a2 = mutated(a, 1, rng);
    EXPECT_GT(shingle_similarity(a, a2), 0.9);
    EXPECT_LT(shingle_similarity(a, b), 0.1);
    EXPECT_EQ(near_duplicates({a, b, a2}), (std::vector<bool>{false, false, true}));
    // Other classes are never compared.
    EXPECT_EQ(near_duplicates({a, b, a2}, {"x", "y", "z"}),
              (std::vector<bool>{false, false, false}));
    // Short texts (under one shingle) are compared whole.
    EXPECT_EQ(near_duplicates({"Yes.", "yes", "No."}), (std::vector<bool>{false, true, false}));
}

TEST(NearDuplicates, AgreesWithTheBruteForceReference) {
    Rng rng(11, "corpus");
    std::vector<std::string> texts;
    for (int i = 0; i < 60; ++i) texts.push_back(random_text(rng, 40 + rng.below(200)));
    for (int i = 0; i < 120; ++i) {  // copies with 0 to 3 words changed, or about 10%
        const std::string& original = texts[rng.below(60)];
        const size_t words = static_cast<size_t>(std::count(original.begin(), original.end(), ' '));
        const size_t changes = i % 5 == 4 ? words / 10 : static_cast<size_t>(i % 5);
        texts.push_back(mutated(original, changes, rng));
    }
    const std::vector<bool> dropped = near_duplicates(texts);
    size_t drops = 0;
    for (size_t i = 0; i < texts.size(); ++i) {
        double best = 0;  // similarity to the most similar earlier kept text
        for (size_t j = 0; j < i; ++j)
            if (!dropped[j]) best = std::max(best, shingle_similarity(texts[i], texts[j]));
        if (dropped[i]) {
            ++drops;
            EXPECT_GE(best, 0.8) << "text " << i << " dropped without a near copy";
        } else {
            EXPECT_LT(best, 0.9) << "text " << i << " kept beside a near copy";
        }
    }
    EXPECT_GT(drops, 20u);  // the corpus has clear copies: the check must find some
}

}  // namespace
}  // namespace flash::data
