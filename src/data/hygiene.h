// Keeping the dataset clean: exact duplicates out, and no example sharing a 13-word sequence
// with any evaluation suite (the decontamination rule of GPT-3 and Tulu 3), so the suites
// keep measuring what a model learned, not what it saw.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "data/example.h"

namespace flash::data {

inline constexpr size_t kContaminationWords = 13;

// Hashes of every 13-word window of the text files under `dir` (recursively).
class EvalNgrams {
  public:
    explicit EvalNgrams(const std::string& dir);
    bool overlaps(const std::string& text) const;
    size_t files() const { return files_; }
    size_t size() const { return ngrams_.size(); }

  private:
    std::unordered_set<uint64_t> ngrams_;
    size_t files_ = 0;
};

// Lowercase letter-and-digit words, as the n-gram check counts them.
std::vector<std::string> ngram_words(const std::string& text);

struct HygieneReport {
    int64_t duplicates = 0;
    int64_t near_duplicates = 0;  // MinHash, Jaccard >= 0.8 over 5-word shingles
    int64_t contaminated = 0;
    std::vector<std::string> contaminated_ids;  // what was removed, for the card
};

// Removes duplicates (same messages and tools), examples overlapping the evaluation text, and
// near duplicates of an example kept before them.
std::vector<Example> clean(std::vector<Example> examples, const EvalNgrams& eval,
                           HygieneReport& report);

}  // namespace flash::data
